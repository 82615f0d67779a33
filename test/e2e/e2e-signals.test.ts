import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {ResticCli} from '../../source/restic/client.js';
import {makeRepo, type TestRepo} from '../helpers/restic.js';
import {resticPids, Terminal} from './tmux.js';

let repo: TestRepo;

beforeAll(() => {
	repo = makeRepo();
	// Enough entries that `restic ls` takes a few seconds, so signals arrive mid-listing.
	const src = path.join(repo.root, 'src');
	for (let a = 0; a < 60; a++) {
		const dir = path.join(src, `d${a}`);
		mkdirSync(dir, {recursive: true});
		for (let b = 0; b < 1000; b++) writeFileSync(path.join(dir, `f${b}.txt`), '');
	}
	repo.backup([src]);
}, 120_000);

afterAll(() => repo.cleanup());

const waitUntil = async (ok: () => boolean, ms: number, every = 50) => {
	const end = Date.now() + ms;
	// True the moment `ok` holds: asking again after the loop could see a passing state already gone.
	for (;;) {
		if (ok()) return true;
		if (Date.now() >= end) return false;
		await new Promise(r => setTimeout(r, every));
	}
};

describe.each([['SIGTERM'], ['SIGHUP'], ['SIGINT']] as const)('e2e: %s to resto while restic lists a snapshot', signal => {
	test('restic is stopped, no process or lock is left, resto exits', async () => {
		const t = await Terminal.start({env: {RESTIC_REPOSITORY: repo.repoPath, RESTIC_PASSWORD_FILE: repo.passwordFile, XDG_CONFIG_HOME: path.join(repo.root, 'cfg')}, columns: 80, rows: 24});
		try {
			await t.waitFor(/ok\s+1/);
			t.keys('Enter');
			await t.waitFor('1 snapshot ·');
			t.keys('Enter');
			// The signal must find restic at work: poll for it from the keypress on (the listing itself takes
			// only a second or two with a test key, and the 'listing…' frame may show when it is nearly done).
			let before: number[] = [];
			expect(await waitUntil(() => (before = resticPids(repo.repoPath)).length > 0, 15_000, 10)).toBe(true);
			expect(before.length).toBeGreaterThan(0);
			const pid = t.pid()!;
			process.kill(pid, signal);
			expect(await waitUntil(() => t.exitStatus() !== undefined, 15_000)).toBe(true);
			expect(await waitUntil(() => resticPids(repo.repoPath).length === 0, 10_000)).toBe(true);
			expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
		} finally {
			t.close();
		}
	}, 60_000);
});
