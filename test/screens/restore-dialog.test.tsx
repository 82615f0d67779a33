/**
 * Folders are folders (search in both modes, the versions pane, the union tree), the restore dialog
 * (full default target in the home folder, an editable checked target, the original location after
 * listing what it replaces), and messages that stay: all against real restic repositories.
 */
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {ResticCli} from '../../source/restic/client.js';
import type {Route} from '../../source/screens/routes.js';
import {createAppStore} from '../../source/store/app-store.js';
import {loadTheme} from '../../source/theme/load.js';
import {keys, renderAt, tick, waitForFrame, waitForText} from '../helpers/ink.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

const ctrl = {o: '\u000F', g: '\u0007', u: '\u0015'};
let repo: TestRepo;
let src: string;
let home: string;
let snapshot: string;
const oldHome = process.env.HOME;
const theme = loadTheme('no-color', {});
const configFor = (r: TestRepo, extra: Partial<Config> = {}): Config => ({repositories: [{name: 'r', access: r.access}], backupSets: [], drill: {months: 3, files: 1}, source: 'file', ...extra});

function renderApp(initialRoute: Route, options: {config?: Config; columns?: number; rows?: number} = {}) {
	const store = createAppStore();
	const ui = renderAt(<App config={options.config ?? configFor(repo)} theme={theme} clientFor={r => new ResticCli(r.access)} initialRoute={initialRoute} store={store} />, options.columns ?? 100, options.rows ?? 30);
	return {...ui, store};
}

/** A frame (or text) without white space: paths wrap at any column, so compare them whole this way. */
const squeeze = (text: string) => text.replace(/\s+/g, '');

/** The one folder below home/resto-restore (the default target of a restore). */
function restoredFolders(): string[] {
	const root = path.join(home, 'resto-restore');
	return existsSync(root) ? readdirSync(root) : [];
}

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'src');
	writeTree(src, {'projects/site/index.html': '<h1>hi</h1>\n', 'projects/site/css/style.css': 'body {}\n', 'projects/notes.txt': 'notes v1\n'});
	snapshot = repo.backup([src], {host: 'laptop'});
	process.env.XDG_CACHE_HOME = path.join(repo.root, 'cache');
});
afterAll(() => {
	process.env.HOME = oldHome;
	repo.cleanup();
});
afterEach(() => {
	rmSync(home, {recursive: true, force: true});
	process.env.HOME = oldHome;
});
// Each test gets its own home: the default target is ~/resto-restore.
const freshHome = () => {
	home = tempDir('resto-dialog-home-');
	process.env.HOME = home;
};

describe('folders are folders', () => {
	test('search: Enter on a folder opens the tree at it; ^O restores the whole folder into ~/resto-restore, listing every file', async () => {
		freshHome();
		const ui = renderApp({name: 'search', repo: 'r'});
		try {
			await waitForText(ui.lastFrame, /1 snapshot indexed/);
			ui.stdin.write('site');
			await waitForText(ui.lastFrame, /^[›\s]+projects\/site +dir/m);
			ui.stdin.write(keys.enter);
			let frame = await waitForText(ui.lastFrame, `search › ${snapshot.slice(0, 8)}`);
			frame = await waitForText(ui.lastFrame, 'index.html');
			expect(frame).toContain('css/');
			expect(frame).toContain(`${snapshot.slice(0, 8)} ${src}/projects/site`);
			expect(frame).not.toMatch(/00000000|ustar/);
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, 'search: site');
			ui.stdin.write(ctrl.o);
			frame = await waitForText(ui.lastFrame, 'Restore folder');
			expect(squeeze(frame)).toContain(squeeze(`${src}/projects/site/`));
			// The full default target, in the home folder (wrapped, so compare without line breaks).
			const flat = squeeze(frame);
			expect(flat).toMatch(new RegExp(`Into:${home}/resto-restore/${snapshot.slice(0, 8)}-\\d{8}-\\d{6}/`));
			expect(frame).toContain('✓ a new folder, created for this restore');
			expect(frame).toContain('o original place');
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, /Restored 2 files .*size verified/);
			const [folder] = restoredFolders();
			expect(folder).toMatch(new RegExp(`^${snapshot.slice(0, 8)}-\\d{8}-\\d{6}$`));
			const base = path.join(home, 'resto-restore', folder!);
			expect(readFileSync(path.join(base, src, 'projects/site/css/style.css'), 'utf8')).toBe('body {}\n');
			expect(readFileSync(path.join(base, src, 'projects/site/index.html'), 'utf8')).toBe('<h1>hi</h1>\n');
			expect(existsSync(path.join(base, '.resto-incomplete'))).toBe(false);
			// The full path of each restored file is listed (the list row shows the file names at the end).
			expect(frame).toMatch(/css\/style\.css/);
			expect(frame).toMatch(/site\/index\.html/);
			expect(frame).toContain('2 restored paths');
			// A notice tells where, in full.
			expect(ui.store.getState().notice?.text).toBe(`Restored 2 files (20 B, size verified) to ${path.join(base, src, 'projects/site')}`);
		} finally {
			ui.unmount();
		}
	}, 60_000);

	test('versions pane and restic find mode: Enter on a folder opens the tree, not a dump', async () => {
		freshHome();
		const ui = renderApp({name: 'search', repo: 'r'});
		try {
			await waitForText(ui.lastFrame, /1 snapshot indexed/);
			ui.stdin.write('site');
			await waitForText(ui.lastFrame, /^[›\s]+projects\/site +dir/m);
			await waitForText(ui.lastFrame, /1 version in 1 snapshot/);
			ui.stdin.write(keys.tab);
			await waitForText(ui.lastFrame, '^E diff');
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, `search › ${snapshot.slice(0, 8)}`);
			await waitForText(ui.lastFrame, `${snapshot.slice(0, 8)} ${src}/projects/site`);
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, 'search: site');
			// restic find mode (^G): restic's own result, typed "dir".
			ui.stdin.write('/');
			await waitForText(ui.lastFrame, 'esc leave field');
			ui.stdin.write(ctrl.g);
			await waitForText(ui.lastFrame, 'restic find mode (globs)');
			await waitForText(ui.lastFrame, /[1-9]\d* paths? in \d+ ms/);
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, `search › ${snapshot.slice(0, 8)}`);
			const frame = await waitForText(ui.lastFrame, 'css/');
			expect(frame).toContain(`${snapshot.slice(0, 8)} ${src}/projects/site`);
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, 'find (glob): site');
			ui.stdin.write(ctrl.o);
			await waitForText(ui.lastFrame, 'Restore folder');
		} finally {
			ui.unmount();
		}
	}, 60_000);

	test('tree and union tree: r on a folder opens the restore dialog for the whole folder; an empty folder opens as a folder', async () => {
		freshHome();
		const r2 = makeRepo();
		try {
			const s2 = path.join(r2.root, 'src');
			writeTree(s2, {'a/file.txt': 'x\n'});
			mkdirSync(path.join(s2, 'empty'));
			r2.backup([s2]);
			const ui = renderApp({name: 'union', repo: 'r', dir: s2}, {config: configFor(r2)});
			try {
				let frame = await waitForText(ui.lastFrame, 'empty');
				// Rows are sorted: a/ then empty/. Go to the empty folder and open it.
				ui.stdin.write('j');
				await tick(50);
				ui.stdin.write(keys.enter);
				frame = await waitForFrame(ui.lastFrame, f => f.includes(`${s2}/empty`) && !f.includes('file.txt'));
				expect(frame).not.toMatch(/ustar|reading the file/);
				ui.stdin.write(keys.left);
				await waitForText(ui.lastFrame, 'a/');
				ui.stdin.write('k');
				await tick(50);
				ui.stdin.write('r');
				frame = await waitForText(ui.lastFrame, 'Restore folder');
				expect(squeeze(frame)).toContain(squeeze(`${s2}/a/`));
			} finally {
				ui.unmount();
			}
			const tree = renderApp({name: 'tree', repo: 'r', snapshotId: r2.restic(['snapshots', '--json']).match(/"id":"([0-9a-f]{64})"/)![1]!, dir: s2}, {config: configFor(r2)});
			try {
				await waitForText(tree.lastFrame, 'a/');
				tree.stdin.write('r');
				const frame = await waitForText(tree.lastFrame, 'Restore folder');
				expect(squeeze(frame)).toContain(squeeze(`${s2}/a/`));
			} finally {
				tree.unmount();
			}
		} finally {
			r2.cleanup();
		}
	}, 60_000);
});

describe('the restore dialog', () => {
	test('the target is editable and checked: a file, a folder that already holds the item, then a new folder that is created', async () => {
		freshHome();
		const file = path.join(home, 'a-file');
		writeFileSync(file, 'x');
		const holder = path.join(home, 'holder');
		mkdirSync(path.join(holder, src, 'projects'), {recursive: true});
		writeFileSync(path.join(holder, src, 'projects/notes.txt'), 'mine\n');
		const ui = renderApp({name: 'restore', repo: 'r', snapshotId: snapshot, path: `${src}/projects/notes.txt`, dir: false});
		try {
			await waitForText(ui.lastFrame, 'Restore file');
			const edit = async (text: string) => {
				ui.stdin.write('e');
				await waitForText(ui.lastFrame, 'use this folder');
				ui.stdin.write(ctrl.u);
				ui.stdin.write(text);
				await waitForText(ui.lastFrame, text.slice(-12));
				ui.stdin.write(keys.enter);
				await waitForFrame(ui.lastFrame, f => !f.includes('use this folder'));
			};
			await edit(file);
			let frame = await waitForText(ui.lastFrame, `✗ ${file} exists and is not a folder`);
			// Enter is refused, and says why.
			ui.stdin.write(keys.enter);
			await waitForFrame(ui.lastFrame, () => ui.store.getState().notice?.text === `enter (restore into the folder shown): ${file} exists and is not a folder`);
			await edit(holder);
			frame = await waitForText(ui.lastFrame, 'already exists:');
			expect(squeeze(frame)).toContain(squeeze(`✗ ${path.join(holder, src, 'projects/notes.txt')} already exists: restoring there would replace it`));
			expect(readFileSync(path.join(holder, src, 'projects/notes.txt'), 'utf8')).toBe('mine\n');
			// ~ is the home folder; a missing folder is created.
			await edit('~/picked/here');
			frame = await waitForText(ui.lastFrame, '✓ a new folder, created for this restore');
			expect(squeeze(frame)).toContain(squeeze(`Into: ${home}/picked/here`));
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, /Restored 1 file/);
			expect(readFileSync(path.join(home, 'picked/here', src, 'projects/notes.txt'), 'utf8')).toBe('notes v1\n');
			expect(restoredFolders()).toEqual([]);
		} finally {
			ui.unmount();
		}
	}, 60_000);

	test('a configured restoreTarget is the default folder', async () => {
		freshHome();
		const configured = path.join(home, 'restores-go-here');
		const ui = renderApp({name: 'restore', repo: 'r', snapshotId: snapshot, path: `${src}/projects/notes.txt`, dir: false}, {config: configFor(repo, {restoreTarget: configured})});
		try {
			const frame = await waitForText(ui.lastFrame, 'Restore file');
			expect(squeeze(frame)).toContain(squeeze(`Into: ${configured}/${snapshot.slice(0, 8)}-`));
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, /Restored 1 file/);
			expect(readdirSync(configured)).toHaveLength(1);
		} finally {
			ui.unmount();
		}
	}, 60_000);

	test('original location: lists what differs, asks y/n; n changes nothing, y puts the snapshot back', async () => {
		freshHome();
		const r2 = makeRepo();
		try {
			const s2 = path.join(r2.root, 'live');
			writeTree(s2, {'doc/a.txt': 'snapshot a\n', 'doc/b.txt': 'same b\n', 'doc/gone.txt': 'was here\n'});
			const snap = r2.backup([s2]);
			writeFileSync(path.join(s2, 'doc/a.txt'), 'edited a, longer\n');
			rmSync(path.join(s2, 'doc/gone.txt'));
			const ui = renderApp({name: 'restore', repo: 'r', snapshotId: snap, path: `${s2}/doc`, dir: true}, {config: configFor(r2), columns: 80, rows: 24});
			try {
				await waitForText(ui.lastFrame, 'Restore folder');
				ui.stdin.write('o');
				let frame = await waitForText(ui.lastFrame, '(y/n)');
				expect(squeeze(frame)).toContain(squeeze(`To the original location: ${s2}/doc`));
				expect(squeeze(frame)).toContain(squeeze('2 existing files would be replaced (1 differs from the snapshot, 1 identical); 1 missing (created).'));
				expect(frame).toMatch(new RegExp(`differs +${s2}/doc/a\\.txt`));
				expect(frame).toMatch(new RegExp(`same +${s2}/doc/b\\.txt`));
				expect(frame).toContain('y replace them');
				expect(frame).toContain('n no, keep them');
				ui.stdin.write('n');
				await waitForText(ui.lastFrame, 'o: restore to the original location instead');
				expect(readFileSync(path.join(s2, 'doc/a.txt'), 'utf8')).toBe('edited a, longer\n');
				ui.stdin.write('o');
				await waitForText(ui.lastFrame, '(y/n)');
				ui.stdin.write('y');
				frame = await waitForText(ui.lastFrame, /Restored 3 files .* to the original location/);
				expect(squeeze(frame)).toContain(squeeze(`at ${s2}/doc`));
				expect(readFileSync(path.join(s2, 'doc/a.txt'), 'utf8')).toBe('snapshot a\n');
				expect(readFileSync(path.join(s2, 'doc/gone.txt'), 'utf8')).toBe('was here\n');
				// No staging folder is left next to the item, nothing in ~/resto-restore.
				expect(readdirSync(s2)).toEqual(['doc']);
				expect(restoredFolders()).toEqual([]);
			} finally {
				ui.unmount();
			}
		} finally {
			r2.cleanup();
		}
	}, 60_000);

	test('original location never writes through a symbolic link: refused before restic runs, y does nothing', async () => {
		freshHome();
		const r2 = makeRepo();
		try {
			const s2 = path.join(r2.root, 'live');
			writeTree(s2, {'doc/secret.txt': 'from the snapshot\n'});
			const snap = r2.backup([s2]);
			const outside = path.join(r2.root, 'outside.txt');
			writeFileSync(outside, 'not yours\n');
			rmSync(path.join(s2, 'doc/secret.txt'));
			symlinkSync(outside, path.join(s2, 'doc/secret.txt'));
			const ui = renderApp({name: 'restore', repo: 'r', snapshotId: snap, path: `${s2}/doc`, dir: true}, {config: configFor(r2)});
			try {
				await waitForText(ui.lastFrame, 'Restore folder');
				ui.stdin.write('o');
				const frame = await waitForText(ui.lastFrame, 'Refused:');
				expect(squeeze(frame)).toContain(squeeze(`${s2}/doc/secret.txt is a symbolic link on disk`));
				expect(frame).not.toContain('(y/n)');
				// y is refused and says why (a disabled key's reason is the notice).
				ui.stdin.write('y');
				await waitForFrame(ui.lastFrame, () => /^y \(confirm\): .*is a symbolic link on disk/.test(ui.store.getState().notice?.text ?? ''));
				expect(readFileSync(outside, 'utf8')).toBe('not yours\n');
				expect(ui.lastFrame()).not.toContain('Restored');
			} finally {
				ui.unmount();
			}
		} finally {
			r2.cleanup();
		}
	}, 60_000);
});

describe('messages that stay', () => {
	test('a failed restore: the error names the .resto-incomplete marker, stays past the fade time until esc, and ! lists every message with time and level', async () => {
		freshHome();
		const r2 = makeRepo();
		try {
			const s2 = path.join(r2.root, 'src');
			writeTree(s2, {'big.bin': randomBytes(256 * 1024)});
			const snap = r2.backup([s2]);
			// The file's data is gone (a damaged repository): restic packs data and trees apart, so the big
			// pack holds the file's content and the listing still works; the restore fails.
			let removed = 0;
			for (const dir of readdirSync(path.join(r2.repoPath, 'data'))) {
				for (const pack of readdirSync(path.join(r2.repoPath, 'data', dir))) {
					const p = path.join(r2.repoPath, 'data', dir, pack);
					if (statSync(p).size > 128 * 1024) {
						rmSync(p);
						removed++;
					}
				}
			}
			expect(removed).toBe(1);
			const ui = renderApp({name: 'restore', repo: 'r', snapshotId: snap, path: `${s2}/big.bin`, dir: false}, {config: configFor(r2)});
			try {
				await waitForText(ui.lastFrame, 'Restore file');
				ui.stdin.write(keys.enter);
				let frame = await waitForText(ui.lastFrame, /Restore of .* failed/);
				const [folder] = restoredFolders();
				const marker = path.join(home, 'resto-restore', folder!, '.resto-incomplete');
				expect(existsSync(marker)).toBe(true);
				const notice = ui.store.getState().notice!;
				expect(notice.level).toBe('error');
				expect(notice.text).toContain(`It left a .resto-incomplete marker: ${marker}`);
				expect(frame).toContain('esc dismiss');
				// Past the 6 s an info notice stays: the error is still there.
				await tick(6500);
				frame = ui.lastFrame()!;
				expect(ui.store.getState().notice?.seq).toBe(notice.seq);
				expect(frame).toContain('esc dismiss');
				// Esc dismisses it (and does not go back: the dialog is still shown).
				ui.stdin.write(keys.escape);
				frame = await waitForFrame(ui.lastFrame, f => !f.includes('esc dismiss'));
				expect(ui.store.getState().notice).toBeUndefined();
				expect(frame).toContain('Restore file');
				// The notices view lists it, newest first, with time and level.
				ui.stdin.write('!');
				frame = await waitForText(ui.lastFrame, /messages? since resto started, newest first/);
				expect(frame).toMatch(/\d\d:\d\d:\d\d error +Restore of /);
				expect(frame).toContain('.resto-incomplete');
				// The next Esc goes back.
				ui.stdin.write(keys.escape);
				await waitForText(ui.lastFrame, 'Restore file');
			} finally {
				ui.unmount();
			}
		} finally {
			r2.cleanup();
		}
	}, 60_000);

	test('info notices fade; a newer notice replaces an error; the log keeps all, newest first, and scrolls', async () => {
		freshHome();
		const ui = renderApp({name: 'notices'}, {columns: 60, rows: 15});
		try {
			await waitForText(ui.lastFrame, 'No messages since resto started.');
			ui.store.dispatch({type: 'notice', text: 'first, an error', level: 'error'});
			ui.store.dispatch({type: 'notice', text: 'then some info', level: 'info'});
			expect(ui.store.getState().notice?.text).toBe('then some info');
			for (let i = 0; i < 20; i++) ui.store.dispatch({type: 'notice', text: `message number ${i} with enough words to wrap onto a second row at sixty columns`, level: 'warn'});
			let frame = await waitForText(ui.lastFrame, '22 messages since resto started');
			expect(frame.split('\n')[2]).toMatch(/\d\d:\d\d:\d\d warn +message number 19/);
			ui.stdin.write('G');
			frame = await waitForText(ui.lastFrame, 'first, an error');
			expect(frame).toMatch(/error +first, an error/);
			expect(frame).toMatch(/info +then some info/);
			ui.stdin.write('g');
			await waitForText(ui.lastFrame, 'message number 19');
		} finally {
			ui.unmount();
		}
	}, 30_000);
});
