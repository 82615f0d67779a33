import {spawn, spawnSync} from 'node:child_process';
import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {acquireBackupLock, BackupPreflightError, patternProblem, planFromPaths, type BackupPlan} from '../../source/backup/backup-set.js';
import type {ResticClient} from '../../source/restic/client.js';
import {ResticError, retryCause} from '../../source/restic/errors.js';
import {parseBackupLine, type BackupEvent, type BackupStatus} from '../../source/restic/parse.js';
import {BackupTask} from '../../source/tasks/backup-task.js';
import {tempDir} from '../helpers/restic.js';

let dir: string;
let lockDir: string;
const repo = {name: 'r', access: {repository: '/nonexistent/resto-test-repo', password: 'x'}};

beforeAll(() => {
	dir = tempDir('resto-backup-task-');
	lockDir = path.join(dir, 'locks');
	writeFileSync(path.join(dir, 'a.txt'), 'a');
});
afterAll(() => spawnSync('rm', ['-rf', dir]));

function status(bytesDone: number, filesDone = 0, totalFiles = 10): BackupStatus {
	return {percentDone: bytesDone / 1000, secondsElapsed: 1, secondsRemaining: 1, totalFiles, filesDone, totalBytes: 1000, bytesDone, errorCount: 0, currentFiles: ['/x']};
}

const summaryLine = '{"message_type":"summary","files_new":1,"files_changed":0,"files_unmodified":0,"dirs_new":1,"dirs_changed":0,"dirs_unmodified":0,"data_blobs":1,"tree_blobs":1,"data_added":10,"total_files_processed":1,"total_bytes_processed":1,"total_duration":0.1,"snapshot_id":"abcdef12"}';
const fullId = `abcdef12${'0'.repeat(56)}`;

/** A client whose backup() replays a script of events at given delays, honouring the abort signal like restic. */
function fakeClient(script: (emit: (ev: BackupEvent) => void, signal: AbortSignal) => Promise<number>): ResticClient {
	const client = {
		access: repo.access,
		async repoId() {
			return 'id';
		},
		async locks() {
			return [];
		},
		async snapshots() {
			return [{id: fullId}];
		},
		async backup(_options: unknown, hooks: {onEvent?: (ev: BackupEvent) => void; signal?: AbortSignal} = {}) {
			const errors: unknown[] = [];
			let summary;
			const signal = hooks.signal ?? new AbortController().signal;
			const exitCode = await script(ev => {
				if (ev.type === 'summary') summary = ev.summary;
				if (ev.type === 'error') errors.push(ev.error);
				hooks.onEvent?.(ev);
			}, signal);
			if (exitCode === 130) throw new ResticError('canceled', 'canceled');
			return {exitCode, summary, errors, warnings: []};
		},
	};
	return client as unknown as ResticClient;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function plan(extra: Partial<BackupPlan> = {}): BackupPlan {
	return {...planFromPaths(repo, [path.join(dir, 'a.txt')]), ...extra};
}

describe('BackupTask', () => {
	test('publishes at most ~10 states a second however fast restic prints, and ends on the truth', async () => {
		const task = new BackupTask(
			plan(),
			fakeClient(async emit => {
				// 3000 status lines over ~600 ms (restic 0.14 --json prints 60/s by default; far more here).
				for (let i = 1; i <= 3000; i++) {
					emit({type: 'status', status: status(i % 1000, i)});
					if (i % 100 === 0) await sleep(20);
				}
				emit(parseBackupLine(summaryLine));
				return 0;
			}),
			{lockDir},
		);
		let publishes = 0;
		task.subscribe(() => publishes++);
		const started = Date.now();
		const state = await task.run();
		const seconds = (Date.now() - started) / 1000;
		// A handful of immediate phase changes plus ≤ 10 frames a second.
		expect(publishes).toBeLessThanOrEqual(8 + Math.ceil(seconds * 10) + 2);
		expect(state.phase).toBe('done');
		expect(state.exitCode).toBe(0);
		expect(state.snapshotId).toBe(fullId);
	});

	test('tens of thousands of unreadable-file errors are collected without quadratic copying', async () => {
		const task = new BackupTask(
			plan(),
			fakeClient(async emit => {
				for (let i = 0; i < 50_000; i++) emit({type: 'error', error: {item: `/f${i}`, during: 'archival', message: 'permission denied'}});
				emit(parseBackupLine(summaryLine));
				return 3;
			}),
			{lockDir},
		);
		const started = Date.now();
		const state = await task.run();
		expect(Date.now() - started).toBeLessThan(3000);
		expect(state.errors).toHaveLength(50_000);
		expect(state.phase).toBe('partial');
		expect(state.exitCode).toBe(3);
		expect(state.message).toMatch(/50,000 files could not be read/);
	});

	test('a stall with backend retries is stopped after stallTimeoutMs with the backend error; a quiet stall is not', async () => {
		const retry = 'Save(<data/d084afde10>) returned error, retrying after 552.330144ms: client.Post: Post "http://127.0.0.1:18765/data/d0": dial tcp 127.0.0.1:18765: connect: connection refused';
		const dead = new BackupTask(
			plan(),
			fakeClient(async (emit, signal) => {
				emit({type: 'status', status: status(100)});
				while (!signal.aborted) {
					emit({type: 'status', status: status(500)});
					emit({type: 'text', text: retry});
					await sleep(50);
				}
				return 130;
			}),
			{lockDir, stallTimeoutMs: 400},
		);
		const state = await dead.run();
		expect(state.phase).toBe('failed');
		expect(state.exitCode).toBe(1);
		expect(state.message).toMatch(/backend stopped responding: no progress for \d+ s while restic retried \(connect: connection refused\); restic was stopped, no snapshot written/);

		// Frozen bytes without any backend error (a slow disk at idle priority) keep running.
		let ticks = 0;
		const slow = new BackupTask(
			plan(),
			fakeClient(async (emit, signal) => {
				while (!signal.aborted && ticks++ < 20) {
					emit({type: 'status', status: status(500)});
					await sleep(50);
				}
				emit(parseBackupLine(summaryLine));
				return 0;
			}),
			{lockDir, stallTimeoutMs: 300},
		);
		expect((await slow.run()).phase).toBe('done');
		expect(retryCause(retry)).toBe('connect: connection refused');
	});

	test('cancel: canceled, no snapshot written, exit 130; the post-hook still runs and learns the outcome', async () => {
		const out = path.join(dir, 'post-result');
		const task = new BackupTask(
			plan({hooks: {pre: 'true', post: `printf %s "$RESTO_BACKUP_RESULT" > ${out}`}}),
			fakeClient(async (emit, signal) => {
				while (!signal.aborted) {
					emit({type: 'status', status: status(1)});
					await sleep(20);
				}
				return 130;
			}),
			{lockDir},
		);
		const done = task.run();
		// Canceled while restic runs (the pre-hook is done): polled, a loaded machine may be slow to get there.
		for (let i = 0; i < 500 && task.getSnapshot().phase !== 'running'; i++) await sleep(10);
		expect(task.getSnapshot().phase).toBe('running');
		task.cancel();
		const state = await done;
		expect(state).toMatchObject({phase: 'canceled', exitCode: 130, message: 'canceled, no snapshot written'});
		expect(readFileSync(out, 'utf8')).toBe('canceled');
	});

	test('cancel during the pre-hook: the hook is stopped, restic never starts, the post-hook still runs and learns "canceled"', async () => {
		const out = path.join(dir, 'post-after-pre');
		let resticRan = false;
		const task = new BackupTask(
			plan({hooks: {pre: 'sleep 30', post: `printf %s "$RESTO_BACKUP_RESULT" > ${out}`}}),
			fakeClient(async () => {
				resticRan = true;
				return 0;
			}),
			{lockDir},
		);
		const done = task.run();
		for (let i = 0; i < 500 && task.getSnapshot().phase !== 'pre-hook'; i++) await sleep(10);
		await sleep(200);
		task.cancel();
		const state = await done;
		expect(state.phase).toBe('canceled');
		expect(resticRan).toBe(false);
		expect(readFileSync(out, 'utf8')).toBe('canceled');
	});

	test('onSnapshotCreated gets the repository name and the full id; not for dry runs', async () => {
		const seen: string[] = [];
		const ok = () => fakeClient(async emit => (emit(parseBackupLine(summaryLine)), 0));
		const task = new BackupTask(plan(), ok(), {lockDir});
		task.onSnapshotCreated((name, id) => seen.push(`${name}:${id}`));
		await task.run();
		expect(seen).toEqual([`r:${fullId}`]);
		const dry = new BackupTask(planFromPaths(repo, [path.join(dir, 'a.txt')], {dryRun: true}), ok(), {lockDir});
		dry.onSnapshotCreated((name, id) => seen.push(`${name}:${id}`));
		await dry.run();
		expect(seen).toHaveLength(1);
	});

	test('with a pre-hook, an exclusive lock is reported before the hook runs', async () => {
		const marker = path.join(dir, 'pre-ran');
		const client = fakeClient(async () => 0);
		(client as unknown as {locks: () => Promise<unknown[]>}).locks = async () => [{id: 'x', time: 0, timeText: '2026-11-23T01:00:00Z', exclusive: true, hostname: 'nas', username: 'root', pid: 42}];
		const state = await new BackupTask(plan({hooks: {pre: `touch ${marker}`}}), client, {lockDir}).run();
		expect(state.exitCode).toBe(11);
		expect(state.message).toMatch(/locked exclusively by PID 42 on nas/);
		expect(spawnSync('test', ['-e', marker]).status).not.toBe(0);
	});
});

describe('backup lock file', () => {
	test('a live holder refuses with exit 11; a dead or reused PID is taken over', async () => {
		const ldir = path.join(dir, 'l2');
		const held = acquireBackupLock('repo-a', ldir);
		expect(() => acquireBackupLock('repo-a', ldir)).toThrow(/already backing up this repository/);
		try {
			acquireBackupLock('repo-a', ldir);
		} catch (error) {
			expect((error as BackupPreflightError).exitCode).toBe(11);
		}
		// Another repository is independent.
		acquireBackupLock('repo-b', ldir).release();
		held.release();
		// A holder that died.
		const child = spawn('true');
		await new Promise(r => child.on('exit', r));
		writeFileSync(held.file, JSON.stringify({pid: child.pid, started: 'then'}));
		acquireBackupLock('repo-a', ldir).release();
		// A PID that is alive but belongs to another process now (its start time differs).
		writeFileSync(held.file, JSON.stringify({pid: process.pid, start: '1', started: 'before a reboot'}));
		acquireBackupLock('repo-a', ldir).release();
		// A lock taken over by another resto is not removed by the old holder's release.
		const old = acquireBackupLock('repo-a', ldir);
		const theirs = JSON.stringify({pid: 1, start: 'other', started: 'now'});
		writeFileSync(old.file, theirs);
		old.release();
		expect(readFileSync(old.file, 'utf8')).toBe(theirs);
		rmSync(old.file);
	});
});

describe('exclude pattern validation (a port of Go filepath.Match, as restic 0.14 uses it)', () => {
	const invalid = ['[unclosed', 'a\\', '[]', '[a-]', '[^]', '[\\]', 'x[-a]', '[]a]', 'ok/[bad', '[a-\\'];
	const valid = ['*.txt', '[a-z]*', '\\[x\\]', '**/cache', '/home/*/.cache', 'a[^b]c', '[\\]]', 'x-y', '[a-b]-', '!keep.txt'];

	test('our verdicts', () => {
		for (const p of invalid) expect(patternProblem(p), p).toBeDefined();
		for (const p of valid) expect(patternProblem(p), p).toBeUndefined();
	});

	test('agree with restic itself', () => {
		const work = tempDir('resto-patterns-');
		spawnSync('restic', ['init', '-q'], {env: {...process.env, RESTIC_REPOSITORY: path.join(work, 'repo'), RESTIC_PASSWORD: 'x'}});
		const r = spawnSync('restic', ['backup', '--dry-run', ...[...invalid, ...valid].map(p => `--exclude=${p}`), '--', dir], {env: {...process.env, RESTIC_REPOSITORY: path.join(work, 'repo'), RESTIC_PASSWORD: 'x', RESTIC_PASSWORD_FILE: ''}, encoding: 'utf8'});
		spawnSync('rm', ['-rf', work]);
		expect(r.stderr).toMatch(/invalid pattern\(s\) provided/);
		const rejected = r.stderr
			.split('\n')
			.slice(r.stderr.split('\n').findIndex(l => /invalid pattern/.test(l)) + 1)
			.filter(Boolean);
		expect(new Set(rejected)).toEqual(new Set(invalid));
	});
});
