import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {ResticCli} from '../../source/restic/client.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {resticPids, Terminal} from './tmux.js';

let repo: TestRepo;
let src: string;
let env: Record<string, string>;
let cwd: string;

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'home');
	writeTree(src, {'documents/taxes/2023/return-final.pdf': 'first return\n', 'notes/todo.md': '- test restores\n'});
	repo.backup([src], {host: 'laptop'});
	writeTree(src, {'documents/taxes/2023/return-final.pdf': 'amended return\n'});
	repo.backup([src], {host: 'laptop'});
	// Something big enough for a backup that can be cancelled half-way.
	const big = path.join(src, 'big');
	mkdirSync(big);
	const chunk = Buffer.alloc(1 << 20);
	for (let i = 0; i < 120; i++) {
		for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, j);
		writeFileSync(path.join(big, `b${i}.bin`), chunk);
	}
	const cfg = path.join(repo.root, 'config.yaml');
	writeFileSync(cfg, `repositories:\n  - name: home\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\nbackupSets:\n  - name: everything\n    repository: home\n    paths: [${src}]\n`);
	cwd = tempDir('resto-e2e-cwd-');
	// HOME is the working directory: restores land in ~/resto-restore.
	env = {RESTO_CONFIG: cfg, HOME: cwd, XDG_CACHE_HOME: path.join(repo.root, 'cache'), XDG_STATE_HOME: path.join(repo.root, 'state')};
}, 60_000);
afterAll(() => repo.cleanup());

describe('e2e journeys at 80×24', () => {
	test('search a remembered fragment, pick the older version, restore it byte-exact', async () => {
		const t = await Terminal.start({env, columns: 80, rows: 24, cwd});
		try {
			await t.waitFor(/home\s.*ok\s+2/);
			t.keys('s');
			await t.waitFor('2 snapshots indexed', 30_000);
			t.type('tax2023pdf');
			await t.waitFor('2 versions in 2 snapshots');
			t.keys('Tab');
			await t.waitFor('enter preview');
			t.keys('Down');
			await new Promise(r => setTimeout(r, 300));
			t.keys('C-o');
			await t.waitFor('Restore file');
			t.keys('Enter');
			await t.waitFor('Restored 1 file', 20_000);
			const dirs = readdirSync(path.join(cwd, 'resto-restore'));
			expect(dirs.length).toBe(1);
			expect(readFileSync(path.join(cwd, 'resto-restore', dirs[0]!, src, 'documents/taxes/2023/return-final.pdf'), 'utf8')).toBe('first return\n');
			// Back from the dialog; in the search field q is a letter: leave the screen first.
			t.keys('Escape');
			await t.waitFor('search: tax2023pdf');
			t.keys('Escape');
			await t.waitFor('LOCATION');
			t.keys('q');
			await t.waitFor(() => t.exitStatus() !== undefined, 10_000);
		} finally {
			t.close();
		}
	}, 90_000);

	test('start a backup, watch it, cancel it: no snapshot, no lock, no restic left', async () => {
		const t = await Terminal.start({env, columns: 80, rows: 24, cwd});
		try {
			await t.waitFor(/home\s.*ok\s+2/);
			t.keys('b');
			await t.waitFor('everything');
			t.keys('Enter');
			await t.waitFor(/backing up…|scanning…/, 20_000);
			await t.waitFor(/[1-9]\d* MiB\//, 20_000);
			t.keys('c');
			await t.waitFor('Cancel the running backup?');
			t.keys('y');
			await t.waitFor('canceled, no snapshot written', 30_000);
			expect(resticPids(repo.repoPath)).toEqual([]);
			expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
			expect((await new ResticCli(repo.access).snapshots()).length).toBe(2);
			t.keys('q');
			await t.waitFor(() => t.exitStatus() !== undefined, 10_000);
		} finally {
			t.close();
		}
	}, 90_000);

	test('quitting while a backup runs asks first, then stops restic cleanly', async () => {
		const t = await Terminal.start({env, columns: 80, rows: 24, cwd});
		try {
			await t.waitFor(/home\s.*ok\s+2/);
			t.keys('b');
			await t.waitFor('everything');
			t.keys('Enter');
			await t.waitFor(/[1-9]\d* MiB\//, 20_000);
			t.keys('Escape');
			await t.waitFor(/backup everything → home/);
			t.keys('q');
			await t.waitFor('still running. Stop it');
			t.keys('y');
			await t.waitFor(() => t.exitStatus() !== undefined, 30_000);
			expect(resticPids(repo.repoPath)).toEqual([]);
			expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
		} finally {
			t.close();
		}
	}, 90_000);

	test('run the drill: every step passes, checklist answered, report written', async () => {
		const t = await Terminal.start({env, columns: 80, rows: 24, cwd});
		try {
			await t.waitFor(/never passed a restore drill/);
			t.keys('d');
			await t.waitFor('Press enter to start');
			t.keys('Enter');
			await t.waitFor('pick another', 60_000);
			t.keys('Enter');
			for (let i = 0; i < 4; i++) {
				await t.waitFor('y/n', 30_000);
				t.keys(i === 1 ? 'n' : 'y');
				await new Promise(r => setTimeout(r, 300));
			}
			// One "no" in the checklist: the file restored, but never a plain pass.
			const screen = await t.waitFor('PASS WITH WARNINGS', 30_000);
			expect(screen).toContain('✓ Prove it');
			expect(screen).toContain('! Human checklist');
			const reports = readdirSync(path.join(repo.root, 'state/resto/drills'));
			expect(reports.filter(f => f.endsWith('.md')).length).toBe(1);
			const json = JSON.parse(
				readFileSync(
					path.join(
						repo.root,
						'state/resto/drills',
						reports.find(f => f.endsWith('.json'))!,
					),
					'utf8',
				),
			) as {verdict: string; answers: Record<string, string>};
			expect(json.verdict).toBe('pass-with-warnings');
			expect(json.answers['offsite-copy']).toBe('no');
			expect(existsSync(path.join(repo.root, 'state/resto/drills'))).toBe(true);
			t.keys('q');
		} finally {
			t.close();
		}
	}, 120_000);
});
