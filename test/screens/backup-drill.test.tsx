import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {ResticCli} from '../../source/restic/client.js';
import {loadTheme} from '../../source/theme/load.js';
import {keys, renderAt, waitForText} from '../helpers/ink.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let config: Config;

beforeAll(() => {
	process.env.XDG_STATE_HOME = tempDir('resto-screens-state-');
	repo = makeRepo();
	const src = path.join(repo.root, 'src');
	writeTree(src, {'old.txt': 'from long ago\n'});
	config = {repositories: [{name: 'r', access: repo.access}], backupSets: [{name: 'docs', repository: 'r', paths: [src]}], drill: {months: 3, files: 1}, source: 'file'};
});
afterAll(() => repo.cleanup());

const app = (route: Parameters<typeof App>[0]['initialRoute']) => renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} initialRoute={route} />, 80, 24);

describe('backup and drill screens', () => {
	test('backup screen: dry run lists items, a real backup shows its summary and snapshot', async () => {
		const ui = app({name: 'backup', repo: 'r'});
		try {
			await waitForText(ui.lastFrame, 'docs');
			ui.stdin.write('n');
			const frame = await waitForText(ui.lastFrame, /Dry run: done/);
			expect(frame).toMatch(/(unchanged|new)\s+(0|14) B\s+.*old\.txt/);
			expect(frame).toMatch(/would back up 1 file /);
			expect(await waitForText(ui.lastFrame, /Dry run of docs finished: nothing was saved/)).not.toMatch(/snapshot [0-9a-f]{8}/);
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, /backed up 1 file /);
			// The notice follows once the lock is released; a dry run's notice never names a snapshot.
			await waitForText(ui.lastFrame, /finished: snapshot [0-9a-f]{8}/);
		} finally {
			ui.unmount();
		}
	}, 60_000);

	test('drill screen: explains each step before it starts', async () => {
		const ui = app({name: 'drill', repo: 'r'});
		try {
			const frame = await waitForText(ui.lastFrame, 'Press enter to start');
			for (const step of ['Check the repository', 'Pick a random file', 'Restore it', 'Prove it', 'Human checklist', 'Report']) expect(frame).toContain(step);
			expect(frame).toContain('restic check verifies the structure');
		} finally {
			ui.unmount();
		}
	});
});
