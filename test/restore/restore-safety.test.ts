/**
 * A restore never writes outside its target (real restic 0.14). Each case keeps a sentinel file OUTSIDE
 * the target and checks it is byte-identical afterwards.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {ResticCli} from '../../source/restic/client.js';
import {isIncompleteRestore, RestoreConflictError, RestoreLinkError, RestoreTargetError, restorePath} from '../../source/restore/restore.js';
import {cliPath} from '../e2e/tmux.js';
import {makeRepo, resticTestEnv, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let client: ResticCli;
let src: string;
let linkSrc: string;
/** Snapshot of src: a.txt, sub/b.txt. */
let snap: string;
/** Snapshot where linkSrc/d is a symbolic link to the outside folder. */
let snapLink: string;
/** Snapshot where linkSrc/d is a folder holding f.txt. */
let snapDir: string;
let work: string;
let outside: string;
const sentinel = 'SENTINEL: must never change\n';

beforeAll(() => {
	repo = makeRepo();
	client = new ResticCli(repo.access);
	src = path.join(repo.root, 'src');
	writeTree(src, {'a.txt': 'restored a\n', 'sub/b.txt': 'restored b\n'});
	snap = repo.backup([src]);
	outside = path.join(repo.root, 'outside');
	linkSrc = path.join(repo.root, 'linksrc');
	mkdirSync(linkSrc);
	symlinkSync(outside, path.join(linkSrc, 'd'));
	snapLink = repo.backup([linkSrc]);
	rmSync(path.join(linkSrc, 'd'));
	writeTree(linkSrc, {'d/f.txt': 'restored f\n'});
	snapDir = repo.backup([linkSrc]);
}, 60_000);

afterAll(() => repo.cleanup());

let cleanups: Array<() => void> = [];
afterEach(() => {
	for (const c of cleanups.reverse()) c();
	cleanups = [];
});

/** A fresh work folder and an outside folder with sentinel files named like the restored ones. */
function setup(): {target: string} {
	work = tempDir('resto-restore-safety-');
	cleanups.push(() => rmSync(work, {recursive: true, force: true}));
	rmSync(outside, {recursive: true, force: true});
	writeTree(outside, {'sentinel.txt': sentinel, 'b.txt': sentinel, 'f.txt': sentinel, 'a.txt': sentinel});
	return {target: path.join(work, 'target')};
}

function outsideUnchanged(): void {
	expect(readdirSync(outside).sort()).toEqual(['a.txt', 'b.txt', 'f.txt', 'sentinel.txt']);
	for (const name of readdirSync(outside)) expect(readFileSync(path.join(outside, name), 'utf8'), name).toBe(sentinel);
}

async function expectLinkRefusal(promise: Promise<unknown>, link: string): Promise<RestoreLinkError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(RestoreLinkError);
	const e = error as RestoreLinkError;
	expect(e.link).toBe(link);
	expect(e.pointsTo).toBe(readlinkSync(link));
	expect(e.message).toContain(`${link} is a symbolic link to ${readlinkSync(link)}`);
	return e;
}

describe('restore and symbolic links already in the target (real restic)', () => {
	test('control: plain restic 0.14 does write through such a link (so the cases below can fail)', () => {
		const {target} = setup();
		mkdirSync(path.join(target, src), {recursive: true});
		symlinkSync(path.join(outside, 'a.txt'), path.join(target, src, 'a.txt'));
		execFileSync('restic', ['restore', snap, '--target', target, '--include', path.join(src, 'a.txt')], {env: resticTestEnv(repo.access), stdio: 'ignore'});
		expect(readFileSync(path.join(outside, 'a.txt'), 'utf8')).toBe('restored a\n');
	});

	test('a symlink named like a restored file: refused before restic runs, with and without --overwrite', async () => {
		const {target} = setup();
		mkdirSync(path.join(target, src), {recursive: true});
		const link = path.join(target, src, 'a.txt');
		symlinkSync(path.join(outside, 'a.txt'), link);
		await expectLinkRefusal(restorePath(client, {snapshotId: snap, path: path.join(src, 'a.txt'), target}), link);
		await expectLinkRefusal(restorePath(client, {snapshotId: snap, path: path.join(src, 'a.txt'), target, overwrite: true}), link);
		await expectLinkRefusal(restorePath(client, {snapshotId: snap, path: src, target, overwrite: true}), link);
		outsideUnchanged();
		expect(readdirSync(target).filter(n => n.startsWith('.resto-staging-'))).toEqual([]);
	});

	test('a dangling symlink named like a restored file is refused too (it would create a file outside)', async () => {
		const {target} = setup();
		mkdirSync(path.join(target, src), {recursive: true});
		const link = path.join(target, src, 'a.txt');
		symlinkSync(path.join(outside, 'new.txt'), link);
		await expectLinkRefusal(restorePath(client, {snapshotId: snap, path: path.join(src, 'a.txt'), target}), link);
		expect(existsSync(path.join(outside, 'new.txt'))).toBe(false);
		outsideUnchanged();
	});

	test('a sub-folder of the target that is a symlink: refused, with and without --overwrite', async () => {
		const {target} = setup();
		mkdirSync(path.join(target, src), {recursive: true});
		const link = path.join(target, src, 'sub');
		symlinkSync(outside, link);
		await expectLinkRefusal(restorePath(client, {snapshotId: snap, path: path.join(src, 'sub', 'b.txt'), target}), link);
		await expectLinkRefusal(restorePath(client, {snapshotId: snap, path: path.join(src, 'sub', 'b.txt'), target, overwrite: true}), link);
		await expectLinkRefusal(restorePath(client, {snapshotId: snap, path: src, target, overwrite: true}), link);
		// A linked folder higher up (the snapshot's own path) is caught the same way.
		rmSync(path.join(target), {recursive: true});
		mkdirSync(path.join(target, path.dirname(src)), {recursive: true});
		symlinkSync(outside, path.join(target, src));
		await expectLinkRefusal(restorePath(client, {snapshotId: snap, path: path.join(src, 'a.txt'), target, overwrite: true}), path.join(target, src));
		outsideUnchanged();
	});

	test('restoring twice where the first restore created a symlink and the second has a file below it', async () => {
		const {target} = setup();
		// First restore: linkSrc/d is a link to the outside folder (a correct restore of a link).
		const first = await restorePath(client, {snapshotId: snapLink, path: linkSrc, target});
		expect(first.files).toBe(1);
		const link = path.join(target, linkSrc, 'd');
		expect(lstatSync(link).isSymbolicLink()).toBe(true);
		expect(readlinkSync(link)).toBe(outside);
		// Second restore: in that snapshot d is a folder with f.txt; restic 0.14 would write outside/f.txt.
		await expectLinkRefusal(restorePath(client, {snapshotId: snapDir, path: linkSrc, target, overwrite: true}), link);
		await expectLinkRefusal(restorePath(client, {snapshotId: snapDir, path: path.join(linkSrc, 'd', 'f.txt'), target}), link);
		await expectLinkRefusal(restorePath(client, {snapshotId: snapDir, path: path.join(linkSrc, 'd', 'f.txt'), target, overwrite: true}), link);
		await expectLinkRefusal(restorePath(client, {snapshotId: snapDir, path: path.join(linkSrc, 'd'), target, overwrite: true}), link);
		// Without --overwrite too: the link is named (more useful than "already exists").
		await expectLinkRefusal(restorePath(client, {snapshotId: snapDir, path: linkSrc, target}), link);
		outsideUnchanged();
		expect(isIncompleteRestore(target)).toBe(false);
	});

	test('restoring the link and then the folder version into new folders both work', async () => {
		setup();
		const a = await restorePath(client, {snapshotId: snapLink, path: linkSrc, target: path.join(work, 'x'), newFolder: true});
		const b = await restorePath(client, {snapshotId: snapDir, path: linkSrc, target: path.join(work, 'x'), newFolder: true});
		expect(b.target).toBe(`${a.target}-2`);
		expect(readFileSync(path.join(b.restoredPath, 'd', 'f.txt'), 'utf8')).toBe('restored f\n');
		outsideUnchanged();
	});

	test('the target itself a symlink: resolved once, explicitly, and reported', async () => {
		const {target} = setup();
		const real = path.join(work, 'real');
		mkdirSync(real);
		symlinkSync(real, target);
		const notes: string[] = [];
		const result = await restorePath(client, {snapshotId: snap, path: src, target, onStatus: s => notes.push(s)});
		expect(result.target).toBe(real);
		expect(notes[0]).toBe(`the target ${target} is a symbolic link: restoring into ${real}`);
		expect(readFileSync(path.join(real, src, 'a.txt'), 'utf8')).toBe('restored a\n');
		expect(lstatSync(target).isSymbolicLink()).toBe(true);
		outsideUnchanged();
	});
});

describe('restore verification and fresh folders (real restic)', () => {
	test('extra files already in the target are not an error and stay untouched; --overwrite replaces restored files only', async () => {
		const {target} = setup();
		writeTree(path.join(target, src), {'extra.txt': 'mine, not from the snapshot\n', 'a.txt': 'old a\n', 'sub/extra2.txt': 'also mine\n'});
		await expect(restorePath(client, {snapshotId: snap, path: src, target})).rejects.toBeInstanceOf(RestoreConflictError);
		expect(readFileSync(path.join(target, src, 'a.txt'), 'utf8')).toBe('old a\n');
		const result = await restorePath(client, {snapshotId: snap, path: src, target, overwrite: true});
		expect(result.files).toBe(2);
		expect(result.bytes).toBe('restored a\n'.length + 'restored b\n'.length);
		expect(readFileSync(path.join(target, src, 'a.txt'), 'utf8')).toBe('restored a\n');
		expect(readFileSync(path.join(target, src, 'sub', 'b.txt'), 'utf8')).toBe('restored b\n');
		expect(readFileSync(path.join(target, src, 'extra.txt'), 'utf8')).toBe('mine, not from the snapshot\n');
		expect(readFileSync(path.join(target, src, 'sub', 'extra2.txt'), 'utf8')).toBe('also mine\n');
		expect(readdirSync(target).sort()).toEqual([src.split('/')[1]]);
		expect(isIncompleteRestore(target)).toBe(false);
	});

	test('the whole snapshot ("/") into an existing folder: merged, the user\'s files kept, nothing left behind', async () => {
		const {target} = setup();
		writeTree(target, {'mine.txt': 'mine\n'});
		const result = await restorePath(client, {snapshotId: snap, path: '/', target, overwrite: true});
		expect(result.files).toBe(2);
		expect(readFileSync(path.join(target, src, 'sub', 'b.txt'), 'utf8')).toBe('restored b\n');
		expect(readFileSync(path.join(target, 'mine.txt'), 'utf8')).toBe('mine\n');
		expect(readdirSync(target).sort()).toEqual(['mine.txt', src.split('/')[1]].sort());
	});

	test('two restores started at the same moment get two new folders', async () => {
		setup();
		const base = path.join(work, 'resto-restore-same-second');
		const results = await Promise.all([1, 2, 3].map(() => restorePath(client, {snapshotId: snap, path: path.join(src, 'a.txt'), target: base, newFolder: true})));
		const targets = results.map(r => r.target).sort();
		expect(targets).toEqual([base, `${base}-2`, `${base}-3`]);
		for (const r of results) expect(readFileSync(r.restoredPath, 'utf8')).toBe('restored a\n');
	});

	test('the mtime of a restored file survives the move into place', async () => {
		const {target} = setup();
		const result = await restorePath(client, {snapshotId: snap, path: path.join(src, 'a.txt'), target});
		expect(Math.abs(lstatSync(result.restoredPath).mtimeMs - lstatSync(path.join(src, 'a.txt')).mtimeMs)).toBeLessThanOrEqual(1);
	});
});

describe('a read-only restore target', () => {
	const canMount = process.getuid?.() === 0;
	test.skipIf(!canMount)('a read-only file system: a clear message, nothing half-made (library and `resto restore`)', async () => {
		setup();
		const ro = path.join(work, 'ro');
		mkdirSync(ro);
		const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]).status === 0;
		if (!mounted) return; // no mount privilege here (container): covered by the permission case below
		cleanups.push(() => void spawnSync('umount', [ro]));
		const error = await restorePath(client, {snapshotId: snap, path: src, target: ro}).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(RestoreTargetError);
		expect((error as Error).message).toBe(`cannot restore into ${ro}: it is on a read-only file system. Choose a writable folder (resto restore --target DIR).`);
		const nested = await restorePath(client, {snapshotId: snap, path: src, target: path.join(ro, 'new', 'folder')}).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect((nested as Error).message).toBe(`cannot restore into ${ro}: it is on a read-only file system. Choose a writable folder (resto restore --target DIR).`);
		// The CLI, default new folder (~/resto-restore/…) in a read-only home.
		const env: NodeJS.ProcessEnv = {...resticTestEnv(repo.access), HOME: ro, XDG_CONFIG_HOME: path.join(work, 'xdg')};
		const cli = spawnSync(process.execPath, [cliPath, 'restore', snap.slice(0, 8), path.join(src, 'a.txt')], {cwd: ro, env, encoding: 'utf8'});
		expect(cli.status).toBe(1);
		expect(cli.stderr).toContain(`cannot restore into ${ro}: it is on a read-only file system`);
		expect(cli.stderr).not.toMatch(/ENOENT/);
	});

	test('a folder the user may not write to (run as nobody): permission denied, said plainly', () => {
		// Root ignores permission bits, so resto runs as nobody here against a copy of the repository it can read.
		if (process.getuid?.() !== 0) return;
		setup();
		const copy = path.join(work, 'repo');
		execFileSync('cp', ['-r', repo.repoPath, copy]);
		const pw = path.join(work, 'pw');
		writeFileSync(pw, `${repo.password}\n`);
		const locked = path.join(work, 'locked');
		mkdirSync(locked);
		chmodSync(work, 0o755);
		chmodSync(locked, 0o555);
		execFileSync('chown', ['-R', 'nobody', copy, pw]);
		const env: NodeJS.ProcessEnv = {PATH: process.env.PATH, HOME: work, RESTIC_REPOSITORY: copy, RESTIC_PASSWORD_FILE: pw, RESTIC_CACHE_DIR: path.join(work, 'cache'), XDG_CONFIG_HOME: path.join(work, 'xdg')};
		execFileSync('chown', ['nobody', work]);
		const cli = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, cliPath, 'restore', snap.slice(0, 8), path.join(src, 'a.txt'), '--target', locked], {env, encoding: 'utf8', cwd: work});
		expect(cli.stderr).toContain(`cannot restore into ${locked}: permission denied`);
		expect(cli.status).toBe(1);
	});
});

describe('moving a staged restore into place', () => {
	test('a name that is not valid UTF-8 is merged into an existing folder byte-exact (--overwrite)', async () => {
		const {target} = setup();
		const odd = path.join(repo.root, 'oddsrc', 'odd');
		mkdirSync(odd, {recursive: true});
		const raw = Buffer.concat([Buffer.from(`${odd}/`), Buffer.from('bad-'), Buffer.from([0xff, 0xfe]), Buffer.from('.bin')]);
		writeFileSync(raw, Buffer.from([1, 2, 3]));
		const id = repo.backup([odd]);
		writeTree(path.join(target, odd), {'mine.txt': 'mine\n'});
		const shown = raw.toString('utf8');
		const result = await restorePath(client, {snapshotId: id, path: shown, target, overwrite: true});
		expect(result.restoredParent).toBe(true);
		expect(readFileSync(Buffer.concat([Buffer.from(target), raw]))).toEqual(Buffer.from([1, 2, 3]));
		expect(readFileSync(path.join(target, odd, 'mine.txt'), 'utf8')).toBe('mine\n');
		expect(readdirSync(target).filter(n => n.startsWith('.resto-'))).toEqual([]);
	});

	test('a link that appears after the check (between restic and the move) is still not followed', async () => {
		const {target} = setup();
		mkdirSync(path.join(target, src), {recursive: true});
		writeFileSync(path.join(target, 'keep.txt'), 'mine\n');
		let planted = false;
		// The status callback runs once restic has started: plant the link then, behind the check's back.
		const promise = restorePath(client, {
			snapshotId: snap,
			path: src,
			target,
			overwrite: true,
			onStatus: s => {
				if (!planted && s.startsWith('restoring ')) {
					planted = true;
					symlinkSync(outside, path.join(target, src, 'sub'));
				}
			},
		});
		const error = await promise.then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(planted).toBe(true);
		expect(error).toBeInstanceOf(RestoreTargetError);
		expect((error as Error).message).toContain(`${path.join(target, src, 'sub')} is a symbolic link to ${outside}`);
		expect((error as Error).message).toContain('the restore is incomplete');
		expect(isIncompleteRestore(target)).toBe(true);
		outsideUnchanged();
		expect(readdirSync(target).filter(n => n.startsWith('.resto-') && n !== '.resto-incomplete')).toEqual([]);
	});
});

describe('`resto restore` (built CLI) and links', () => {
	test('refused with exit 1, the link and its destination named on stderr; a link at the marker name too', () => {
		const {target} = setup();
		mkdirSync(path.join(target, src), {recursive: true});
		symlinkSync(outside, path.join(target, src, 'sub'));
		const env: NodeJS.ProcessEnv = {...resticTestEnv(repo.access), XDG_CONFIG_HOME: path.join(work, 'xdg'), XDG_CACHE_HOME: path.join(work, 'cache')};
		const r = spawnSync(process.execPath, [cliPath, 'restore', snap.slice(0, 8), src, '--target', target, '--overwrite'], {env, encoding: 'utf8'});
		expect(r.status).toBe(1);
		expect(r.stderr).toContain(`${path.join(target, src, 'sub')} is a symbolic link to ${outside}: restoring ${path.join(target, src, 'sub')} would write through it`);
		outsideUnchanged();
		rmSync(path.join(target, src, 'sub'));
		symlinkSync(path.join(outside, 'sentinel.txt'), path.join(target, '.resto-incomplete'));
		const m = spawnSync(process.execPath, [cliPath, 'restore', snap.slice(0, 8), src, '--target', target, '--overwrite'], {env, encoding: 'utf8'});
		expect(m.status).toBe(1);
		expect(m.stderr).toContain(`${path.join(target, '.resto-incomplete')} is a symbolic link to ${path.join(outside, 'sentinel.txt')}`);
		outsideUnchanged();
	});
});
