/**
 * A drill restores into a temporary directory and removes it when it ends; a resto killed with SIGKILL
 * mid-restore cannot, so the next drill removes the temporary directories of resto processes that are gone
 * (never a kept one, a live one, or anything without the drill's marker). Real restic and the built CLI.
 */
import {spawn, spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliPath, resticPids} from '../e2e/tmux.js';
import {makeRepo, tempDir, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let work: string;
let drillTmp: string;

beforeAll(() => {
	work = tempDir('resto-drillsweep-');
	drillTmp = path.join(work, 'tmp');
	mkdirSync(drillTmp);
	repo = makeRepo();
	// One file, large enough that its restore is still running when resto is killed.
	const src = path.join(repo.root, 'src');
	mkdirSync(src);
	const big = Buffer.alloc(96 << 20);
	for (let i = 0; i < big.length; i += 1 << 20) randomBytes(1 << 20).copy(big, i);
	writeFileSync(path.join(src, 'big.bin'), big);
	repo.backup([src]);
}, 120_000);

afterAll(() => repo.cleanup());

function env(): NodeJS.ProcessEnv {
	return {
		...process.env,
		RESTIC_REPOSITORY: undefined,
		RESTIC_PASSWORD_FILE: repo.passwordFile,
		RESTO_DRILL_TMPDIR: drillTmp,
		XDG_CONFIG_HOME: path.join(work, 'config'),
		XDG_CACHE_HOME: path.join(work, 'cache'),
		XDG_STATE_HOME: path.join(work, 'state'),
	};
}

const drill = () => spawnSync(process.execPath, [cliPath, 'drill', '--repo', repo.repoPath, '--yes', '--seed', '1'], {env: env(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000});

/** A PID no process has: one that ran and was reaped. */
const deadPid = () => spawnSync('sh', ['-c', 'echo $$'], {encoding: 'utf8'}).stdout.trim();

describe('drill temporary directories', () => {
	test('a drill whose resto was SIGKILLed mid-restore leaves its partial restore; the next drill removes it', async () => {
		const child = spawn(process.execPath, [cliPath, 'drill', '--repo', repo.repoPath, '--yes', '--seed', '1'], {env: env(), stdio: 'ignore'});
		const deadline = Date.now() + 60_000;
		let restoring: string | undefined;
		while (Date.now() < deadline && !restoring) {
			restoring = readdirSync(drillTmp).find(d => existsSync(path.join(drillTmp, d, 'restore')) && resticPids(repo.repoPath).length > 0);
			if (!restoring) await new Promise(r => setTimeout(r, 20));
		}
		expect(restoring, 'the drill got to its restore').toBeDefined();
		expect(restoring).toMatch(new RegExp(`^resto-drill-${child.pid}-[A-Za-z0-9]{6}$`));
		const exited = new Promise(resolve => child.on('exit', resolve));
		child.kill('SIGKILL');
		await exited;
		expect(await waitGone(() => resticPids(repo.repoPath).length === 0)).toBe(true);
		// Nothing could remove it: resto was killed.
		expect(readdirSync(drillTmp)).toEqual([restoring]);
		const next = drill();
		expect(next.status, next.stderr).toBe(0);
		expect(readdirSync(drillTmp)).toEqual([]);
		// The killed restic left its lock behind (stale: its PID is gone).
		repo.restic(['unlock']);
	}, 120_000);

	test('kept, live and unmarked directories stay', () => {
		const dead = deadPid();
		const make = (name: string, files: string[]) => {
			const dir = path.join(drillTmp, name);
			mkdirSync(dir);
			for (const f of files) writeFileSync(path.join(dir, f), 'x\n');
			return dir;
		};
		const stale = make(`resto-drill-${dead}-Stale1`, ['.resto-drill']);
		const kept = make(`resto-drill-${dead}-Kept12`, ['.resto-drill', '.resto-drill-kept']);
		const unmarked = make(`resto-drill-${dead}-NoMark`, ['something.txt']);
		const live = make(`resto-drill-${process.ppid}-Live12`, ['.resto-drill']);
		const r = drill();
		expect(r.status, r.stderr).toBe(0);
		expect(existsSync(stale)).toBe(false);
		for (const dir of [kept, unmarked, live]) expect(existsSync(dir), dir).toBe(true);
		expect(readdirSync(drillTmp).sort()).toEqual([kept, live, unmarked].map(d => path.basename(d)).sort());
	}, 90_000);
});

async function waitGone(ok: () => boolean, ms = 10_000): Promise<boolean> {
	const end = Date.now() + ms;
	// True the moment `ok` holds: asking again after the loop could see a passing state already gone.
	for (;;) {
		if (ok()) return true;
		if (Date.now() >= end) return false;
		await new Promise(r => setTimeout(r, 50));
	}
}
