/**
 * A snapshot against the live files ("what changed since the last backup"), against real restic: the
 * library (every kind of change, odd names, an unreadable folder, cancel), `resto diff --live --json`
 * (the built CLI), and the TUI (L on a snapshot, enter on a changed text file shows its text diff).
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, rmSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {ResticCli} from '../../source/restic/client.js';
import type {DiffChange} from '../../source/restic/diff.js';
import {liveProcessCount} from '../../source/restic/run.js';
import {loadTheme} from '../../source/theme/load.js';
import {DiffTree} from '../../source/union/diff-tree.js';
import {excludedBy} from '../../source/union/exclude-match.js';
import {diffLive, excludesFor, goModeToUnix} from '../../source/union/live-diff.js';
import {cliPath} from '../e2e/tmux.js';
import {keys, renderAt, waitForFrame, waitForText} from '../helpers/ink.js';
import {makeRepo, resticTestEnv, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let src: string;
let xdg: string;
let snapId: string;
const invalidName = Buffer.from([...Buffer.from('bad-'), 0xff, 0xfe, ...Buffer.from('.bin')]);

beforeAll(() => {
	repo = makeRepo();
	xdg = tempDir('resto-live-xdg-');
	src = path.join(repo.root, 'home');
	writeTree(src, {
		'same.txt': 'unchanged\n',
		'edit.txt': 'line one\nline two\n',
		'touched.txt': 'same bytes\n',
		'mode.sh': 'echo hi\n',
		'gone.txt': 'deleted after the backup\n',
		'olddir/a.txt': 'a\n',
		'olddir/b.txt': 'b\n',
		thing: 'a file that becomes a folder\n',
		'new\nline.txt': 'odd name, unchanged\n',
		'-dash.txt': 'dash, will change\n',
		'sub/keep.txt': 'k\n',
	});
	writeFileSync(Buffer.concat([Buffer.from(`${src}/`), invalidName]), 'invalid UTF-8 name, unchanged\n');
	symlinkSync('same.txt', path.join(src, 'link'));
	// Fixed mtimes so the live walk compares against exactly what restic stored.
	const t = new Date('2026-01-01T09:00:00Z');
	for (const f of ['same.txt', 'edit.txt', 'touched.txt', 'mode.sh']) utimesSync(path.join(src, f), t, t);
	snapId = repo.backup([src], {host: 'laptop', time: '2026-01-01 10:00:00'});
	// After the backup: one of each kind of change.
	writeFileSync(path.join(src, 'edit.txt'), 'line one\nline 2, edited\n');
	const later = new Date('2026-01-02T09:00:00Z');
	utimesSync(path.join(src, 'touched.txt'), later, later);
	chmodSync(path.join(src, 'mode.sh'), 0o755);
	rmSync(path.join(src, 'gone.txt'));
	rmSync(path.join(src, 'olddir'), {recursive: true});
	rmSync(path.join(src, 'thing'));
	writeTree(src, {'thing/inside.txt': 'now a folder\n', 'added/one.txt': '1\n', 'added/two.txt': '2\n', 'fresh.txt': 'new file\n', '-dash.txt': 'dash, changed!\n'});
	rmSync(path.join(src, 'link'));
	symlinkSync('edit.txt', path.join(src, 'link'));
}, 120_000);

afterAll(() => {
	repo.cleanup();
	rmSync(xdg, {recursive: true, force: true});
});

async function live(signal?: AbortSignal): Promise<{changes: Map<string, DiffChange>; tree: DiffTree; stats: Awaited<ReturnType<typeof diffLive>>}> {
	const tree = new DiffTree();
	const changes = new Map<string, DiffChange>();
	const stats = await diffLive(
		new ResticCli(repo.access),
		{id: snapId, paths: [src]},
		{
			signal,
			onChange: c => {
				tree.add(c);
				changes.set(path.relative(src, c.path), c);
			},
		},
	);
	return {changes, tree, stats};
}

describe('snapshot against the live files', () => {
	test('added, removed, content, mtime, mode, type and link changes; unchanged odd names are not reported', async () => {
		const {changes, tree, stats} = await live();
		const mods = Object.fromEntries([...changes].filter(([p]) => p !== '').map(([p, c]) => [p, c.modifier]));
		expect(mods).toEqual({
			'edit.txt': 'M',
			'touched.txt': 'M',
			'mode.sh': 'U',
			'gone.txt': '-',
			olddir: '-',
			'olddir/a.txt': '-',
			'olddir/b.txt': '-',
			thing: 'T',
			'thing/inside.txt': '+',
			added: '+',
			'added/one.txt': '+',
			'added/two.txt': '+',
			'fresh.txt': '+',
			'-dash.txt': 'M',
			link: 'M',
		});
		// The backup root's own mtime moved (entries were added and removed): metadata only.
		expect(changes.get('')?.modifier).toBe('U');
		expect(tree.countsBelow(src)).toEqual({added: 5, removed: 4, changed: 5, metadata: 1});
		expect(tree.countsBelow(path.join(src, 'olddir'))).toEqual({added: 0, removed: 2, changed: 0, metadata: 0});
		expect(stats.unreadable).toBe(0);
		expect(stats.snapshotNodes).toBeGreaterThan(14);
	}, 60_000);

	// Root reads every folder whatever its mode: there is no unreadable folder to make.
	test.skipIf(process.getuid?.() === 0)(
		'an unreadable folder is counted, its own entry still compared',
		async () => {
			const locked = path.join(src, 'sub');
			chmodSync(locked, 0o000);
			try {
				const {changes, stats} = await live();
				expect(stats.unreadable).toBe(1);
				// Its own entry is still compared (lstat works); what is inside cannot be seen.
				expect(changes.get('sub')?.modifier).toBe('U');
			} finally {
				chmodSync(locked, 0o755);
			}
		},
		60_000,
	);

	test('a cancel stops restic and rejects', async () => {
		const controller = new AbortController();
		const running = live(controller.signal);
		controller.abort();
		await expect(running).rejects.toThrow();
		expect(liveProcessCount()).toBe(0);
	}, 60_000);

	test("the backup set's excludes are left out, not shown as added (patterns, excludeIfPresent, excludeCaches)", async () => {
		writeTree(src, {'node_modules/dep/x.js': 'x\n', 'build/out.o': 'o\n', 'build/keep.c': 'c\n', 'cachey/CACHEDIR.TAG': 'Signature: 8a477f597d28d172789f06886806bc55\n', 'cachey/blob': 'b\n', 'skipme/.nobackup': '', 'skipme/data': 'd\n'});
		try {
			const plain = await live();
			expect([...plain.changes.keys()]).toEqual(expect.arrayContaining(['node_modules', 'build/out.o', 'cachey/blob', 'skipme/data']));
			const tree = new DiffTree();
			const changes = new Map<string, string>();
			const stats = await diffLive(
				new ResticCli(repo.access),
				{id: snapId, paths: [src]},
				{
					exclude: excludesFor([{repository: 'local', paths: [src], exclude: ['node_modules', '*.o'], excludeIfPresent: ['.nobackup'], excludeCaches: true}], 'local', [src]),
					onChange: c => {
						tree.add(c);
						changes.set(path.relative(src, c.path), c.modifier);
					},
				},
			);
			expect(stats.excluded).toBe(4);
			for (const p of ['node_modules', 'node_modules/dep/x.js', 'build/out.o', 'cachey', 'cachey/blob', 'skipme', 'skipme/data']) expect(changes.has(p), p).toBe(false);
			expect(changes.get('build/keep.c')).toBe('+');
			// The rest is as before.
			expect(changes.get('edit.txt')).toBe('M');
			// A set of other paths or another repository does not apply.
			expect(excludesFor([{repository: 'local', paths: [`${src}/docs`], exclude: ['x']}], 'local', [src])).toBeUndefined();
			expect(excludesFor([{repository: 'other', paths: [src], exclude: ['x']}], 'local', [`${src}/`])).toBeUndefined();
		} finally {
			for (const d of ['node_modules', 'build', 'cachey', 'skipme']) rmSync(path.join(src, d), {recursive: true, force: true});
		}
	}, 60_000);

	test('restic exclude patterns: any depth unless anchored, ** folders, globs, a folder excludes what is below it', () => {
		const x = (pattern: string, p: string) => excludedBy(pattern, p);
		expect(x('*.o', '/h/src/a.o')).toBe(true);
		expect(x('*.o', '/h/src/a.c')).toBe(false);
		expect(x('node_modules', '/h/p/node_modules/react/index.js')).toBe(true);
		expect(x('/h/p', '/h/p/q')).toBe(true);
		expect(x('/p', '/h/p')).toBe(false);
		expect(x('h/**/cache', '/h/a/b/cache/x')).toBe(true);
		expect(x('h/**/cache', '/h/cache')).toBe(true);
		expect(x('file-[0-9].txt', '/a/file-7.txt')).toBe(true);
		expect(x('file-[^0-9].txt', '/a/file-7.txt')).toBe(false);
		expect(x('?.md', '/a/b.md')).toBe(true);
		expect(x('\\*.md', '/a/*.md')).toBe(true);
		expect(x('\\*.md', '/a/b.md')).toBe(false);
		expect(x('[abc', '/a/[abc')).toBe(false); // invalid: matches nothing
		expect(x('.cache/', '/h/.cache')).toBe(true);
	});

	test('Go file modes map to Unix permission bits', () => {
		expect(goModeToUnix(0o644)).toBe(0o644);
		expect(goModeToUnix(2147484141)).toBe(0o755); // a directory: ModeDir | 0755
		expect(goModeToUnix((1 << 23) | 0o755)).toBe(0o4755);
		expect(goModeToUnix((1 << 20) | (1 << 31) | 0o777)).toBe(0o1777);
	});

	test('resto diff A --live --json (built CLI); --live with two snapshots is a usage error', () => {
		const env: NodeJS.ProcessEnv = {...process.env};
		for (const k of Object.keys(env)) if (k.startsWith('RESTIC_') || k.startsWith('RESTO_')) delete env[k];
		Object.assign(env, {
			XDG_CONFIG_HOME: path.join(xdg, 'config'),
			XDG_CACHE_HOME: path.join(xdg, 'cache'),
			XDG_STATE_HOME: path.join(xdg, 'state'),
			XDG_DATA_HOME: path.join(xdg, 'data'),
			RESTIC_REPOSITORY: repo.repoPath,
			RESTIC_PASSWORD_FILE: repo.passwordFile,
			RESTIC_CACHE_DIR: resticTestEnv(repo.access).RESTIC_CACHE_DIR,
		});
		const run = (args: string[]) => spawnSync(process.execPath, [cliPath, ...args], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000});
		const r = run(['diff', snapId.slice(0, 8), '--live', '--json']);
		expect(r.status, r.stderr).toBe(0);
		const d = JSON.parse(r.stdout) as {source: string; target: string; statistics: {liveNodes: number}; changes: Array<{path: string; modifier: string}>; folders: Array<{path: string; added: number; removed: number}>};
		expect(d.source).toBe(snapId);
		expect(d.target).toBe('live');
		const mods = Object.fromEntries(d.changes.map(c => [path.relative(src, c.path), c.modifier]));
		expect(mods).toMatchObject({'edit.txt': 'M', 'gone.txt': '-', 'fresh.txt': '+', thing: 'T', 'mode.sh': 'U'});
		expect(mods['same.txt']).toBeUndefined();
		expect(d.folders.find(f => f.path === src)).toMatchObject({added: 5, removed: 4});
		// No snapshot of this host: latest falls back to the newest of any host, and says so.
		const latest = run(['diff', '--live']);
		expect(latest.status, latest.stderr).toBe(0);
		expect(latest.stderr).toContain('no snapshot of this host');
		expect(latest.stdout).toContain('to the live files');
		expect(latest.stdout).toMatch(/\+ .*fresh\.txt/);
		expect(run(['diff', snapId, snapId, '--live']).status).toBe(2);
	}, 120_000);

	test('TUI: L on a snapshot shows the live changes per folder; enter on a changed text file shows its text diff', async () => {
		process.env.XDG_CACHE_HOME = path.join(xdg, 'cache');
		const config: Config = {repositories: [{name: 'local', access: repo.access}], backupSets: [], drill: {months: 3, files: 1}, source: 'file'};
		const ui = renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} initialRoute={{name: 'snapshots', repo: 'local'}} />, 80, 24);
		try {
			await waitForText(ui.lastFrame, 'laptop');
			ui.stdin.write('L');
			let frame = await waitForFrame(ui.lastFrame, f => f.includes('live files') && f.includes('edit.txt') && !f.includes('reading the disk'));
			expect(frame).toMatch(/\+ +fresh\.txt/);
			expect(frame).toMatch(/- +gone\.txt/);
			expect(frame).toMatch(/T +thing/);
			// Folders first, then files by name: move down until edit.txt is selected, one row at a time
			// (each step waits for the cursor to move, so a slow frame never makes a key overshoot).
			const selectedRow = (f: string) => f.split('\n').find(l => l.startsWith('›')) ?? '';
			for (let i = 0; i < 20 && !/^›M +edit\.txt/.test(selectedRow(ui.lastFrame() ?? '')); i++) {
				const before = selectedRow(ui.lastFrame() ?? '');
				ui.stdin.write('j');
				await waitForFrame(ui.lastFrame, f => selectedRow(f) !== before);
			}
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, '+line 2, edited');
			expect(frame).toContain('-line two');
			expect(frame).toMatch(/→ live/);
		} finally {
			ui.unmount();
		}
	}, 120_000);
});
