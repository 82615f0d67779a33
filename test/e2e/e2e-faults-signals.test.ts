/**
 * Fault cases: SIGHUP / SIGINT to the TUI process while restic works for it, in a drill and in a restore
 * started from the search screen. Afterwards no restic runs, no lock is left, a partial restore is marked
 * incomplete (or absent), and the drill's temporary restore directory is gone.
 */
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {ResticCli} from '../../source/restic/client.js';
import {incompleteMarker} from '../../source/restore/restore.js';
import {makeRepo, tempDir, type TestRepo} from '../helpers/restic.js';
import {waitForExit, waitUntil} from './faults-helpers.js';
import {restoreDirs, resticPids, Terminal} from './tmux.js';

let repo: TestRepo;
let cfg: string;

beforeAll(() => {
	repo = makeRepo();
	// One large random file: the drill must pick it, and restoring it takes a moment.
	const src = path.join(repo.root, 'home');
	mkdirSync(src);
	const big = Buffer.alloc(200 << 20);
	for (let i = 0; i < big.length; i += 1 << 20) randomBytes(1 << 20).copy(big, i);
	writeFileSync(path.join(src, 'big.bin'), big);
	repo.backup([src], {host: 'laptop'});
	cfg = path.join(repo.root, 'config.yaml');
	writeFileSync(cfg, `repositories:\n  - name: home\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\n`);
}, 60_000);

const scenes: string[] = [];
afterAll(() => {
	repo.cleanup();
	// Partial restores of a 200 MB file: do not leave them in /tmp.
	for (const dir of scenes) rmSync(dir, {recursive: true, force: true});
});

/** A fresh environment: own cache, state, drill temp dir and working directory. */
function scene() {
	const dir = tempDir('resto-faults-sig-');
	scenes.push(dir);
	const drillTmp = path.join(dir, 'drill-tmp');
	const cwd = path.join(dir, 'cwd');
	mkdirSync(drillTmp);
	mkdirSync(cwd);
	// HOME is the working directory: restores go to ~/resto-restore/<id>-<time>.
	const env = {HOME: cwd, RESTO_CONFIG: cfg, XDG_CACHE_HOME: path.join(dir, 'cache'), XDG_STATE_HOME: path.join(dir, 'state'), RESTO_DRILL_TMPDIR: drillTmp};
	return {dir, drillTmp, cwd, restored: path.join(cwd, 'resto-restore'), env};
}

/** A process's command line, '' once it is gone. */
function commandLine(pid: number): string {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
	} catch {
		return '';
	}
}

async function expectCleanRepository(): Promise<void> {
	expect(await waitUntil(() => resticPids(repo.repoPath).length === 0, 10_000, 50)).toBe(true);
	expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
}

describe.each([['SIGHUP'], ['SIGINT']] as const)('e2e faults: %s to resto while restic works', signal => {
	test('during a drill restore: restic stopped, no lock, the temporary restore removed', async () => {
		const {drillTmp, cwd, env} = scene();
		const t = await Terminal.start({env, columns: 80, rows: 24, cwd});
		try {
			await t.waitFor(/home\s.*ok\s+1/);
			t.keys('d');
			await t.waitFor('Press enter to start');
			t.keys('Enter');
			// The pick's own lines (the step line above them is cut to the width, so it may not show the size).
			await t.waitFor(/Picked .*big\.bin\s*\n\s*200 MiB from snapshot[\s\S]*enter restore it/, 30_000);
			t.keys('Enter');
			// restic restore is writing into the drill's temporary directory.
			const restoring = () => readdirSync(drillTmp).some(d => d.startsWith('resto-drill-')) && resticPids(repo.repoPath).length > 0;
			expect(await waitUntil(restoring, 15_000, 20)).toBe(true);
			expect(t.screen()).toMatch(/… Restore it|Restore it/);
			const pid = t.pid()!;
			process.kill(pid, signal);
			await waitForExit(t, pid);
		} finally {
			t.close();
		}
		await expectCleanRepository();
		expect(readdirSync(drillTmp)).toEqual([]);
		// The drill got to finish: its report says it was aborted at the restore step.
		const reports = path.join(env.XDG_STATE_HOME, 'resto', 'drills');
		const json = readdirSync(reports).filter(f => f.endsWith('.json'));
		expect(json.length).toBe(1);
		const report = JSON.parse(readFileSync(path.join(reports, json[0]!), 'utf8')) as {verdict: string; failedStep?: string};
		expect(report.verdict).toBe('aborted');
		expect(report.failedStep).toBe('restore');
	}, 60_000);

	test('during a restore from the search screen: restic stopped, no lock, the partial restore marked incomplete', async () => {
		const {cwd, restored, env} = scene();
		const t = await Terminal.start({env, columns: 80, rows: 24, cwd});
		try {
			await t.waitFor(/home\s.*ok\s+1/);
			t.keys('s');
			await t.waitFor('1 snapshot indexed', 30_000);
			t.type('bigbin');
			await t.waitFor('1 version in 1 snapshot');
			t.keys('Tab');
			await t.waitFor('enter preview');
			t.keys('C-o');
			await t.waitFor('a new folder, created for this restore');
			t.keys('Enter');
			const restoring = () => {
				const d = restoreDirs(restored)[0];
				// restic restore itself (the `restic ls` before it also runs while the marker is written).
				return d !== undefined && existsSync(path.join(restored, d, incompleteMarker)) && resticPids(repo.repoPath).some(p => commandLine(p).includes(' restore '));
			};
			expect(await waitUntil(restoring, 15_000, 20)).toBe(true);
			const pid = t.pid()!;
			process.kill(pid, signal);
			await waitForExit(t, pid);
		} finally {
			t.close();
		}
		await expectCleanRepository();
		// Whatever restic managed to write is still flagged as incomplete.
		const dirs = restoreDirs(restored);
		expect(dirs.length).toBeLessThanOrEqual(1);
		for (const d of dirs) expect(existsSync(path.join(restored, d, incompleteMarker))).toBe(true);
	}, 60_000);
});

describe('e2e: quitting (q) while a restore runs', () => {
	test('asks, stops restic, and says on the normal screen where the .resto-incomplete marker was left', async () => {
		const {cwd, env} = scene();
		const t = await Terminal.start({env, columns: 100, rows: 30, cwd});
		try {
			await t.waitFor(/home\s.*ok\s+1/);
			t.keys('s');
			await t.waitFor('1 snapshot indexed', 30_000);
			t.type('bigbin');
			await t.waitFor('1 version in 1 snapshot');
			t.keys('Tab');
			await t.waitFor('enter preview');
			t.keys('C-o');
			await t.waitFor('Restore file');
			t.keys('Enter');
			const restores = path.join(cwd, 'resto-restore');
			const target = () => (existsSync(restores) ? readdirSync(restores)[0] : undefined);
			expect(await waitUntil(() => target() !== undefined && resticPids(repo.repoPath).length > 0, 15_000, 20)).toBe(true);
			t.keys('q');
			await t.waitFor(/still running\. Stop it/);
			t.keys('y');
			await t.waitFor(() => t.exitStatus() !== undefined, 20_000);
			const marker = path.join(restores, target()!, incompleteMarker);
			expect(existsSync(marker)).toBe(true);
			// The alternate screen is gone; the message stays on the normal one, with the marker's full path.
			// The terminal wraps the long path anywhere: read the screen as one line.
			await t.waitFor(screen => screen.replace(/\n/g, '').includes('resto-incomplete (the files next to'), 5000);
			const raw = t.raw().toString('utf8');
			const after = raw.slice(raw.lastIndexOf('\u001B[?1049l')).replace(/\r?\n/g, '');
			expect(after).toMatch(/Restore of \/.*\/big\.bin stopped\. It left a \.resto-incomplete marker: /);
			expect(after).toContain(marker);
		} finally {
			t.close();
		}
		await expectCleanRepository();
	}, 60_000);
});
