/**
 * `resto check` (built CLI, real restic 0.14): a healthy repository, a damaged one (a pack removed: named
 * with what to do, exit 1), a locked one (exit 11), a missing one (exit 10), a wrong password (exit 12), a bad
 * --read-data-subset (exit 2). Every run goes to the run log; the repositories screen shows the last
 * unattended check beside the last unattended backup, and a failed backup is not hidden by a later good check.
 */
import {spawn} from 'node:child_process';
import {copyFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {parseRunLog, type RunRecord} from '../../source/ops/run-log.js';
import {ResticCli} from '../../source/restic/client.js';
import {loadTheme} from '../../source/theme/load.js';
import {renderAt, waitForText} from '../helpers/ink.js';
import {filesUnder, makeRepo, resticTestEnv, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {resto} from './helpers.js';

let repo: TestRepo;
let xdg: string;
let env: Record<string, string>;

beforeAll(() => {
	xdg = tempDir('resto-check-');
	repo = makeRepo();
	const src = path.join(repo.root, 'src');
	writeTree(src, {'a.txt': 'a\n', 'big.bin': Buffer.alloc(300_000, 7)});
	repo.backup([src]);
	writeTree(src, {'b.txt': 'b\n'});
	repo.backup([src]);
	const config = path.join(xdg, 'config.yaml');
	writeFileSync(
		config,
		`repositories:
  - name: usb
    repository: ${repo.repoPath}
    passwordFile: ${repo.passwordFile}
  - name: gone
    repository: ${path.join(xdg, 'nope')}
    passwordFile: ${repo.passwordFile}
  - name: wrongpw
    repository: ${repo.repoPath}
    password: not the password
`,
		{mode: 0o600},
	);
	env = {RESTO_CONFIG: config};
});

afterAll(() => {
	repo?.cleanup();
	rmSync(xdg, {recursive: true, force: true});
});

function runLog(): RunRecord[] {
	const dir = path.join(xdg, 'state', 'resto', 'runs');
	return readdirSync(dir)
		.filter(f => f.endsWith('.jsonl'))
		.flatMap(f => parseRunLog(readFileSync(path.join(dir, f), 'utf8')))
		.filter(r => r.op === 'check')
		.sort((a, b) => a.start.localeCompare(b.start));
}

describe('resto check (built CLI, real restic)', () => {
	test('a healthy repository: exit 0, JSON result, a run-log record', () => {
		const r = resto(xdg, ['check', '--repo', 'usb', '--read-data-subset', '1/1', '--json', '--unattended'], env);
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		const out = JSON.parse(r.stdout) as {ok: boolean; summary: string; damage: unknown[]; readDataSubset: string};
		expect(out).toMatchObject({ok: true, summary: 'no errors were found', damage: [], readDataSubset: '1/1'});
		const rec = runLog().at(-1)!;
		expect(rec).toMatchObject({op: 'check', repository: 'usb', result: 'ok', exitCode: 0, unattended: true});
		expect(rec.repositoryId).toMatch(/^[0-9a-f]{64}$/);
		// Text mode: restic's lines and the verdict on stderr.
		const t = resto(xdg, ['check', '--repo', 'usb'], env);
		expect(t.status).toBe(0);
		expect(t.stdout).toBe('');
		expect(t.stderr).toMatch(/usb: no errors were found in /);
		expect(runLog().at(-1)).toMatchObject({result: 'ok', unattended: false});
	});

	test('a removed pack: named with what to do, exit 1, failed run recorded', () => {
		const pack = filesUnder(path.join(repo.repoPath, 'data')).sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
		const saved = path.join(repo.root, 'saved.pack');
		copyFileSync(pack, saved);
		rmSync(pack);
		try {
			const r = resto(xdg, ['check', '--repo', 'usb', '--json', '--unattended'], env);
			expect(r.status).toBe(1);
			const out = JSON.parse(r.stdout) as {ok: boolean; damage: Array<{packId: string}>; advice: string};
			expect(out.ok).toBe(false);
			expect(out.damage.map(d => d.packId)).toContain(path.basename(pack));
			expect(out.advice).toMatch(/repair|rebuild-index|backup/i);
			const rec = runLog().at(-1)!;
			expect(rec).toMatchObject({op: 'check', result: 'failed', exitCode: 1, unattended: true});
			expect(rec.message).toContain(path.basename(pack).slice(0, 8));
			const t = resto(xdg, ['check', '--repo', 'usb'], env);
			expect(t.status).toBe(1);
			expect(t.stderr).toContain(`pack ${path.basename(pack)}`);
		} finally {
			copyFileSync(saved, pack);
			rmSync(saved);
		}
	});

	test('locked, missing, wrong password, bad subset: the exit codes of the shared table', async () => {
		// An exclusive lock left by a restic check killed with SIGKILL (restic 0.14 honours even a stale one).
		const holder = spawn('restic', ['check'], {env: resticTestEnv(repo.access), stdio: 'ignore'});
		const locks = path.join(repo.repoPath, 'locks');
		const until = Date.now() + 60_000;
		while (readdirSync(locks).filter(f => !f.includes('-tmp-')).length === 0 && Date.now() < until) await new Promise(r => setTimeout(r, 5));
		holder.kill('SIGKILL');
		await new Promise(r => holder.once('exit', r));
		try {
			const r = resto(xdg, ['check', '--repo', 'usb', '--json'], env);
			expect(r.status).toBe(11);
			expect(JSON.parse(r.stdout)).toMatchObject({ok: false, kind: 'locked'});
			expect(runLog().at(-1)).toMatchObject({result: 'failed', exitCode: 11});
		} finally {
			repo.restic(['unlock', '--remove-all']);
		}
		expect(resto(xdg, ['check', '--repo', 'gone'], env).status).toBe(10);
		expect(runLog().at(-1)).toMatchObject({repository: 'gone', result: 'failed', exitCode: 10});
		expect(resto(xdg, ['check', '--repo', 'wrongpw'], env).status).toBe(12);
		const bad = resto(xdg, ['check', '--repo', 'usb', '--read-data-subset', '7/3'], env);
		expect(bad.status).toBe(2);
		expect(bad.stderr).toMatch(/read-data-subset/);
	}, 120_000);

	test('the repositories screen shows the last unattended check beside a failed unattended backup', async () => {
		const saved = {...process.env};
		process.env.XDG_STATE_HOME = path.join(xdg, 'state');
		process.env.RESTIC_CACHE_DIR = path.join(xdg, 'restic-cache');
		// A failed unattended backup of a set, then a good unattended check.
		const cfg = path.join(xdg, 'config-set.yaml');
		writeFileSync(cfg, `repositories:\n  - name: usb\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\nbackupSets:\n  - name: home\n    repository: usb\n    paths: [${path.join(xdg, 'no-such-source')}]\n`);
		const b = resto(xdg, ['backup', 'home', '--unattended'], {RESTO_CONFIG: cfg});
		expect(b.status).not.toBe(0);
		expect(resto(xdg, ['check', '--repo', 'usb', '--unattended'], env).status).toBe(0);
		const config: Config = {repositories: [{name: 'usb', access: repo.access}], backupSets: [], drill: {months: 3, files: 1}, source: 'file'};
		const ui = renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} />, 120, 30);
		try {
			const frame = await waitForText(ui.lastFrame, /last unattended check: ok .* · backup of home: (failed|partial)/, 60_000);
			expect(frame).toMatch(/backup failed: /);
		} finally {
			ui.unmount();
			process.env = saved;
		}
	}, 120_000);
});
