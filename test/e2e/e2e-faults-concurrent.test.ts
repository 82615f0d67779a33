/**
 * Fault cases: two resto processes on one repository at the same time (real restic, real terminals).
 * - Two TUIs index the same repository into one cache directory at once.
 * - A second resto starts a backup while a TUI's backup is running.
 */
import {execFile} from 'node:child_process';
import {readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cacheFile, loadCache} from '../../source/index/cache.js';
import {ResticCli} from '../../source/restic/client.js';
import {makeRepo, tempDir, writeTree, type RestServer, type TestRepo} from '../helpers/restic.js';
import {quit, slowBackupFixture} from './faults-helpers.js';
import {cliPath, resticPids, Terminal} from './tmux.js';

/** Run `node build/cli.js ARGS`; resolves with its exit code and output, never rejects. */
function cli(args: string[], env: Record<string, string>, cwd: string): Promise<{code: number; stdout: string; stderr: string; ms: number}> {
	const started = Date.now();
	return new Promise(resolve => {
		execFile(process.execPath, [cliPath, ...args], {env: {...process.env, ...env}, cwd, maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) => {
			const code = error ? (typeof (error as {code?: unknown}).code === 'number' ? (error as {code: number}).code : 1) : 0;
			resolve({code, stdout, stderr, ms: Date.now() - started});
		});
	});
}

describe('e2e faults: two TUIs index one repository into one cache at the same time', () => {
	let repo: TestRepo;
	let env: Record<string, string>;
	let cwd: string;

	beforeAll(() => {
		repo = makeRepo();
		const src = path.join(repo.root, 'home');
		// Three snapshots of a few thousand files: long enough that both indexers overlap.
		const files: Record<string, string> = {'documents/taxes/2023/return-final.pdf': 'final\n'};
		for (let d = 0; d < 30; d++) for (let f = 0; f < 100; f++) files[`projects/p${d}/src/module-${f}.ts`] = `export const v = ${f};\n`;
		writeTree(src, files);
		repo.backup([src], {host: 'laptop'});
		writeTree(src, {'notes/a.md': 'a\n'});
		repo.backup([src], {host: 'laptop'});
		writeTree(src, {'notes/b.md': 'b\n'});
		repo.backup([src], {host: 'laptop'});
		const cfg = path.join(repo.root, 'config.yaml');
		writeFileSync(cfg, `repositories:\n  - name: home\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\n`);
		cwd = tempDir('resto-e2e-cwd-');
		env = {RESTO_CONFIG: cfg, XDG_CACHE_HOME: path.join(repo.root, 'cache'), XDG_STATE_HOME: path.join(repo.root, 'state')};
	}, 60_000);
	afterAll(() => repo.cleanup());

	test('both finish indexing and find the file; the cache left behind is valid; no restic or lock left', async () => {
		const a = await Terminal.start({env, columns: 80, rows: 24, cwd});
		const b = await Terminal.start({env, columns: 80, rows: 24, cwd});
		try {
			await Promise.all([a.waitFor(/home\s.*ok\s+3/), b.waitFor(/home\s.*ok\s+3/)]);
			a.keys('s');
			b.keys('s');
			// Both really index (neither had a cache to start from).
			await Promise.all([a.waitFor(/indexing|snapshots indexed/), b.waitFor(/indexing|snapshots indexed/)]);
			const [sa, sb] = await Promise.all([a.waitFor('3 snapshots indexed', 40_000), b.waitFor('3 snapshots indexed', 40_000)]);
			expect(sa).not.toMatch(/index: |discarded|could not save/);
			expect(sb).not.toMatch(/index: |discarded|could not save/);
			a.type('tax2023pdf');
			b.type('return final');
			const [ra, rb] = await Promise.all([a.waitFor('return-final.pdf'), b.waitFor('return-final.pdf')]);
			expect(ra).toMatch(/1 match/);
			expect(rb).toMatch(/1 match/);
			for (const t of [a, b]) {
				// The first Esc leaves the query field, the second the search screen (the top screen ignores a third).
				await t.press('Escape', 2);
				await t.waitFor('LOCATION');
				expect([0, undefined]).toContain(await quit(t));
			}
		} finally {
			a.close();
			b.close();
		}
		// The cache file both wrote is whole: one file, no temp files, verified by its checksum.
		const dir = path.join(env.XDG_CACHE_HOME!, 'resto', 'index');
		const repoId = await new ResticCli(repo.access).repoId();
		expect(readdirSync(dir)).toEqual([path.basename(cacheFile(repoId, dir))]);
		const loaded = loadCache(repoId, dir);
		expect(loaded.problem).toBeUndefined();
		expect(loaded.index?.snapshots.length).toBe(3);
		// A third resto trusts it: no listing needed, found at once.
		const third = await cli(['search', 'tax2023pdf', '--repo', 'home', '--json'], env, cwd);
		expect(third.code, third.stderr).toBe(0);
		expect(third.stderr).not.toMatch(/discarded|could not save|indexing/);
		const json = JSON.parse(third.stdout) as {total: number; results: Array<{path: string; versions: Array<{snapshots: string[]}>}>};
		expect(json.total).toBe(1);
		expect(json.results[0]!.path).toMatch(/documents\/taxes\/2023\/return-final\.pdf$/);
		expect(json.results[0]!.versions.flatMap(v => v.snapshots).length).toBe(3);
		expect(third.ms).toBeLessThan(10_000);
		expect(resticPids(repo.repoPath)).toEqual([]);
		expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
	}, 60_000);
});

describe('e2e faults: a second resto starts a backup while a TUI backup runs', () => {
	let repo: TestRepo;
	let server: RestServer;
	let env: Record<string, string>;
	let cwd: string;

	beforeAll(async () => {
		({repo, server, env, cwd} = await slowBackupFixture('resto-faults-backup-'));
	}, 60_000);
	afterAll(async () => {
		await server?.kill();
		repo?.cleanup();
	});

	test('the second (CLI and TUI) refuses clearly, the first completes, no lock left', async () => {
		const first = await Terminal.start({env, columns: 80, rows: 24, cwd});
		let second: Terminal | undefined;
		try {
			await first.waitFor(/home\s.*ok\s+0/);
			first.keys('b');
			await first.waitFor('everything');
			first.keys('Enter');
			await first.waitFor(/[1-9]\d* MiB\//, 20_000);
			expect(resticPids(server.url).length).toBeGreaterThan(0);

			// A scripted backup of the same repository refuses at once, saying why (exit 11: locked).
			const cliRun = await cli(['backup', 'everything'], env, cwd);
			expect(cliRun.code).toBe(11);
			expect(cliRun.stderr).toMatch(/another resto \(PID \d+.*\) is already backing up this repository/);
			expect(cliRun.ms).toBeLessThan(5000);

			// A second TUI says the same on its backup screen.
			second = await Terminal.start({env, columns: 80, rows: 24, cwd});
			// The repository list shows the running backup's (shared) lock with its holder.
			await second.waitFor(/home\s.*locked\s+0/);
			second.keys('b');
			await second.waitFor('everything');
			second.keys('Enter');
			// The message wraps wherever the PID and time put it: any whitespace between words.
			const refused = await second.waitFor(/another\s+resto\s+\(PID\s+\d+[^)]*\)\s+is\s+already\s+backing\s+up\s+this\s+repository/, 15_000);
			expect(refused).toMatch(/^failed$/m);
			// Nothing ran: the bar must not claim a finished backup.
			expect(refused).not.toContain('██████████');
			// …while the first backup's restic is still at work.
			expect(resticPids(server.url).length).toBeGreaterThan(0);
			await quit(second);

			// The first one was not disturbed: it finishes and writes its snapshot.
			const done = await first.waitFor(/snapshot [0-9a-f]{8}/, 40_000);
			expect(done).toMatch(/done/);
			expect(done).not.toMatch(/failed|canceled/);
			expect([0, undefined]).toContain(await quit(first));
		} finally {
			first.close();
			second?.close();
		}
		expect((await new ResticCli(repo.access).snapshots()).length).toBe(1);
		expect(resticPids(server.url)).toEqual([]);
		expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
		// resto's own per-repository backup lock is released too: a backup now starts (dry run) fine.
		const after = await cli(['backup', 'everything', '--dry-run'], env, cwd);
		expect(after.code, after.stderr).toBe(0);
	}, 60_000);
});
