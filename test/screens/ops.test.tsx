import {existsSync, readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {verifyUnits} from '../../source/ops/schedule-install.js';
import {systemdRunning} from '../../source/ops/schedule-state.js';
import {ResticCli} from '../../source/restic/client.js';
import {liveProcessCount} from '../../source/restic/run.js';
import {loadTheme} from '../../source/theme/load.js';
import {keys, renderAt, tick, waitForFrame, waitForText} from '../helpers/ink.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {cliPath} from '../e2e/tmux.js';

let repo: TestRepo;
let xdg: string;
let src: string;
let config: Config;
const saved = {...process.env};

beforeAll(() => {
	xdg = tempDir('resto-ops-screens-');
	process.env.XDG_STATE_HOME = path.join(xdg, 'state');
	process.env.RESTO_UNIT_DIR = path.join(xdg, 'units');
	process.env.RESTO_BIN = cliPath;
	process.env.RESTIC_CACHE_DIR = path.join(xdg, 'restic-cache');
	repo = makeRepo();
	src = path.join(repo.root, 'src');
	writeTree(src, {'a.txt': 'a\n'});
	for (const [i, t] of ['2026-01-05 10:00:00', '2026-01-20 10:00:00', '2026-02-03 10:00:00', '2026-03-01 10:00:00', '2026-03-02 10:00:00', '2026-03-03 10:00:00'].entries()) {
		writeTree(src, {[`f${i}.txt`]: `${i}\n`});
		repo.backup([src], {time: t, host: 'laptop'});
	}
	config = {
		repositories: [
			{
				name: 'local',
				access: repo.access,
				ops: {
					retention: {keepLast: 2, keepMonthly: 2},
					copies: [
						{
							name: 'mirror',
							type: 'rclone',
							target: path.join(xdg, 'mirror'),
							medium: 'nas',
						},
					],
				},
			},
		],
		backupSets: [
			{
				name: 'home',
				repository: 'local',
				paths: [src],
				lowPriority: true,
				schedule: {calendar: 'weekly', randomizedDelay: '1h'},
			},
		],
		drill: {months: 3, files: 1},
		source: 'file',
	};
});

afterAll(() => {
	process.env = saved;
	repo?.cleanup();
	rmSync(xdg, {recursive: true, force: true});
});

/** Wait until every restic resto started has exited (a screen left stops its restic with SIGINT). */
async function noResticRunning(timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (liveProcessCount() > 0) {
		if (Date.now() > deadline) throw new Error(`${liveProcessCount()} restic still running`);
		await tick(20);
	}
}

/** The locks restic sees in the test repository (none may be left by a screen). */
function lockFiles(): string[] {
	return repo.restic(['list', 'locks', '--no-lock']).split('\n').filter(Boolean);
}

afterEach(async () => {
	await noResticRunning();
});

function app() {
	return renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} />, 100, 30);
}

describe('operations screens (real restic, rclone, systemd-analyze)', () => {
	test('retention: timeline with reasons, restic agrees, refusal, apply after typing the name', async () => {
		const ui = app();
		// Edit the policy field: wait for each step to show before the next (keys come in chunks under load).
		const setPolicy = async (text: string) => {
			ui.stdin.write('e');
			await waitForText(ui.lastFrame, 'policy: --');
			for (let i = 0; i < 40; i++) ui.stdin.write(keys.backspace);
			// Empty: the field shows its placeholder.
			await waitForText(ui.lastFrame, 'policy: --keep-daily 7 --keep-weekly 4');
			for (const ch of text) ui.stdin.write(ch);
			await waitForFrame(ui.lastFrame, f => f.includes(`policy: ${text}`));
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, `policy (config): ${text}`);
		};
		try {
			await waitForText(ui.lastFrame, /ok\s+6/);
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, 'laptop');
			ui.stdin.write('f');
			let frame = await waitForText(ui.lastFrame, 'restic agrees', 60_000);
			expect(frame).toMatch(/policy \(config\): --keep-last 2 --keep-monthly 2/);
			expect(frame).toMatch(/keep 3 · remove 3 of 6/);
			expect(frame).toMatch(/2026-03 .* keep 2, remove 1/);
			expect(frame).toMatch(/keep {3}[0-9a-f]{8} 2026-03-03 \d\d:00 +laptop +last snapshot, monthly snapshot/);
			expect(frame).toMatch(/remove [0-9a-f]{8} 2026-03-01/);
			frame = await waitForText(ui.lastFrame, 'prune frees', 60_000);
			expect(lockFiles()).toEqual([]);
			// A policy that keeps nothing: refused.
			await setPolicy('--keep-tag nope');
			frame = await waitForText(ui.lastFrame, 'would delete every snapshot (6); refusing');
			ui.stdin.write('x');
			await tick(100);
			expect(repo.restic(['snapshots', '--json', '--no-lock'])).toMatch(/(?:"id".*){6}/s);
			// Back to keep-last 4 and apply it.
			await setPolicy('--keep-last 4');
			await waitForText(ui.lastFrame, /keep 4 · remove 2 of 6 · restic agrees/, 60_000);
			ui.stdin.write('x');
			await waitForText(ui.lastFrame, 'type "local" to forget 2 snapshot(s)');
			for (const ch of 'loca') ui.stdin.write(ch);
			await waitForText(ui.lastFrame, 'to forget 2 snapshot(s): loca');
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, 'did not match');
			expect((JSON.parse(repo.restic(['snapshots', '--json', '--no-lock'])) as unknown[]).length).toBe(6);
			// Applied while the prune estimate may still hold restic 0.14's exclusive lock: the forget waits
			// for it to stop instead of failing on the lock.
			ui.stdin.write('x');
			await waitForText(ui.lastFrame, 'type "local"');
			for (const ch of 'local') ui.stdin.write(ch);
			await waitForText(ui.lastFrame, 'to forget 2 snapshot(s): local');
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, 'Forgot 2 snapshot(s)', 60_000);
			expect((JSON.parse(repo.restic(['snapshots', '--json', '--no-lock'])) as unknown[]).length).toBe(4);
			await waitForText(ui.lastFrame, /keep 4 · remove 0 of 4/, 60_000);
			await noResticRunning();
			expect(lockFiles()).toEqual([]);
		} finally {
			ui.unmount();
		}
	}, 240_000);

	test('retention: leaving the screen while restic runs stops it and leaves no lock', async () => {
		const ui = app();
		try {
			await waitForText(ui.lastFrame, /ok\s+\d/);
			// Snapshots to remove, so the prune estimate (exclusive lock in restic 0.14) runs.
			for (const t of ['2025-06-01 10:00:00', '2025-07-01 10:00:00']) repo.backup([src], {time: t, host: 'laptop'});
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, 'laptop');
			for (let round = 0; round < 3; round++) {
				ui.stdin.write('f');
				// Leave as soon as restic's dry run or the estimate is under way.
				await waitForText(ui.lastFrame, /restic dry run…|estimating prune…/, 60_000);
				ui.stdin.write(keys.escape);
				await waitForFrame(ui.lastFrame, f => !f.includes('policy ('));
				await noResticRunning();
				expect(lockFiles()).toEqual([]);
			}
			// The repository is usable at once: an exclusive operation succeeds.
			repo.restic(['forget', '--keep-last', '4']);
			expect((JSON.parse(repo.restic(['snapshots', '--json', '--no-lock'])) as unknown[]).length).toBe(4);
		} finally {
			ui.unmount();
		}
	}, 240_000);

	test('3-2-1 screen: copy with progress, then a schedule installed from the TUI passes systemd-analyze verify', async () => {
		const ui = app();
		try {
			await waitForText(ui.lastFrame, /ok\s+\d/);
			ui.stdin.write('o');
			let frame = await waitForText(ui.lastFrame, 'set home', 60_000);
			expect(frame).toMatch(/FAIL set home +1 copies, 1 media, no offsite/);
			expect(frame).toMatch(/weekly, not installed, next \d{4}-\d\d-\d\d 00:00/);
			// Where systemd is not PID 1 the panel says so and points at the cron line.
			if (!systemdRunning().running) frame = await waitForText(ui.lastFrame, /no systemd here \(not PID 1\), timers do not fire: resto schedule home --cron/);
			ui.stdin.write('c');
			frame = await waitForText(ui.lastFrame, /set home +2 copies, 2 media, no offsite/, 90_000);
			expect(frame).toMatch(/✓ mirror +nas +onsite +newest/);
			expect(existsSync(path.join(xdg, 'mirror', 'config'))).toBe(true);
			ui.stdin.write('i');
			frame = await waitForText(ui.lastFrame, '# resto-home.timer');
			expect(frame).toMatch(/OnCalendar=weekly/);
			expect(frame).toMatch(/Press i again to write these units/);
			expect(existsSync(path.join(xdg, 'units'))).toBe(false);
			ui.stdin.write('i');
			// The question wraps inside its box where the temp path is long.
			frame = await waitForText(ui.lastFrame, /Install these units into[\s\S]*enable[\s│]*resto-home\.timer\?/);
			ui.stdin.write('y');

			await waitForText(ui.lastFrame, /Units written to .*units/s, 60_000);
			const dir = path.join(xdg, 'units');
			expect(readdirSync(dir).sort()).toEqual(['resto-home-failure@.service', 'resto-home.service', 'resto-home.timer', 'timers.target.wants']);
			const verify = await verifyUnits(['resto-home.timer', 'resto-home.service', 'resto-home-failure@.service'].map(f => path.join(dir, f)));
			expect(verify).toEqual({available: true, ok: true, output: ''});
			await waitForText(ui.lastFrame, 'weekly, timer on', 60_000);
		} finally {
			ui.unmount();
		}
	}, 240_000);
});
