/**
 * Marks from every screen into one restore plan, against real restic, in the real App at 80×24:
 * a version picked in a file's timeline (opened with Enter from the all-files tree), a search result,
 * a folder of a snapshot's tree; the count in the header on every screen; P opens the plan, X clears;
 * r on a ghost folder opens the restore dialog for the whole folder as last seen.
 */
import {readdirSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {ResticCli} from '../../source/restic/client.js';
import {loadTheme} from '../../source/theme/load.js';
import {clearAllMarks} from '../../source/union/marks.js';
import {keys, renderAt, tick, waitForFrame, waitForText} from '../helpers/ink.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let src: string;
let config: Config;
let cwd: string;
const snap: Record<string, string> = {};
const previousCwd = process.cwd();

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'home');
	process.env.XDG_CACHE_HOME = path.join(repo.root, 'cache');
	writeTree(src, {'a.txt': 'version one\n', 'b.txt': 'bee\n', 'dir/c.txt': 'sea\n', 'old/x.txt': 'x\n', 'old/y.txt': 'why\n'});
	snap.s1 = repo.backup([src], {host: 'laptop', time: '2026-01-01 10:00:00'});
	writeTree(src, {'a.txt': 'version two\n'});
	rmSync(path.join(src, 'b.txt'));
	rmSync(path.join(src, 'old'), {recursive: true});
	snap.s2 = repo.backup([src], {host: 'laptop', time: '2026-01-02 10:00:00'});
	writeTree(src, {'a.txt': 'version three\n', 'dir/c.txt': 'sea, edited\n'});
	snap.s3 = repo.backup([src], {host: 'laptop', time: '2026-01-03 10:00:00'});
	cwd = tempDir('resto-marks-cwd-');
	config = {repositories: [{name: 'local', access: repo.access}], backupSets: [], drill: {months: 3, files: 1}, source: 'file', restoreTarget: cwd};
	process.chdir(cwd);
});

afterEach(() => {
	clearAllMarks();
	for (const e of readdirSync(cwd)) rmSync(path.join(cwd, e), {recursive: true, force: true});
});

afterAll(() => {
	process.chdir(previousCwd);
	rmSync(cwd, {recursive: true, force: true});
	repo.cleanup();
});

const app = () => renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} initialRoute={{name: 'snapshots', repo: 'local'}} />, 80, 24);
const headerOf = (frame: string) => frame.split('\n')[0]!;

describe('marks on every screen, one plan (80×24)', () => {
	test('a timeline version, a search result and a snapshot folder restore together, each from its snapshot', async () => {
		const ui = app();
		try {
			await waitForText(ui.lastFrame, 'laptop');
			// All-files tree: rows are dir/, old/ (ghost), a.txt, b.txt (ghost). Enter on a.txt opens its timeline.
			ui.stdin.write('u');
			await waitForFrame(ui.lastFrame, f => f.includes('a.txt') && f.includes('b.txt'));
			ui.stdin.write('jj');
			await tick();
			ui.stdin.write(keys.enter);
			let frame = await waitForText(ui.lastFrame, /3 versions in 3 snapshots/);
			expect(frame).toContain('in the latest snapshot');
			expect(frame).toContain('versions of a.txt');
			// d: the newest version against the one before it, as a text diff.
			ui.stdin.write('d');
			frame = await waitForText(ui.lastFrame, '+version three');
			expect(frame).toContain('-version two');
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, /3 versions in 3 snapshots/);
			// The oldest version: preview it, then mark it.
			ui.stdin.write('jj');
			await tick();
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, 'version one');
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, /3 versions in 3 snapshots/);
			ui.stdin.write(' ');
			frame = await waitForFrame(ui.lastFrame, f => headerOf(f).includes('1 marked'));
			expect(frame).toContain(`marked from ${snap.s1!.slice(0, 8)}`);
			expect(headerOf(frame)).toContain('P plan');
			// Back to the snapshots; the count stays in the header.
			ui.stdin.write(keys.escape);
			frame = await waitForFrame(ui.lastFrame, f => f.includes('all files') && !f.includes('versions of'));
			// The union tree shows the mark as ○: marked, but in an older version than the row's.
			expect(frame).toMatch(/○ +a\.txt/);
			ui.stdin.write(keys.escape);
			frame = await waitForFrame(ui.lastFrame, f => f.includes('laptop') && !f.includes('all files'));
			expect(headerOf(frame)).toContain('1 marked');
			// Search: b.txt (deleted after s1); leave the query field, space marks its newest version.
			ui.stdin.write('s');
			await waitForText(ui.lastFrame, 'search:');
			ui.stdin.write('b.txt');
			await waitForText(ui.lastFrame, /deleted after/);
			ui.stdin.write(keys.escape);
			await tick();
			ui.stdin.write(' ');
			frame = await waitForFrame(ui.lastFrame, f => headerOf(f).includes('2 marked'));
			expect(frame).toMatch(/●\S*b\.txt/);
			ui.stdin.write(keys.escape);
			await waitForFrame(ui.lastFrame, f => f.includes('laptop') && !f.includes('search:'));
			// The newest snapshot's tree: mark dir/ (as it is in s3).
			ui.stdin.write(keys.enter);
			await waitForFrame(ui.lastFrame, f => f.includes('dir/') && f.includes('a.txt') && /listed in/.test(f));
			ui.stdin.write(' ');
			frame = await waitForFrame(ui.lastFrame, f => headerOf(f).includes('3 marked'));
			expect(frame).toMatch(/● ▸ dir\//);
			// P from any screen opens the plan: what comes from which snapshot.
			ui.stdin.write('P');
			frame = await waitForFrame(ui.lastFrame, f => /3 items →/.test(f) && f.includes('GOES TO') && f.includes(path.basename(cwd)));
			expect(frame).toContain(`${snap.s1!.slice(0, 8)}`);
			expect(frame).toContain(`${snap.s3!.slice(0, 8)}`);
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, /Restore 3 items/);
			ui.stdin.write('y');
			frame = await waitForText(ui.lastFrame, /3 of 3 restored into/, 60_000);
			expect(frame).toMatch(/restored .*verified/);
			// Restored items leave the marks.
			expect(headerOf(frame)).not.toContain('marked');
			const target = onlyPlanFolder();
			expect(readFileSync(path.join(target, src, 'a.txt'), 'utf8')).toBe('version one\n');
			expect(readFileSync(path.join(target, src, 'b.txt'), 'utf8')).toBe('bee\n');
			expect(readFileSync(path.join(target, src, 'dir/c.txt'), 'utf8')).toBe('sea, edited\n');
		} finally {
			ui.unmount();
		}
	}, 180_000);

	test('X clears every mark after asking; r on a ghost folder opens the restore dialog for the whole folder as last seen', async () => {
		const ui = app();
		try {
			await waitForText(ui.lastFrame, 'laptop');
			ui.stdin.write('u');
			await waitForFrame(ui.lastFrame, f => f.includes('old/') && f.includes('b.txt'));
			ui.stdin.write(' ');
			await tick();
			ui.stdin.write(' ');
			await waitForFrame(ui.lastFrame, f => headerOf(f).includes('2 marked'));
			ui.stdin.write('X');
			await waitForText(ui.lastFrame, 'Clear 2 marks?');
			ui.stdin.write('y');
			let frame = await waitForText(ui.lastFrame, '2 marks cleared.');
			expect(headerOf(frame)).not.toContain('marked');
			// X with nothing marked says so.
			ui.stdin.write('X');
			await waitForText(ui.lastFrame, 'nothing marked');
			// Marking moved the cursor to the third row; old/ is the second (a ghost folder): r restores it whole, as last seen in s1.
			ui.stdin.write('k');
			await tick();
			ui.stdin.write('r');
			// The restore dialog: the whole folder as it was in s1, into a new folder below the configured target.
			frame = await waitForText(ui.lastFrame, /old/);
			await waitForText(ui.lastFrame, snap.s1!.slice(0, 8));
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, /Restored 2 files/, 60_000);
			const restored = readdirSync(cwd).filter(e => e.startsWith(snap.s1!.slice(0, 8)));
			expect(restored).toHaveLength(1);
			const target = path.join(cwd, restored[0]!);
			expect(readFileSync(path.join(target, src, 'old/x.txt'), 'utf8')).toBe('x\n');
			expect(readFileSync(path.join(target, src, 'old/y.txt'), 'utf8')).toBe('why\n');
		} finally {
			ui.unmount();
		}
	}, 120_000);
});

function onlyPlanFolder(): string {
	const plan = readdirSync(cwd).filter(e => e.startsWith('plan-'));
	expect(plan).toHaveLength(1);
	return path.join(cwd, plan[0]!);
}
