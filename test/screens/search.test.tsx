import path from 'node:path';
import {existsSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {ResticCli} from '../../source/restic/client.js';
import {loadTheme} from '../../source/theme/load.js';
import {keys, renderAt, tick, waitForText} from '../helpers/ink.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let src: string;
let config: Config;
let cwd: string;
const oldCwd = process.cwd();
const oldHome = process.env.HOME;

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'home');
	writeTree(src, {'documents/taxes/2023/return-final.pdf': 'v1 of the return\n', 'documents/letter.txt': 'hello\n'});
	repo.backup([src], {host: 'laptop'});
	writeTree(src, {'documents/taxes/2023/return-final.pdf': 'v2 of the return, amended\n'});
	repo.backup([src], {host: 'laptop'});
	rmSync(path.join(src, 'documents/letter.txt'));
	repo.backup([src], {host: 'laptop'});
	config = {repositories: [{name: 'r', access: repo.access}], backupSets: [], drill: {months: 3, files: 1}, source: 'file'};
	process.env.XDG_CACHE_HOME = path.join(repo.root, 'cache');
	cwd = tempDir('resto-search-cwd-');
	process.chdir(cwd);
	// Restores go to ~/resto-restore by default: a home of this test's own.
	process.env.HOME = cwd;
});
afterAll(() => {
	process.chdir(oldCwd);
	process.env.HOME = oldHome;
	repo.cleanup();
	rmSync(cwd, {recursive: true, force: true});
});

describe('search screen', () => {
	test('type-ahead finds the file, shows versions and deletion, diffs, and restores a version after confirming', async () => {
		const ui = renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} initialRoute={{name: 'search', repo: 'r'}} />, 100, 30);
		try {
			await waitForText(ui.lastFrame, /3 snapshots indexed/);
			for (const ch of 'tax2023pdf') ui.stdin.write(ch);
			let frame = await waitForText(ui.lastFrame, 'return-final.pdf');
			frame = await waitForText(ui.lastFrame, '2 versions in 3 snapshots');
			ui.stdin.write(keys.tab);
			await waitForText(ui.lastFrame, '^E diff');
			ui.stdin.write('\u0005');
			frame = await waitForText(ui.lastFrame, '+v2 of the return, amended');
			expect(frame).toContain('-v1 of the return');
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, 'search: tax2023pdf');
			ui.stdin.write('\u000f');
			await waitForText(ui.lastFrame, 'Restore file');
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, /Restored 1 file .*size verified/);
			const dirs = readdirSync(path.join(cwd, 'resto-restore'));
			expect(dirs.length).toBe(1);
			const restored = path.join(cwd, 'resto-restore', dirs[0]!, src, 'documents/taxes/2023/return-final.pdf');
			expect(existsSync(restored)).toBe(true);
			expect(readFileSync(restored, 'utf8')).toBe('v2 of the return, amended\n');
			// Back from the dialog; into the query field (the versions pane had focus), backspace all, search the deleted letter.
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, 'search: tax2023pdf');
			ui.stdin.write('/');
			await waitForText(ui.lastFrame, 'esc leave field');
			for (let i = 0; i < 10; i++) ui.stdin.write(keys.backspace);
			await tick(100);
			for (const ch of 'letter') ui.stdin.write(ch);
			frame = await waitForText(ui.lastFrame, /deleted after [0-9a-f]{8}/);
		} finally {
			ui.unmount();
		}
	}, 60_000);
});
