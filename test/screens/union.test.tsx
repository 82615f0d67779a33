/** The all-files (union) tree and the restore plan screen, rendered in the real App against real restic. */
import {readdirSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {ResticCli} from '../../source/restic/client.js';
import {loadTheme} from '../../source/theme/load.js';
import {keys, renderAt, tick, waitForFrame, waitForText} from '../helpers/ink.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let src: string;
let config: Config;
let cwd: string;
const previousCwd = process.cwd();
const previousHome = process.env.HOME;

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'home');
	process.env.XDG_CACHE_HOME = path.join(repo.root, 'cache');
	writeTree(src, {'keep.txt': 'keep\n', 'notes/old.txt': 'old notes\n', 'notes/older.txt': 'older\n', 'gone.txt': 'gone\n'});
	repo.backup([src], {host: 'laptop', time: '2026-01-01 10:00:00'});
	rmSync(path.join(src, 'notes'), {recursive: true});
	rmSync(path.join(src, 'gone.txt'));
	writeTree(src, {'new.txt': 'new\n'});
	repo.backup([src], {host: 'laptop', time: '2026-01-02 10:00:00'});
	config = {repositories: [{name: 'local', access: repo.access}], backupSets: [], drill: {months: 3, files: 1}, source: 'file'};
	// The plan's default target is a new folder in the working directory.
	cwd = tempDir('resto-union-screen-cwd-');
	process.chdir(cwd);
	// Plans go to ~/resto-restore/plan-<time> by default: a home of this test's own.
	process.env.HOME = cwd;
});

afterAll(() => {
	process.chdir(previousCwd);
	rmSync(cwd, {recursive: true, force: true});
	process.env.HOME = previousHome;
	repo.cleanup();
});

describe('snapshot diff and disk usage screens (80×24)', () => {
	test('D compares the newest snapshot with the previous one; enter on a changed text file shows its diff; S shows sizes', async () => {
		writeTree(src, {'keep.txt': 'keep, edited\n'});
		repo.backup([src], {host: 'laptop', time: '2026-01-03 10:00:00'});
		const ui = renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} initialRoute={{name: 'snapshots', repo: 'local'}} />, 80, 24);
		try {
			await waitForText(ui.lastFrame, 'laptop');
			ui.stdin.write('D');
			let frame = await waitForFrame(ui.lastFrame, f => f.includes('keep.txt') && /in all .*~1/.test(f));
			expect(frame).toMatch(/M\s+keep\.txt/);
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, '+keep, edited');
			expect(frame).toContain('-keep');
			ui.stdin.write(keys.escape);
			await waitForFrame(ui.lastFrame, f => f.includes('in all') && !f.includes('+keep, edited'));
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, 'laptop');
			ui.stdin.write('S');
			frame = await waitForFrame(ui.lastFrame, f => f.includes('keep.txt') && f.includes('new.txt') && f.includes('SHARE'));
			expect(frame).toMatch(/13 B\s+76\.5%.*keep\.txt/);
		} finally {
			ui.unmount();
		}
	}, 120_000);
});

describe('all-files tree and restore plan (80×24)', () => {
	test('ghosts are marked; a deleted folder and a deleted file restore in one plan run', async () => {
		const ui = renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} initialRoute={{name: 'snapshots', repo: 'local'}} />, 80, 24);
		try {
			await waitForText(ui.lastFrame, 'laptop');
			ui.stdin.write('u');
			// Opens at the backed-up folder; deleted entries carry ✝ and when they went.
			let frame = await waitForFrame(ui.lastFrame, f => f.includes('new.txt') && f.includes('gone.txt'));
			expect(frame).toMatch(/✝ notes\/.*deleted after/);
			expect(frame).toMatch(/✝ gone\.txt/);
			expect(frame).not.toMatch(/✝ keep\.txt/);
			// Deleted only.
			ui.stdin.write('d');
			frame = await waitForFrame(ui.lastFrame, f => f.includes('deleted only') && !f.includes('keep.txt'));
			expect(frame).toContain('notes/');
			// Mark the folder (as last seen) and the file, then open the plan.
			ui.stdin.write(' ');
			await tick();
			ui.stdin.write(' ');
			frame = await waitForText(ui.lastFrame, '2 marked');
			ui.stdin.write('p');
			frame = await waitForText(ui.lastFrame, /2 items →/);
			await waitForFrame(ui.lastFrame, f => f.includes('GOES TO') && f.includes('resto-restore/plan-'));
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, /Restore 2 items/);
			ui.stdin.write('y');
			frame = await waitForText(ui.lastFrame, /2 of 2 restored into/, 60_000);
			expect(frame).toMatch(/restored .*notes.*2 files/);
			const target = readdirOne(cwd);
			expect(readFileSync(path.join(target, src, 'notes/older.txt'), 'utf8')).toBe('older\n');
			expect(readFileSync(path.join(target, src, 'gone.txt'), 'utf8')).toBe('gone\n');
		} finally {
			ui.unmount();
		}
	}, 120_000);
});

function readdirOne(dir: string): string {
	const entries = readdirSync(path.join(dir, 'resto-restore'));
	const plan = entries.filter(e => e.startsWith('plan-'));
	expect(plan).toHaveLength(1);
	return path.join(dir, 'resto-restore', plan[0]!);
}
