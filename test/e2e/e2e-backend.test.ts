/**
 * The REST backend (rclone serve restic) dies while the TUI lists a snapshot and while it restores a
 * file: the screen says the backend stopped responding (after RESTO_STALL_TIMEOUT, 3 s here), no restic
 * is left running, the half-done restore stays marked incomplete, and resto still quits cleanly.
 */
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {makeRepo, startRestServer, tempDir, type RestServer, type TestRepo} from '../helpers/restic.js';
import {resticPids, Terminal} from './tmux.js';

let repo: TestRepo;
let server: RestServer;
let src: string;
let cfg: string;
let root: string;

const waitUntil = async (ok: () => boolean, ms: number): Promise<boolean> => {
	const end = Date.now() + ms;
	// True the moment `ok` holds: asking again after the loop could see a passing state already gone.
	for (;;) {
		if (ok()) return true;
		if (Date.now() >= end) return false;
		await new Promise(r => setTimeout(r, 50));
	}
};

beforeAll(async () => {
	root = tempDir('resto-e2e-backend-');
	server = await startRestServer(path.join(root, 'rest'));
	repo = makeRepo({repository: server.url, root});
	src = path.join(root, 'home');
	for (let a = 0; a < 10; a++) {
		const dir = path.join(src, `dir-${a}`);
		mkdirSync(dir, {recursive: true});
		for (let b = 0; b < 500; b++) writeFileSync(path.join(dir, `f${b}.txt`), `${a} ${b}\n`);
	}
	// A big file, so a restore of it takes long enough to be cut off.
	const chunk = Buffer.alloc(1 << 20);
	const big: Buffer[] = [];
	for (let i = 0; i < 120; i++) {
		for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, j);
		big.push(Buffer.from(chunk));
	}
	writeFileSync(path.join(src, 'bigvideo.bin'), Buffer.concat(big));
	repo.backup([src]);
	cfg = path.join(root, 'config.yaml');
	writeFileSync(cfg, `repositories:\n  - name: nas\n    repository: ${server.url}\n    passwordFile: ${repo.passwordFile}\n`);
}, 120_000);

afterAll(async () => {
	await server.kill();
	repo.cleanup();
});

/** A fresh environment: its own XDG dirs and an empty restic cache, so every read goes to the backend. */
function envFor(config = cfg): Record<string, string> {
	const home = tempDir('resto-e2e-backend-home-');
	return {RESTO_CONFIG: config, XDG_CACHE_HOME: path.join(home, 'cache'), XDG_STATE_HOME: path.join(home, 'state'), RESTIC_CACHE_DIR: path.join(home, 'restic-cache'), RESTO_STALL_TIMEOUT: '3'};
}

describe('e2e: the REST backend dies under the TUI', () => {
	test('mid-listing: "stopped responding" on screen, no restic left, resto quits cleanly', async () => {
		// A second server on the same data, throttled to 100 kB/s and logging requests: killed while it is
		// still sending the pack of the snapshot's trees, the backend dies under a listing in progress.
		const slow = await startRestServer(path.join(root, 'rest'), undefined, {logRequests: true, args: ['--bwlimit', '100k']});
		const slowCfg = path.join(root, 'slow.yaml');
		writeFileSync(slowCfg, `repositories:\n  - name: nas\n    repository: ${slow.url}\n    passwordFile: ${repo.passwordFile}\n`);
		const t = await Terminal.start({env: envFor(slowCfg), columns: 100, rows: 30});
		try {
			await t.waitFor(/nas\s.*ok\s+1/, 30_000);
			t.keys('Enter');
			await t.waitFor('1 snapshot ·');
			// rclone's rate limit lets an idle server save up a burst of several MB, enough to send the whole
			// tree pack at once: a fresh server (same port and data) starts with none saved.
			await slow.kill('SIGTERM');
			await slow.restart();
			// Killed the moment restic asks for the pack holding the snapshot's trees: restic has opened the
			// repository and is listing, and the backend dies under it.
			const listing = slow.waitForRequest(/GET \/data\//);
			t.keys('Enter');
			await listing;
			await slow.kill();
			const screen = await t.waitFor(/stopped\s+responding/, 40_000);
			expect(screen).toMatch(/connection refused|connection reset|EOF/);
			expect(await waitUntil(() => resticPids(slow.url).length === 0, 10_000)).toBe(true);
			t.keys('q');
			await t.waitFor(() => t.exitStatus() !== undefined, 15_000);
		} finally {
			t.close();
			await slow.kill();
		}
	}, 90_000);

	test('mid-restore: "stopped responding" on screen, the partial restore is marked incomplete, no restic left', async () => {
		const cwd = tempDir('resto-e2e-backend-cwd-');
		// HOME is the working directory: restores land in ~/resto-restore.
		const t = await Terminal.start({env: {...envFor(), HOME: cwd}, columns: 100, rows: 30, cwd});
		const restores = path.join(cwd, 'resto-restore');
		try {
			await t.waitFor(/nas\s.*ok\s+1/, 30_000);
			t.keys('s');
			await t.waitFor('1 snapshot indexed', 60_000);
			t.type('bigvideo');
			await t.waitFor('bigvideo.bin');
			t.keys('Tab');
			await t.waitFor('enter preview');
			t.keys('C-o');
			await t.waitFor('Restore file');
			t.keys('Enter');
			// Cut the backend once restic has begun writing the file.
			const started = await waitUntil(() => {
				const dirs = existsSync(restores) ? readdirSync(restores) : [];
				return dirs.length > 0 && existsSync(path.join(restores, dirs[0]!, src, 'bigvideo.bin'));
			}, 30_000);
			expect(started).toBe(true);
			await server.kill();
			// The message wraps with the long temporary paths: read the screen as one line.
			await t.waitFor(() => /stopped\s*responding/.test(t.screen().replace(/\n/g, ' ')), 40_000);
			const dirs = readdirSync(restores);
			expect(dirs.length).toBe(1);
			expect(existsSync(path.join(restores, dirs[0]!, '.resto-incomplete'))).toBe(true);
			expect(await waitUntil(() => resticPids(server.url).length === 0, 10_000)).toBe(true);
			// The error stays: the first Esc dismisses it, the next leaves the dialog, then the search screen.
			await t.waitFor(/marker: .*resto-incomplete|esc dismiss/, 10_000);
			t.keys('Escape');
			await t.waitFor(/Restore (file|of)/, 10_000);
			t.keys('Escape');
			await t.waitFor('search: bigvideo', 10_000);
			t.keys('Escape');
			await t.waitFor('LOCATION', 10_000);
			t.keys('q');
			await t.waitFor(() => t.exitStatus() !== undefined, 15_000);
		} finally {
			t.close();
			await server.restart();
		}
	}, 120_000);
});
