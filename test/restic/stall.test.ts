/**
 * A backend that dies while restic reads from it: restic 0.14 retries each object for up to 15 minutes,
 * printing "returned error, retrying after …". resto's watchdog stops it after the stall timeout with
 * the backend's own error, leaves no restic behind, and a half-done restore stays marked incomplete.
 */
import {chmodSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {ResticCli} from '../../source/restic/client.js';
import {ResticError} from '../../source/restic/errors.js';
import {liveProcessCount, runRestic, type RepoAccess} from '../../source/restic/run.js';
import {isIncompleteRestore, restorePath} from '../../source/restore/restore.js';
import {makeRepo, startRestServer, tempDir, type RestServer, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let server: RestServer;
let src: string;

const waitUntil = async (ok: () => boolean, ms: number): Promise<boolean> => {
	const end = Date.now() + ms;
	// True the moment `ok` holds: asking again after the loop could see a passing state already gone.
	for (;;) {
		if (ok()) return true;
		if (Date.now() >= end) return false;
		await new Promise(r => setTimeout(r, 20));
	}
};

/** The repository over REST with an empty restic cache, so every read really goes to the backend. */
const freshAccess = (): RepoAccess => ({...repo.access, env: {RESTIC_CACHE_DIR: tempDir('resto-stall-cache-')}});

beforeAll(async () => {
	const root = tempDir('resto-stall-');
	server = await startRestServer(path.join(root, 'rest'));
	repo = makeRepo({repository: server.url, root});
	src = path.join(root, 'src', 'big');
	mkdirSync(src, {recursive: true});
	const chunk = Buffer.alloc(1 << 20);
	for (let i = 0; i < 80; i++) {
		for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, j);
		writeFileSync(path.join(src, `b${i}.bin`), chunk);
	}
	// Thousands of small files beside it: their trees fill a pack big enough to be cut off in transit.
	const small = path.join(root, 'src', 'small');
	for (let a = 0; a < 10; a++) {
		mkdirSync(path.join(small, `d${a}`), {recursive: true});
		for (let b = 0; b < 500; b++) writeFileSync(path.join(small, `d${a}`, `file-with-a-longer-name-${b}.txt`), `${a} ${b}\n`);
	}
	repo.backup([src, small]);
}, 120_000);

afterAll(async () => {
	await server.kill();
	repo.cleanup();
});

describe('backend killed while restic reads (real restic, rclone REST)', () => {
	test('mid-listing: restic is stopped after the stall timeout with the backend error, nothing left running', async () => {
		// A second server on the same data, throttled to 50 kB/s and logging requests: killed while it is still
		// sending the pack of the snapshot's trees, the backend dies under a listing in progress.
		const slow = await startRestServer(server.dataDir, undefined, {logRequests: true, args: ['--bwlimit', '50k']});
		const client = new ResticCli({...freshAccess(), repository: slow.url});
		const snapshots = await client.snapshots();
		const retries: string[] = [];
		const started = Date.now();
		const asked = slow.waitForRequest(/GET \/data\//);
		const listing = runRestic(client.access, ['ls', '--json', snapshots[0]!.id], {stallTimeoutMs: 3000, onBackendRetry: cause => retries.push(cause)});
		await asked;
		await slow.kill();
		try {
			const error = await listing.then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(ResticError);
			expect((error as ResticError).kind).toBe('unreachable');
			expect((error as ResticError).message).toMatch(/stopped responding: restic retried for \d+ s \(.*(connection refused|connection reset|EOF)\)/);
			expect(Date.now() - started).toBeLessThan(30_000);
			expect(retries.length).toBeGreaterThan(0);
			expect(liveProcessCount()).toBe(0);
		} finally {
			await slow.kill();
		}
	}, 60_000);

	test('mid-restore: restic stopped, the partial restore keeps its incomplete marker, and a retry after restart completes', async () => {
		const access = freshAccess();
		const client = new ResticCli(access);
		const [snap] = await client.snapshots();
		const cwd = tempDir('resto-stall-restore-');
		const target = path.join(cwd, 'out');
		process.env.RESTO_STALL_TIMEOUT = '3';
		try {
			const restoring = restorePath(client, {snapshotId: snap!.id, path: src, target}).then(
				() => undefined,
				(e: unknown) => e,
			);
			// Kill the backend once restic has begun writing files.
			const restoredSomething = await waitUntil(() => {
				try {
					return readdirSync(path.join(target, src)).length > 0;
				} catch {
					return false;
				}
			}, 30_000);
			expect(restoredSomething).toBe(true);
			await server.kill();
			const killedAt = Date.now();
			const error = await restoring;
			// Stopped on the first retry at least 3 s after an object began failing (restic backs off ≤ ~8 s here).
			expect(Date.now() - killedAt).toBeLessThan(25_000);
			expect(error).toBeInstanceOf(ResticError);
			expect((error as ResticError).kind).toBe('unreachable');
			expect(isIncompleteRestore(target)).toBe(true);
			expect(liveProcessCount()).toBe(0);
		} finally {
			delete process.env.RESTO_STALL_TIMEOUT;
			await server.restart();
		}
		// The backend is back: the lock-free restore can simply be done again, into a new folder.
		const again = await restorePath(client, {snapshotId: snap!.id, path: src, target: path.join(cwd, 'again')});
		expect(again.files).toBe(80);
		expect(isIncompleteRestore(again.target)).toBe(false);
	}, 90_000);
});

describe('watchdog rules (a stand-in restic replaying recorded retry lines)', () => {
	const fake = (script: string): string => {
		const dir = tempDir('resto-fake-restic-');
		const bin = path.join(dir, 'restic');
		writeFileSync(bin, `#!/bin/sh\n${script}\n`);
		chmodSync(bin, 0o755);
		return bin;
	};
	const access: RepoAccess = {repository: '/nonexistent', password: 'x'};
	// obj may be a shell expression ($i): it is spliced in outside the single quotes.
	const line = (obj: string, cause: string) => `echo 'Load(<data/'"${obj}"'>, 0, 0) returned error, retrying after 1.2s: client.Do: Get "http://127.0.0.1:1/data/x": dial tcp 127.0.0.1:1: connect: ${cause}' >&2`;

	test('retries of one object past the limit stop restic; retries of ever new objects (a flaky backend) do not', async () => {
		const previous = process.env.RESTIC_BIN;
		try {
			process.env.RESTIC_BIN = fake(`for i in 1 2 3 4 5 6 7 8 9 10; do ${line('aaaa', 'connection refused')}; sleep 0.4; done; echo done`);
			const stuck = await runRestic(access, ['ls'], {stallTimeoutMs: 1500}).then(
				() => undefined,
				(e: unknown) => e,
			);
			expect((stuck as ResticError).kind).toBe('unreachable');
			expect((stuck as ResticError).message).toContain('connect: connection refused');

			process.env.RESTIC_BIN = fake(`for i in 1 2 3 4 5 6 7 8 9 10; do ${line('obj$i', 'connection reset by peer')}; sleep 0.4; done; echo done`);
			const flaky = await runRestic(access, ['ls'], {stallTimeoutMs: 1500, collectStdout: true});
			expect(flaky.stdout).toBe('done\n');
			// 0 disables the watchdog.
			process.env.RESTIC_BIN = fake(`for i in 1 2 3 4 5 6; do ${line('aaaa', 'connection refused')}; sleep 0.4; done; echo done`);
			expect((await runRestic(access, ['ls'], {stallTimeoutMs: 0, collectStdout: true})).stdout).toBe('done\n');
		} finally {
			if (previous === undefined) delete process.env.RESTIC_BIN;
			else process.env.RESTIC_BIN = previous;
		}
	}, 30_000);
});
