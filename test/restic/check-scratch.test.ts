/**
 * `restic check` makes a temporary cache (restic-check-cache-*) and removes it only when it ends normally or on
 * SIGINT. resto gives it a private directory under its own cache, removes it after every check, and removes
 * those of resto processes that died: nothing piles up in TMPDIR or in the cache. Real restic throughout.
 */
import {spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {ResticCli} from '../../source/restic/client.js';
import {makeRepo, tempDir, type TestRepo} from '../helpers/restic.js';
import {resticPids} from '../e2e/tmux.js';

let repo: TestRepo;
const saved = {TMPDIR: process.env.TMPDIR, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME};
let tmp: string;
let scratch: string;

beforeAll(() => {
	repo = makeRepo();
	// Enough data that `check --read-data` is still reading when the test kills it.
	const src = path.join(repo.root, 'src');
	mkdirSync(src);
	for (let i = 0; i < 48; i++) writeFileSync(path.join(src, `f${i}.bin`), randomBytes(1 << 20));
	repo.backup([src]);
}, 120_000);

afterAll(() => repo.cleanup());

/** Fresh TMPDIR and XDG cache for each test: restic gets both through resto's environment. */
function isolate(): void {
	tmp = tempDir('resto-check-tmp-');
	const cache = tempDir('resto-check-xdg-');
	process.env.TMPDIR = tmp;
	process.env.XDG_CACHE_HOME = cache;
	scratch = path.join(cache, 'resto', 'restic-check');
}

afterEach(() => {
	for (const [key, value] of Object.entries(saved)) {
		if (value === undefined) delete process.env[key];
		else process.env[key] = value;
	}
});

describe("restic check's temporary cache", () => {
	test('lives under resto’s cache while check runs and is gone afterwards, also when restic is killed', async () => {
		isolate();
		const client = new ResticCli(repo.access);
		expect((await client.check()).ok).toBe(true);
		expect(readdirSync(scratch)).toEqual([]);
		expect(readdirSync(tmp)).toEqual([]);

		// SIGKILL: restic's own cleanup never runs.
		const running = client.check({readDataSubset: '100%'});
		const deadline = Date.now() + 30_000;
		let made: string[] = [];
		while (Date.now() < deadline) {
			made = readdirSync(scratch).flatMap(d => readdirSync(path.join(scratch, d)).map(e => path.join(d, e)));
			if (made.some(e => /\/restic-check-cache-\d+$/.test(e))) break;
			await new Promise(r => setTimeout(r, 20));
		}
		expect(
			made.some(e => /^check-\d+-[A-Za-z0-9]{6}\/restic-check-cache-\d+$/.test(e)),
			made.join(' '),
		).toBe(true);
		const pids = resticPids(repo.repoPath);
		expect(pids.length).toBeGreaterThan(0);
		for (const pid of pids) process.kill(pid, 'SIGKILL');
		const result = await running.catch((error: unknown) => error);
		expect(result instanceof Error || (result as {ok: boolean}).ok === false).toBe(true);
		expect(readdirSync(scratch)).toEqual([]);
		expect(readdirSync(tmp)).toEqual([]);
		// The killed restic left its lock; the repository is otherwise fine.
		repo.restic(['unlock']);
	}, 90_000);

	test('the directories of resto processes that are gone are removed by the next check, live ones are kept', async () => {
		isolate();
		mkdirSync(scratch, {recursive: true});
		// A PID that surely ended: a process that ran and was reaped.
		const dead = spawnSync('sh', ['-c', 'echo $$'], {encoding: 'utf8'}).stdout.trim();
		const stale = path.join(scratch, `check-${dead}-AbC123`);
		mkdirSync(path.join(stale, 'restic-check-cache-1', 'index'), {recursive: true});
		writeFileSync(path.join(stale, 'restic-check-cache-1', 'index', 'x'), 'copy of an index\n');
		const live = path.join(scratch, `check-${process.ppid}-XyZ789`);
		mkdirSync(live);
		const other = path.join(scratch, 'not-ours');
		mkdirSync(other);
		expect((await new ResticCli(repo.access).check()).ok).toBe(true);
		expect(existsSync(stale)).toBe(false);
		expect(existsSync(live)).toBe(true);
		expect(existsSync(other)).toBe(true);
		expect(readdirSync(scratch).sort()).toEqual([path.basename(live), 'not-ours']);
	}, 60_000);
});
