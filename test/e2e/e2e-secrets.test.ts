import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {filesUnder, makeRepo, writeTree, type TestRepo} from '../helpers/restic.js';
import {ArgvWatcher, Terminal} from './tmux.js';

const sentinel = 'Sentinel-Pa55-Zq8w';
let repo: TestRepo;

beforeAll(() => {
	repo = makeRepo({password: sentinel});
	writeTree(path.join(repo.root, 'src'), {'docs/a.txt': 'hello\n', 'docs/b.bin': Buffer.from([0, 1, 2])});
	repo.backup([path.join(repo.root, 'src')]);
});
afterAll(() => repo.cleanup());

describe('e2e: the repository password never leaks', () => {
	test('browse and preview with RESTIC_PASSWORD: not in any argv, not on screen, not in resto files', async () => {
		const home = path.join(repo.root, 'home');
		const env = {
			RESTIC_REPOSITORY: repo.repoPath,
			RESTIC_PASSWORD: sentinel,
			XDG_CONFIG_HOME: path.join(home, 'config'),
			XDG_CACHE_HOME: path.join(home, 'cache'),
			XDG_STATE_HOME: path.join(home, 'state'),
			XDG_DATA_HOME: path.join(home, 'data'),
		};
		const watcher = new ArgvWatcher().start();
		const t = await Terminal.start({env, columns: 80, rows: 24});
		try {
			await t.waitFor(/ok\s+1/);
			t.keys('Enter');
			await t.waitFor('1 snapshot ·');
			t.keys('Enter');
			await t.waitFor('entries listed');
			t.keys('Enter');
			await t.waitFor('a.txt');
			t.keys('j');
			await t.waitFor('hello');
			t.keys('q');
			await t.waitFor(() => t.exitStatus() !== undefined, 10_000);
		} finally {
			watcher.stop();
			t.close();
		}
		expect(watcher.containing('restic').length).toBeGreaterThan(0);
		expect(watcher.containing(sentinel)).toEqual([]);
		expect(t.raw().includes(Buffer.from(sentinel))).toBe(false);
		for (const file of filesUnder(home).filter(f => statSync(f).isFile())) {
			expect(readFileSync(file).includes(Buffer.from(sentinel)), file).toBe(false);
		}
	}, 60_000);
});
