/**
 * `resto search` as a whole process against real restic: how many restic processes a run starts
 * (counted by a RESTIC_BIN wrapper that logs and then execs the real restic), on a local repository
 * with 1 snapshot and on a REST backend; and restic find mode's grouping of real `find` output.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {ResticCli} from '../../source/restic/client.js';
import {groupFindResults} from '../../source/tasks/search-task.js';
import {cliPath} from '../e2e/tmux.js';
import {makeRepo, startRestServer, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let src: string;
let work: string;
let wrapper: string;
let runsLog: string;

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'home', 'alice');
	work = tempDir('resto-search-cmd-');
	writeTree(src, {'Documents/taxes/2024/return.pdf': '%PDF', 'Documents/resume.pdf': 'cv', 'code/app/node_modules/taxes-lib/index.js': 'x', 'code/app/README.md': '# app'});
	repo.backup([src]);
	runsLog = path.join(work, 'runs.log');
	wrapper = path.join(work, 'restic-counting');
	writeFileSync(wrapper, `#!/bin/sh\necho "$1" >> '${runsLog}'\nexec restic "$@"\n`);
	chmodSync(wrapper, 0o755);
}, 60_000);

afterAll(() => {
	repo.cleanup();
	rmSync(work, {recursive: true, force: true});
});

/** Run `resto search … --json`; returns the parsed output and the restic subcommands it ran. */
function resto(args: string[], access: {repository: string; passwordFile?: string}, cache: string): {out: {total: number; looser: number; results: Array<{path: string; tier: string; machine: boolean}>}; runs: string[]} {
	rmSync(runsLog, {force: true});
	const env = {...process.env, RESTIC_REPOSITORY: access.repository, RESTIC_PASSWORD_FILE: access.passwordFile ?? repo.passwordFile, XDG_CACHE_HOME: cache, RESTIC_BIN: wrapper};
	const r = spawnSync(process.execPath, [cliPath, 'search', ...args, '--json'], {env, encoding: 'utf8'});
	expect(r.status, r.stderr).toBe(0);
	return {out: JSON.parse(r.stdout), runs: existsSync(runsLog) ? readFileSync(runsLog, 'utf8').trim().split('\n') : []};
}

describe('resto search: restic processes per run (real restic)', () => {
	test('a local repository with 1 snapshot: no restic at all once cached, one `snapshots` plus `ls` of the new one after a backup', () => {
		const cache = path.join(work, 'cache-local');
		const first = resto(['taxes'], repo.access, cache);
		expect(first.runs.sort()).toEqual(['cat', 'ls', 'snapshots']);
		// The user's folder first; the dependency of the same tier after it; the root is not matched.
		expect(first.out.results.map(r => [path.relative(src, r.path), r.tier, r.machine])).toEqual([
			['Documents/taxes', 'whole', false],
			['code/app/node_modules/taxes-lib', 'prefix', true],
			['Documents/taxes/2024', 'folder', false],
			['Documents/taxes/2024/return.pdf', 'folder', false],
			['code/app/node_modules/taxes-lib/index.js', 'folder', true],
		]);
		expect(first.out.total).toBe(5);
		const again = resto(['resume'], repo.access, cache);
		expect(again.runs).toEqual([]);
		expect(again.out.results[0]!.path).toBe(path.join(src, 'Documents/resume.pdf'));
		// A new snapshot: the cache is stale, restic lists snapshots once and the new snapshot once.
		writeTree(src, {'Documents/new-note.txt': 'n'});
		repo.backup([src]);
		const after = resto(['new-note'], repo.access, cache);
		expect(after.runs.sort()).toEqual(['ls', 'snapshots']);
		expect(after.out.results[0]!.path).toBe(path.join(src, 'Documents/new-note.txt'));
		expect(resto(['new-note'], repo.access, cache).runs).toEqual([]);
		// A forgotten snapshot is noticed without restic too (the snapshot files changed).
		const ids = repo.restic(['snapshots', '--json']);
		const oldest = (JSON.parse(ids) as Array<{id: string; time: string}>).sort((a, b) => a.time.localeCompare(b.time))[0]!.id;
		repo.restic(['forget', oldest]);
		expect(resto(['taxes'], repo.access, cache).runs).toEqual(['snapshots']);
	}, 120_000);

	test('a REST backend (rclone serve restic): no restic once cached (snapshot files listed over HTTP); one `snapshots` plus `ls` after a backup', async () => {
		const server = await startRestServer(path.join(work, 'rest-data'));
		try {
			// Under `work`, so it goes with it even if init fails.
			mkdirSync(path.join(work, 'rest-root'));
			const rest = makeRepo({repository: server.url, root: path.join(work, 'rest-root')});
			try {
				rest.backup([src]);
				const cache = path.join(work, 'cache-rest');
				const access = {repository: rest.access.repository, passwordFile: rest.passwordFile};
				expect(resto(['taxes'], access, cache).runs.sort()).toEqual(['cat', 'ls', 'snapshots']);
				const again = resto(['resume'], access, cache);
				expect(again.runs).toEqual([]);
				expect(again.out.results[0]!.path).toBe(path.join(src, 'Documents/resume.pdf'));
				writeTree(src, {'Documents/rest-note.txt': 'n'});
				rest.backup([src]);
				const after = resto(['rest-note'], access, cache);
				expect(after.runs.sort()).toEqual(['ls', 'snapshots']);
				expect(after.out.results[0]!.path).toBe(path.join(src, 'Documents/rest-note.txt'));
				expect(resto(['rest-note'], access, cache).runs).toEqual([]);
				// A wrong password is refused from the key files the server hands out, without restic.
				const wrongFile = path.join(work, 'wrong-rest-password');
				writeFileSync(wrongFile, 'not it\n');
				rmSync(runsLog, {force: true});
				const wrong = spawnSync(process.execPath, [cliPath, 'search', 'resume', '--json'], {env: {...process.env, RESTIC_REPOSITORY: access.repository, RESTIC_PASSWORD_FILE: wrongFile, XDG_CACHE_HOME: cache, RESTIC_BIN: wrapper}, encoding: 'utf8'});
				expect(wrong.status).toBe(12);
				expect(existsSync(runsLog)).toBe(false);
				expect(wrong.stdout).not.toContain('resume.pdf');
				// Nothing of the location's credentials or the password is stored.
				const stored = readFileSync(path.join(cache, 'resto', 'index', 'repositories.json'), 'utf8');
				expect(stored).not.toContain(server.url);
				expect(stored).not.toContain(rest.password);
			} finally {
				rest.cleanup();
			}
		} finally {
			await server.kill();
		}
	}, 120_000);

	test("restic find mode: the size shown is the newest version's, the one Enter opens", async () => {
		const r = makeRepo();
		try {
			const home = path.join(r.root, 'home');
			writeTree(home, {'notes/plan.txt': 'one'});
			r.backup([home], {time: '2026-01-01 10:00:00'});
			writeTree(home, {'notes/plan.txt': 'three lines\nof text\nnow\n'});
			r.backup([home], {time: '2026-02-01 10:00:00'});
			writeTree(home, {'notes/plan.txt': 'twelve bytes'});
			const newest = r.backup([home], {time: '2026-03-01 10:00:00'});
			const client = new ResticCli(r.access);
			const snapshots = await client.snapshots();
			const grouped = groupFindResults(await client.find(['plan.txt']), new Map(snapshots.map(s => [s.id, s.time])));
			expect(grouped).toHaveLength(1);
			expect(grouped[0]!.snapshots.at(-1)).toBe(newest);
			expect(grouped[0]!.size).toBe(12);
		} finally {
			r.cleanup();
		}
	}, 60_000);
});
