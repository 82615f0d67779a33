/**
 * The TUI reads the repository models: after a backup and after a drill the repositories screen shows the
 * new state without `r`; a drill on one repository never clears the other's banner; a repository removed
 * from the config file while resto runs leaves the screens cleanly. Real restic throughout.
 */
import {rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import {loadConfig, type Config, type Repository} from '../../source/config/config.js';
import {checklistQuestions} from '../../source/drill/drill.js';
import {RepoRegistry} from '../../source/model/repo-registry.js';
import {ResticCli} from '../../source/restic/client.js';
import {watchConfig} from '../../source/tasks/config-watch.js';
import {loadTheme} from '../../source/theme/load.js';
import {keys, renderAt, waitForFrame, waitForText} from '../helpers/ink.js';
import {filesUnder, makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let good: TestRepo;
let bad: TestRepo;
let state: string;
const savedState = process.env.XDG_STATE_HOME;
const savedCache = process.env.XDG_CACHE_HOME;

beforeAll(() => {
	state = tempDir('resto-model-screens-');
	process.env.XDG_STATE_HOME = path.join(state, 'state');
	process.env.XDG_CACHE_HOME = path.join(state, 'cache');
	good = makeRepo();
	bad = makeRepo();
	for (const r of [good, bad]) {
		writeTree(path.join(r.root, 'src'), {'letter.txt': 'dear grandma\n', 'notes/todo.md': '- test the backup\n'});
		r.backup([path.join(r.root, 'src')]);
	}
	for (const p of filesUnder(path.join(bad.repoPath, 'data'))) rmSync(p);
});
afterAll(() => {
	good.cleanup();
	bad.cleanup();
	rmSync(state, {recursive: true, force: true});
	process.env.XDG_STATE_HOME = savedState;
	process.env.XDG_CACHE_HOME = savedCache;
	if (savedState === undefined) delete process.env.XDG_STATE_HOME;
	if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
});

const clientFor = (r: Repository) => new ResticCli(r.access);
const theme = loadTheme('no-color', {});

describe('screens follow the repository models', () => {
	test('after a backup and after a drill the repositories screen shows the new state without r; the other repository keeps its banner', async () => {
		const config: Config = {
			repositories: [
				{name: 'good', access: good.access},
				{name: 'bad', access: bad.access},
			],
			backupSets: [{name: 'docs', repository: 'good', paths: [path.join(good.root, 'src')]}],
			drill: {months: 3, files: 1},
			source: 'file',
		};
		const ui = renderAt(<App config={config} theme={theme} clientFor={clientFor} />, 120, 30);
		try {
			let frame = await waitForText(ui.lastFrame, `good (${good.repoPath}) has never passed a restore drill`);
			expect(frame).toMatch(/1 snapshot,/);

			// A backup: back on the list, the count and age are new without pressing r.
			ui.stdin.write('b');
			await waitForText(ui.lastFrame, 'docs');
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, /backed up \d+ files?/);
			ui.stdin.write(keys.escape);
			frame = await waitForText(ui.lastFrame, /2 snapshots,/);

			// A drill that passes: the banner of good goes at once, bad's stays.
			ui.stdin.write('d');
			await waitForText(ui.lastFrame, 'Press enter to start');
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, 'restore it', 60_000);
			ui.stdin.write(keys.enter);
			for (const q of checklistQuestions) {
				await waitForText(ui.lastFrame, q.text.slice(0, 40), 60_000);
				ui.stdin.write('y');
			}
			await waitForText(ui.lastFrame, 'PASS', 60_000);
			ui.stdin.write(keys.escape);
			frame = await waitForText(ui.lastFrame, 'NAME');
			frame = await waitForFrame(ui.lastFrame, f => f.includes('2 snapshots') && !f.includes(`good (${good.repoPath}) has never passed`));
			expect(frame).toContain(`bad (${bad.repoPath}) has never passed a restore drill`);

			// H names each drill's repository by name and location.
			ui.stdin.write('H');
			frame = await waitForText(ui.lastFrame, 'drill history');
			expect(frame).toContain(`good (${good.repoPath.slice(0, 20)}`);

			// A drill of bad fails (its packs are gone): its failure becomes the banner above the list, before
			// every reminder, and bad's own detail says so.
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, 'NAME');
			ui.stdin.write('j');
			await waitForText(ui.lastFrame, `bad ${bad.repoPath}`);
			ui.stdin.write('d');
			await waitForText(ui.lastFrame, 'Press enter to start');
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, 'FAIL', 60_000);
			ui.stdin.write(keys.escape);
			frame = await waitForText(ui.lastFrame, /⚑ bad \(.*\)'s last restore drill FAILED on \d{4}-\d\d-\d\d/);
			expect(frame).not.toMatch(/⚑ .*never passed/);
		} finally {
			ui.unmount();
		}
	}, 180_000);

	test('a repository removed from the config file while resto runs leaves the list and its screen says so', async () => {
		const file = path.join(state, 'config.yaml');
		const yaml = (names: Array<[string, TestRepo]>) => `repositories:\n${names.map(([n, r]) => `  - name: ${n}\n    repository: ${r.repoPath}\n    passwordFile: ${r.passwordFile}\n`).join('')}`;
		writeFileSync(
			file,
			yaml([
				['good', good],
				['bad', bad],
			]),
		);
		const config = loadConfig({file, demo: false});
		const repos = new RepoRegistry(config.repositories, clientFor);
		const unwatch = watchConfig(file, repos, {intervalMs: 100});
		const ui = renderAt(<App config={config} theme={theme} clientFor={clientFor} repos={repos} />, 120, 30);
		try {
			await waitForText(ui.lastFrame, /\d snapshots?,/);
			ui.stdin.write(keys.down);
			await waitForText(ui.lastFrame, `bad ${bad.repoPath}`);
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, 'repositories › bad');
			writeFileSync(file, yaml([['good', good]]));
			await waitForText(ui.lastFrame, 'bad was removed from the configuration', 10_000);
			ui.stdin.write(keys.escape);
			const frame = await waitForFrame(ui.lastFrame, f => f.includes('good') && f.includes('NAME'));
			expect(frame).not.toContain(bad.repoPath);
			expect(frame).toContain('bad left the configuration');
			expect(repos.list().map(r => r.name)).toEqual(['good']);
		} finally {
			ui.unmount();
			unwatch();
			repos.dispose();
		}
	}, 60_000);
});
