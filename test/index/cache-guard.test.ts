/**
 * The index cache path occupied by something that is not resto's cache file: detected, reported once,
 * left alone, and the index still built (in memory). Driven through the built CLI against real restic,
 * with a timeout, because the failure this guards against is a hang (opening a FIFO blocks).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliPath} from '../e2e/tmux.js';
import {makeRepo, resticTestEnv, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let repoId: string;
let work: string;

beforeAll(() => {
	repo = makeRepo();
	const src = path.join(repo.root, 'src');
	writeTree(src, {'notes/report.txt': 'report\n', 'a.txt': 'a\n'});
	repo.backup([src]);
	repoId = (JSON.parse(repo.restic(['cat', 'config'])) as {id: string}).id;
	work = tempDir('resto-cache-guard-');
}, 60_000);

afterAll(() => {
	repo.cleanup();
	rmSync(work, {recursive: true, force: true});
});

/** A fresh XDG cache home and the cache file path inside it. */
function cacheHome(name: string): {xdg: string; file: string} {
	const xdg = path.join(work, name);
	const dir = path.join(xdg, 'cache', 'resto', 'index');
	mkdirSync(dir, {recursive: true});
	return {xdg, file: path.join(dir, `${repoId}.idx`)};
}

function resto(xdg: string, args: string[], env: NodeJS.ProcessEnv = resticTestEnv(repo.access), asNobody = false) {
	const full: NodeJS.ProcessEnv = {...env, XDG_CACHE_HOME: path.join(xdg, 'cache'), XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_STATE_HOME: path.join(xdg, 'state'), HOME: xdg};
	delete full.RESTO_CONFIG;
	const [cmd, argv] = asNobody ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, cliPath, ...args]] : [process.execPath, [cliPath, ...args]];
	const r = spawnSync(cmd as string, argv as string[], {env: full, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000});
	// A hang shows as a kill by the timeout: say so plainly.
	expect(r.signal, `resto hung: ${r.stderr}`).toBeNull();
	return r;
}

function count(text: string, needle: string): number {
	return text.split(needle).length - 1;
}

describe("an index cache path that is not resto's cache file (built CLI, real restic)", () => {
	test('a FIFO: no hang, reported once, the FIFO left in place, search still works', () => {
		const {xdg, file} = cacheHome('fifo');
		execFileSync('mkfifo', [file]);
		const r = resto(xdg, ['search', 'report', '--json']);
		expect(r.status).toBe(0);
		expect(r.stdout).toContain('report.txt');
		expect(count(r.stderr, `the index cache ${file} is a FIFO (named pipe): left alone`)).toBe(1);
		expect(lstatSync(file).isFIFO()).toBe(true);
	});

	test('a directory with something in it: reported once, never removed', () => {
		const {xdg, file} = cacheHome('dir');
		mkdirSync(file);
		writeFileSync(path.join(file, 'keep.txt'), 'mine\n');
		const r = resto(xdg, ['index']);
		expect(r.status).toBe(0);
		expect(r.stderr).toMatch(/1 snapshot indexed \(0 from cache, 1 listed\)/);
		expect(count(r.stderr, `the index cache ${file} is a directory: left alone`)).toBe(1);
		expect(readFileSync(path.join(file, 'keep.txt'), 'utf8')).toBe('mine\n');
	});

	test('a dangling symbolic link: reported, nothing created where it points', () => {
		const {xdg, file} = cacheHome('dangling');
		const nowhere = path.join(work, 'nowhere', 'cache.idx');
		symlinkSync(nowhere, file);
		const r = resto(xdg, ['index']);
		expect(r.status).toBe(0);
		expect(count(r.stderr, `the index cache ${file} is a symbolic link to ${nowhere}, which does not exist: left alone`)).toBe(1);
		expect(readlinkSync(file)).toBe(nowhere);
		expect(existsSync(nowhere)).toBe(false);
	});

	test('the cache folder itself a file: reported once, left alone, the index built', () => {
		const xdg = path.join(work, 'index-is-file');
		mkdirSync(path.join(xdg, 'cache', 'resto'), {recursive: true});
		const folder = path.join(xdg, 'cache', 'resto', 'index');
		writeFileSync(folder, 'not a folder\n');
		const r = resto(xdg, ['index']);
		expect(r.status).toBe(0);
		expect(r.stderr).toMatch(/1 snapshot indexed \(0 from cache, 1 listed\)/);
		expect(count(r.stderr, `the index cache ${path.join(folder, `${repoId}.idx`)} cannot be written`)).toBe(1);
		expect(readFileSync(folder, 'utf8')).toBe('not a folder\n');
	});

	test('a file resto did not write: left alone, byte for byte', () => {
		const {xdg, file} = cacheHome('foreign');
		writeFileSync(file, 'my notes, not an index\n');
		const r = resto(xdg, ['index']);
		expect(r.status).toBe(0);
		expect(count(r.stderr, `the index cache ${file} is not a resto index file: left alone`)).toBe(1);
		expect(readFileSync(file, 'utf8')).toBe('my notes, not an index\n');
	});

	test("another user's file (a real cache chowned to nobody): not trusted, not replaced", () => {
		if (process.getuid?.() !== 0) return; // needs chown
		const {xdg, file} = cacheHome('other-user');
		expect(resto(xdg, ['index']).status).toBe(0);
		const before = readFileSync(file);
		const again = resto(xdg, ['index']);
		expect(again.stderr).toMatch(/\(1 from cache, 0 listed\)/);
		execFileSync('chown', ['nobody', file]);
		const nobody = statSync(file).uid;
		const r = resto(xdg, ['index']);
		expect(r.status).toBe(0);
		expect(r.stderr).toMatch(/\(0 from cache, 1 listed\)/);
		expect(count(r.stderr, `the index cache ${file} belongs to another user (uid ${nobody}), so it is not trusted: left alone`)).toBe(1);
		expect(readFileSync(file).equals(before)).toBe(true);
		expect(statSync(file).uid).toBe(nobody);
	});

	test('an unreadable file of this user (resto run as nobody): reported once, index still built', () => {
		if (process.getuid?.() !== 0) return; // root reads everything: the case needs another user
		const home = path.join(work, 'nobody-home');
		mkdirSync(home);
		const copy = path.join(home, 'repo');
		execFileSync('cp', ['-r', repo.repoPath, copy]);
		const pw = path.join(home, 'pw');
		writeFileSync(pw, `${repo.password}\n`);
		const dir = path.join(home, 'cache', 'resto', 'index');
		mkdirSync(dir, {recursive: true});
		const file = path.join(dir, `${repoId}.idx`);
		writeFileSync(file, 'RESTO-INDEX 2\n');
		execFileSync('chown', ['-R', 'nobody', home]);
		chmodSync(work, 0o755);
		chmodSync(file, 0o000);
		const env: NodeJS.ProcessEnv = {PATH: process.env.PATH, RESTIC_REPOSITORY: copy, RESTIC_PASSWORD_FILE: pw, RESTIC_CACHE_DIR: path.join(home, 'restic-cache')};
		const r = resto(home, ['index'], env, true);
		expect(r.status, r.stderr).toBe(0);
		expect(r.stderr).toMatch(/1 snapshot indexed/);
		expect(count(r.stderr, `the index cache ${file} cannot be read (permission denied): left alone`)).toBe(1);
		expect(statSync(file).mode & 0o777).toBe(0);
	});
});
