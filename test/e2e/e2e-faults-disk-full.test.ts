/**
 * Fault case: the cache directory's disk is full (a 200 KiB tmpfs as XDG_CACHE_HOME). Indexing and
 * searching must still work, the user is told the index could not be saved, and nothing half-written is
 * left that a later run would trust or that keeps eating the little space there is.
 */
import {execFile, execFileSync} from 'node:child_process';
import {mkdirSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {loadCache} from '../../source/index/cache.js';
import {ResticCli} from '../../source/restic/client.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {quit} from './faults-helpers.js';
import {cliPath, resticPids, Terminal} from './tmux.js';

/** Mount a tmpfs of `size` at `dir`; the reason it cannot be done otherwise. */
function mountTmpfs(dir: string, size: string): string | undefined {
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], {stdio: 'pipe'});
		return undefined;
	} catch (error) {
		return `cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): ${String((error as {stderr?: Buffer}).stderr ?? error).trim()}`;
	}
}

function unmount(dir: string): void {
	try {
		execFileSync('umount', [dir], {stdio: 'pipe'});
	} catch {
		// not mounted
	}
}

// Decided before the tests are collected, so a machine without mount rights skips with the reason.
const probe = tempDir('resto-tmpfs-probe-');
const mountProblem = mountTmpfs(probe, '64k');
unmount(probe);
rmSync(probe, {recursive: true, force: true});
if (mountProblem) console.warn(`e2e-faults-disk-full skipped: ${mountProblem}`);

function cli(args: string[], env: Record<string, string>): Promise<{code: number; stdout: string; stderr: string}> {
	return new Promise(resolve => {
		execFile(process.execPath, [cliPath, ...args], {env: {...process.env, ...env}, maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) => {
			resolve({code: error ? Number((error as {code?: number}).code ?? 1) : 0, stdout, stderr});
		});
	});
}

describe('e2e faults: no space left on the cache directory', () => {
	let repo: TestRepo;
	let full: string;
	let cfg: string;
	let mounted = false;

	beforeAll(() => {
		if (mountProblem) return;
		repo = makeRepo();
		const src = path.join(repo.root, 'home');
		// A few thousand files: the index cache (~0.5 MB) cannot fit in 200 KiB.
		const files: Record<string, string> = {'documents/taxes/2023/return-final.pdf': 'final\n'};
		for (let d = 0; d < 40; d++) for (let f = 0; f < 100; f++) files[`projects/project-number-${d}/source-files/generated-module-with-a-long-name-${f}.ts`] = `${d}.${f}\n`;
		writeTree(src, files);
		repo.backup([src], {host: 'laptop'});
		writeTree(src, {'notes/new.md': 'new\n'});
		repo.backup([src], {host: 'laptop'});
		cfg = path.join(repo.root, 'config.yaml');
		writeFileSync(cfg, `repositories:\n  - name: home\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\n`);
		full = path.join(repo.root, 'full-cache');
		mkdirSync(full);
		const problem = mountTmpfs(full, '200k');
		if (problem) throw new Error(problem);
		mounted = true;
	}, 60_000);

	afterAll(() => {
		if (mounted) unmount(full);
		repo?.cleanup();
	});

	test.skipIf(Boolean(mountProblem))(
		'indexing and search work, the user is told, nothing partial is left, a later run works',
		async () => {
			const env = {RESTO_CONFIG: cfg, XDG_CACHE_HOME: full, XDG_STATE_HOME: path.join(repo.root, 'state')};
			const t = await Terminal.start({env, columns: 100, rows: 24});
			try {
				await t.waitFor(/home\s.*ok\s+2/);
				t.keys('s');
				let screen = await t.waitFor('2 snapshots indexed', 30_000);
				expect(screen).toMatch(/no space left on device/);
				t.type('tax2023pdf');
				screen = await t.waitFor(/1 match/);
				expect(screen).toContain('return-final.pdf');
				expect(screen).toMatch(/2 snapshots indexed/);
				// The first Esc leaves the query field, the second the search screen (the top screen ignores a third).
				await t.press('Escape', 2);
				await t.waitFor('LOCATION');
				expect([0, undefined]).toContain(await quit(t));
			} finally {
				t.close();
			}
			expect(resticPids(repo.repoPath)).toEqual([]);
			// No temporary or partial file stays behind to fill the disk, and nothing there is trusted that is not whole.
			const indexDir = path.join(full, 'resto', 'index');
			const left = readdirSync(indexDir);
			expect(left.filter(f => !f.endsWith('.idx') && f !== 'repositories.json')).toEqual([]);
			const repoId = await new ResticCli(repo.access).repoId();
			if (left.length > 0) expect(loadCache(repoId, indexDir).problem).toBeUndefined();

			// The CLI on the same full disk: works, and says why the index was not kept.
			const again = await cli(['search', 'tax2023pdf', '--repo', 'home', '--json'], env);
			expect(again.code, again.stderr).toBe(0);
			expect((JSON.parse(again.stdout) as {total: number}).total).toBe(1);
			expect(again.stderr).toMatch(/no space left on device/);
			expect(readdirSync(indexDir).filter(f => !f.endsWith('.idx') && f !== 'repositories.json')).toEqual([]);

			// With a normal cache directory a later run builds, saves and then trusts the cache.
			const roomy = {...env, XDG_CACHE_HOME: path.join(repo.root, 'cache')};
			const first = await cli(['search', 'tax2023pdf', '--repo', 'home', '--json'], roomy);
			expect(first.code, first.stderr).toBe(0);
			expect(first.stderr).not.toMatch(/could not save|discarded/);
			expect(loadCache(repoId, path.join(roomy.XDG_CACHE_HOME, 'resto', 'index')).index?.snapshots.length).toBe(2);
			const second = await cli(['search', 'tax2023pdf', '--repo', 'home', '--json'], roomy);
			expect(second.code).toBe(0);
			expect((JSON.parse(second.stdout) as {total: number}).total).toBe(1);
		},
		60_000,
	);
});
