/**
 * A canceled restic never leaves a lock behind: SIGINT lets restic remove it, and a restic that had to
 * be killed (no exit within the grace time) has its lock removed by runRestic (a lock of its own PID on
 * this host). Real restic against a real repository; the interrupt is timed to the moment restic writes
 * its lock file.
 */
import {watch} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {ResticError} from '../../source/restic/errors.js';
import {runRestic} from '../../source/restic/run.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;

beforeAll(() => {
	repo = makeRepo();
	const src = path.join(repo.root, 'src');
	writeTree(src, {'a.txt': 'a\n'});
	for (let i = 0; i < 3; i++) {
		writeTree(src, {[`f${i}.txt`]: `${i}\n`});
		repo.backup([src]);
	}
});

afterAll(() => repo?.cleanup());

/** Run `argv` and abort it the moment a lock file shows up in the repository (or after `fallbackMs`). */
async function cancelAtLock(argv: string[], fallbackMs: number, forceKillAfterMs?: number): Promise<unknown> {
	const controller = new AbortController();
	const locks = path.join(repo.repoPath, 'locks');
	const watcher = watch(locks, () => controller.abort());
	const timer = setTimeout(() => controller.abort(), fallbackMs);
	// restic check makes its temporary cache in TMPDIR and a killed one cannot remove it: give it a folder
	// of this test's own (removed with the test's other temporary folders).
	const scratch = tempDir('resto-cancel-scratch-');
	try {
		await runRestic(repo.access, argv, {signal: controller.signal, collectStdout: true, forceKillAfterMs, env: {TMPDIR: scratch}});
		return undefined;
	} catch (error) {
		return error;
	} finally {
		watcher.close();
		clearTimeout(timer);
	}
}

/** The locks restic sees (a `-tmp-` file of an interrupted write is not one: restic skips it). */
function locks(): string[] {
	return repo.restic(['list', 'locks', '--no-lock']).split('\n').filter(Boolean);
}

describe('canceling a restic that takes a lock (real restic 0.14)', () => {
	test.each([
		['prune --dry-run (exclusive)', ['prune', '--dry-run'], undefined],
		['forget (exclusive)', ['forget', '--keep-last', '10'], undefined],
		['check (exclusive), killed 1 ms after SIGINT', ['check'], 1],
		['backup (shared), killed 1 ms after SIGINT', ['backup', '--', '/etc/hostname'], 1],
	])(
		'%s interrupted as its lock appears leaves no lock',
		async (_name, argv, forceKillAfterMs) => {
			let canceled = 0;
			for (let i = 0; i < 6; i++) {
				const error = await cancelAtLock(argv, 2000, forceKillAfterMs);
				if (error instanceof ResticError && error.kind === 'canceled') canceled++;
				else if (error) throw error;
				expect(locks()).toEqual([]);
			}
			// The interrupt did land while restic ran (else the test proves nothing).
			expect(canceled).toBeGreaterThan(0);
			// And the repository takes an exclusive lock at once.
			repo.restic(['forget', '--keep-last', '10']);
		},
		120_000,
	);
});
