import {readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {filesUnder, makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {ArgvWatcher, Terminal} from './tmux.js';

const sentinel = 'Sentinel-Journeys-Pw-7731';
let repo: TestRepo;
let home: string;
let env: Record<string, string>;

beforeAll(() => {
	repo = makeRepo({password: sentinel});
	const src = path.join(repo.root, 'src');
	writeTree(src, {'docs/letter.txt': 'hello\n', 'docs/taxes/return.pdf': '%PDF\n'});
	repo.backup([src]);
	home = tempDir('resto-secrets-home-');
	// The password reaches resto only through a passwordCommand in the config, as many users set it up.
	const cfg = path.join(home, 'config.yaml');
	writeFileSync(cfg, `repositories:\n  - name: r\n    repository: ${repo.repoPath}\n    passwordCommand: "printf %s ${sentinel}"\nbackupSets:\n  - name: s\n    repository: r\n    paths: [${src}]\n`);
	env = {RESTO_CONFIG: cfg, XDG_CACHE_HOME: path.join(home, 'cache'), XDG_STATE_HOME: path.join(home, 'state'), XDG_DATA_HOME: path.join(home, 'data')};
});
afterAll(() => repo.cleanup());

describe('e2e: the password never leaks, in any journey', () => {
	test('search + restore, backup, drill: not in restic argv, not on screen, not in caches or reports; files 0600, dirs 0700', async () => {
		const watcher = new ArgvWatcher().start();
		const cwd = tempDir('resto-secrets-cwd-');
		// HOME is the working directory: the restore lands in ~/resto-restore.
		const t = await Terminal.start({env: {...env, HOME: cwd}, columns: 80, rows: 24, cwd});
		try {
			await t.waitFor(/r\s.*ok\s+1/);
			// Search and restore.
			t.keys('s');
			await t.waitFor('1 snapshot indexed', 30_000);
			t.type('letter');
			await t.waitFor('1 version in 1 snapshot');
			t.keys('C-o');
			await t.waitFor('a new folder, created for this restore');
			t.keys('Enter');
			await t.waitFor('Restored 1 file', 20_000);
			// The first Esc leaves the query field, the second the search screen.
			await t.escapeTo('LOCATION');
			// Backup.
			t.keys('b');
			await t.waitFor(/\bs\s+\//);
			t.keys('Enter');
			await t.waitFor(/done|snapshot [0-9a-f]{8}/, 30_000);
			t.keys('Escape');
			await t.waitFor('LOCATION');
			// Drill.
			t.keys('d');
			await t.waitFor('Press enter to start');
			t.keys('Enter');
			await t.waitFor('pick another', 60_000);
			t.keys('Enter');
			for (let i = 0; i < 4; i++) {
				await t.waitFor('y/n', 30_000);
				t.keys('y');
				await new Promise(r => setTimeout(r, 300));
			}
			await t.waitFor('PASS', 30_000);
		} finally {
			watcher.stop();
			t.close();
		}
		// printf runs with the password as its argument by the user's own choice (passwordCommand), also
		// under the `timeout` that stops a hanging password command; nothing else resto or restic runs may carry it.
		const userCommand = (cmd: string) => cmd.replace(/^timeout --foreground -k \d+ \d+ /, '');
		const leaks = watcher.containing(sentinel).filter(cmd => !userCommand(cmd).startsWith('printf ') && !userCommand(cmd).startsWith('sh -c printf '));
		expect(watcher.containing('restic').length).toBeGreaterThan(0);
		expect(leaks).toEqual([]);
		expect(t.raw().includes(Buffer.from(sentinel))).toBe(false);
		for (const file of filesUnder(home)) {
			if (file.endsWith('config.yaml')) continue;
			expect(readFileSync(file).includes(Buffer.from(sentinel)), file).toBe(false);
			if (file.includes('/cache/resto/') || file.includes('/state/resto/')) expect(statSync(file).mode & 0o777, file).toBe(0o600);
		}
		for (const dir of [path.join(home, 'cache/resto/index'), path.join(home, 'state/resto/drills')]) expect(statSync(dir).mode & 0o777, dir).toBe(0o700);
	}, 180_000);
});
