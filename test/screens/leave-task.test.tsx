/**
 * A screen left while its task runs: Esc on the search screen while the diff's restic dumps run stops
 * them; the diff never opens over the repositories screen, and no restic is left. Real restic.
 */
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {ResticCli} from '../../source/restic/client.js';
import {liveProcessCount} from '../../source/restic/run.js';
import {loadTheme} from '../../source/theme/load.js';
import {keys, renderAt, tick, waitForText} from '../helpers/ink.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {rmSync} from 'node:fs';

let repo: TestRepo;
let cache: string;
const savedCache = process.env.XDG_CACHE_HOME;

beforeAll(() => {
	cache = tempDir('resto-leave-cache-');
	process.env.XDG_CACHE_HOME = cache;
	repo = makeRepo();
	const src = path.join(repo.root, 'src');
	writeTree(src, {'plans.txt': 'first draft\n'});
	repo.backup([src]);
	writeTree(src, {'plans.txt': 'second draft\n'});
	repo.backup([src]);
});
afterAll(() => {
	repo.cleanup();
	rmSync(cache, {recursive: true, force: true});
	if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
	else process.env.XDG_CACHE_HOME = savedCache;
});

describe('leaving a screen stops its task', () => {
	test('Esc while a diff runs: restic stopped, no diff screen, back on the repositories', async () => {
		const config: Config = {repositories: [{name: 'r', access: repo.access}], backupSets: [], drill: {months: 3, files: 1}, source: 'file'};
		const ui = renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} />, 100, 24);
		try {
			await waitForText(ui.lastFrame, /2 snapshots,/);
			ui.stdin.write('s');
			await waitForText(ui.lastFrame, /2 snapshots indexed/);
			for (const ch of 'plans') ui.stdin.write(ch);
			await waitForText(ui.lastFrame, '2 versions in 2 snapshots');
			ui.stdin.write(keys.tab);
			await waitForText(ui.lastFrame, '^E diff');
			// ^E starts the diff (two restic dumps); Esc from the versions pane leaves the screen while restic
			// is still starting (a second Esc on the first screen does nothing).
			ui.stdin.write('\u0005');
			await tick(20);
			ui.stdin.write(keys.escape);
			await tick(20);
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, 'NAME');
			for (let i = 0; i < 100 && liveProcessCount() > 0; i++) await tick(50);
			expect(liveProcessCount()).toBe(0);
			await tick(1500);
			const frame = ui.lastFrame() ?? '';
			expect(frame).not.toContain('› diff');
			expect(frame).not.toContain('second draft');
			expect(frame).toMatch(/resto › repositories/);
		} finally {
			ui.unmount();
		}
	}, 90_000);
});
