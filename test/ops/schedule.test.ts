import {execFileSync} from 'node:child_process';
import {existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {buildUnits, cronLine, onBatteryFrom, parseCalendarOutput, systemdQuote, systemdUnquote, unitsText, type ScheduleTarget} from '../../source/ops/schedule.js';
import {verifyUnits, writeUnits} from '../../source/ops/schedule-install.js';
import {parseRunLog} from '../../source/ops/run-log.js';
import {journalRunFrom, parseJournalLast, parseSystemctlShow, parseSystemdTime, systemdRunning} from '../../source/ops/schedule-state.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {cliPath, resto} from './helpers.js';

const command = {
	executable: process.execPath,
	args: [cliPath],
	configFile: '/etc/resto/config.yaml',
};
const target: ScheduleTarget = {
	set: 'home',
	lowPriority: true,
	repository: '/media/usb/restic',
	schedule: {
		calendar: 'Sun 03:00',
		randomizedDelay: '1h',
		wakeSystem: true,
		onBattery: 'skip',
		onFailure: 'echo "$RESTO_FAILED_UNIT failed 100%" >> "$HOME/failures"',
	},
};

describe('unit builders (pure)', () => {
	test('timer and service carry the schedule, priority, battery and failure settings', () => {
		const [timer, service, failure] = buildUnits(target, command);
		expect(timer!.name).toBe('resto-home.timer');
		expect(timer!.text).toMatch(/^OnCalendar=Sun 03:00$/m);
		expect(timer!.text).toMatch(/^Persistent=true$/m);
		expect(timer!.text).toMatch(/^RandomizedDelaySec=1h$/m);
		expect(timer!.text).toMatch(/^WakeSystem=true$/m);
		expect(timer!.text).toMatch(/^WantedBy=timers.target$/m);
		expect(service!.text).toMatch(/^Nice=19$/m);
		expect(service!.text).toMatch(/^IOSchedulingClass=idle$/m);
		expect(service!.text).toMatch(/^OnFailure=resto-home-failure@%n.service$/m);
		expect(service!.text).toMatch(/^ConditionACPower=true$/m);
		expect(service!.text).toContain(`ExecStart=${process.execPath} ${cliPath} backup home --unattended`);
		expect(service!.text).toMatch(/^Environment=RESTO_CONFIG=\/etc\/resto\/config.yaml$/m);
		expect(failure!.name).toBe('resto-home-failure@.service');
		// $ and % doubled so systemd passes them to the shell untouched.
		expect(failure!.text).toContain('ExecStart=/bin/sh -c "echo \\"$$RESTO_FAILED_UNIT failed 100%%\\" >> \\"$$HOME/failures\\""');
		const plain = buildUnits({...target, lowPriority: false, schedule: {calendar: 'daily'}}, command);
		expect(plain[1]!.text).not.toMatch(/Nice=|ConditionACPower|WakeSystem/);
		expect(plain[0]!.text).not.toMatch(/WakeSystem|RandomizedDelaySec/);
	});

	test('dry-run text names each file in a comment line', () => {
		const text = unitsText(buildUnits(target, command));
		expect(text.split('\n').filter(l => l.startsWith('# resto-'))).toEqual(['# resto-home.timer', '# resto-home.service', '# resto-home-failure@.service']);
	});

	test('quoting round-trips and rejects newlines', () => {
		for (const w of ['/opt/my dir/resto', 'a"b\\c', '50%', '$HOME']) expect(systemdUnquote(systemdQuote(w))).toBe(w);
		expect(() => systemdQuote('a\nb')).toThrow(/newlines/);
		expect(() => buildUnits({...target, set: '../x'}, command)).toThrow(/not a backup set name/);
	});

	test('cron lines for shorthands and Dow HH:MM; others say why not', () => {
		expect(cronLine({...target, schedule: {calendar: 'weekly'}}, command).line).toMatch(/^0 0 \* \* 1 RESTO_CONFIG=\/etc\/resto\/config.yaml nice -n 19 ionice -c 3 /);
		expect(cronLine(target, command).line).toMatch(/^0 3 \* \* 0 RESTO_CONFIG=\S+ RESTO_ON_BATTERY=skip nice/);
		expect(cronLine(target, command).line).toMatch(/ \|\| echo .*100\\%/);
		expect(cronLine({...target, schedule: {calendar: 'Mon..Fri 22:30'}}, command).line).toMatch(/^30 22 \* \* 1-5 /);
		expect(cronLine({...target, schedule: {calendar: '*-*-1/2 03:00'}}, command).reason).toMatch(/no simple cron form/);
	});

	test('systemd-analyze calendar output (UTC and another zone)', () => {
		const utc = '  Original form: weekly\nNormalized form: Mon *-*-* 00:00:00\n    Next elapse: Mon 2026-12-07 00:00:00 UTC\n       From now: 5 days left\n       Iter. #2: Mon 2026-12-14 00:00:00 UTC\n';
		expect(parseCalendarOutput(utc)).toEqual({
			normalized: 'Mon *-*-* 00:00:00',
			next: [Date.UTC(2026, 11, 7), Date.UTC(2026, 11, 14)],
		});
		const cet = '    Next elapse: Mon 2026-12-07 00:00:00 CET\n       (in UTC): Sun 2026-12-06 23:00:00 UTC\n';
		expect(parseCalendarOutput(cet).next).toEqual([Date.UTC(2026, 11, 6, 23)]);
	});

	test('systemd state: PID 1 rule, systemctl show values, the newest journal entry', () => {
		const root = tempDir('resto-sdroot-');
		try {
			mkdirSync(path.join(root, 'proc', '1'), {recursive: true});
			writeFileSync(path.join(root, 'proc', '1', 'comm'), 'tini\n');
			expect(systemdRunning(`${root}/`)).toEqual({running: false, reason: expect.stringMatching(/PID 1 is tini/)});
			mkdirSync(path.join(root, 'run', 'systemd', 'system'), {recursive: true});
			expect(systemdRunning(`${root}/`)).toEqual({running: true});
		} finally {
			rmSync(root, {recursive: true, force: true});
		}
		const timer = parseSystemctlShow('NextElapseUSecRealtime=@1765065600\nLastTriggerUSec=n/a\n');
		expect(parseSystemdTime(timer.NextElapseUSecRealtime)).toBe(1765065600_000);
		expect(parseSystemdTime(timer.LastTriggerUSec)).toBeUndefined();
		expect(parseSystemdTime('Sun 2026-12-06 03:00:00 UTC')).toBe(Date.UTC(2026, 11, 6, 3));
		const failed = parseSystemctlShow('Result=exit-code\nExecMainStatus=10\nExecMainExitTimestamp=@1764990000\n');
		const journal = parseJournalLast('{"__REALTIME_TIMESTAMP":"1764990000123456","MESSAGE":"resto: repository does not exist","PRIORITY":"3"}\n');
		expect(journalRunFrom(failed, journal)).toEqual({end: 1764990000_000, result: 'failed', exitStatus: 10, message: 'resto: repository does not exist'});
		const ok = journalRunFrom(parseSystemctlShow('Result=success\nExecMainStatus=0\nExecMainExitTimestamp=@1764990000\n'), parseJournalLast('{"__REALTIME_TIMESTAMP":"1764990000000000","MESSAGE":[104,105,255]}'));
		expect(ok).toMatchObject({result: 'ok', exitStatus: 0, message: 'hi\ufffd'});
		// A timer that never ran: no last run.
		expect(journalRunFrom(parseSystemctlShow('Result=success\nExecMainStatus=0\nExecMainExitTimestamp=\n'), undefined)).toBeUndefined();
	});

	test('battery detection from /sys/class/power_supply', () => {
		expect(onBatteryFrom([{type: 'Mains', online: '0'}, {type: 'Battery'}])).toBe(true);
		expect(onBatteryFrom([{type: 'Mains', online: '1'}, {type: 'Battery'}])).toBe(false);
		expect(onBatteryFrom([])).toBe(false);
		expect(onBatteryFrom([{type: 'Mains', online: '0'}])).toBe(false);
	});
});

describe('systemd-analyze verify (real)', () => {
	let dir: string;
	beforeAll(() => {
		dir = tempDir('resto-units-');
	});
	afterAll(() => rmSync(dir, {recursive: true, force: true}));

	test('generated units pass verify', async () => {
		const files = writeUnits(path.join(dir, 'good'), buildUnits({...target, repository: 'rest:https://backup.example.org/'}, command));
		const r = await verifyUnits(files);
		expect(r.available).toBe(true);
		expect(r.output).toBe('');
		expect(r.ok).toBe(true);
	});

	test('verify does reject a unit whose ExecStart does not exist (so the passing test means something)', async () => {
		const files = writeUnits(path.join(dir, 'bad'), buildUnits(target, {...command, executable: '/nonexistent/node'}));
		const r = await verifyUnits(files);
		expect(r.ok).toBe(false);
		expect(r.output).toMatch(/nonexistent/);
	});
});

describe('resto schedule (built CLI, temp unit directory)', () => {
	let repo: TestRepo;
	let xdg: string;
	let unitDir: string;
	let configFile: string;
	let env: Record<string, string>;

	beforeAll(() => {
		xdg = tempDir('resto-sched-');
		unitDir = path.join(xdg, 'units');
		repo = makeRepo();
		const src = path.join(repo.root, 'src');
		writeTree(src, {'a.txt': 'a\n'});
		configFile = path.join(xdg, 'config.yaml');
		writeFileSync(
			configFile,
			`repositories:\n  - name: usb\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\nbackupSets:\n  - name: home\n    repository: usb\n    paths: [${src}]\n    lowPriority: true\n    schedule:\n      calendar: weekly\n      randomizedDelay: 30min\n      onFailure: 'echo "$RESTO_FAILED_UNIT failed" > ${path.join(xdg, 'failed.txt')}'\n  - name: plain\n    repository: usb\n    paths: [${src}]\n`,
		);
		env = {RESTO_CONFIG: configFile};
	});

	afterAll(() => {
		repo?.cleanup();
		rmSync(xdg, {recursive: true, force: true});
	});

	test('--dry-run prints each unit after a comment naming its file and writes nothing', () => {
		const r = resto(xdg, ['schedule', 'home', '--dry-run', '--unit-dir', unitDir], env);
		expect(r.stderr).not.toMatch(/resto:/);
		expect(r.status).toBe(0);
		expect(r.stdout).toMatch(/^# resto-home.timer\n# Generated by resto/m);
		expect(r.stdout).toMatch(/^# resto-home.service$/m);
		expect(r.stdout).toContain(`Environment=RESTO_CONFIG=${configFile}`);
		expect(r.stdout).toContain(`ExecStart=${process.execPath} ${cliPath} backup home --unattended`);
		expect(existsSync(unitDir)).toBe(false);
	});

	test('a set without a schedule is a usage error that says how to add one', () => {
		const r = resto(xdg, ['schedule', 'plain', '--dry-run', '--unit-dir', unitDir], env);
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/has no schedule/);
	});

	test('install → list → disable → enable → remove, in the temp unit dir only', () => {
		const install = resto(xdg, ['schedule', 'home', '--install', '--unit-dir', unitDir], env);
		expect(install.status).toBe(0);
		// The units are shown before they are written.
		expect(install.stderr.indexOf('# resto-home.timer')).toBeLessThan(install.stderr.indexOf('wrote '));
		expect(install.stderr).toMatch(/custom unit directory.*run:\n\s+systemctl( --user)? daemon-reload/s);
		expect(readdirSync(unitDir).sort()).toEqual(['resto-home-failure@.service', 'resto-home.service', 'resto-home.timer', 'timers.target.wants']);
		expect(lstatSync(path.join(unitDir, 'timers.target.wants', 'resto-home.timer')).isSymbolicLink()).toBe(true);
		const list = resto(xdg, ['schedule', '--list', '--json', '--unit-dir', unitDir], env);
		expect(list.status).toBe(0);
		const rows = (
			JSON.parse(list.stdout) as {
				schedules: Array<{
					set: string;
					calendar: string;
					enabled: boolean;
					installed: boolean;
					nextRun: string;
				}>;
			}
		).schedules;
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({
			set: 'home',
			calendar: 'weekly',
			enabled: true,
			installed: true,
		});
		// weekly = next Monday 00:00 (UTC here).
		expect(new Date(rows[0]!.nextRun).getUTCDay()).toBe(1);
		// Without systemd as PID 1 (this machine, a container) the list says why, takes the next run from
		// the calendar (real systemd-analyze calendar) and gives the cron line instead.
		const down = JSON.parse(list.stdout) as {schedules: Array<{systemd: {running: boolean; reason?: string}; nextRunFrom: string; cron: string | null}>};
		const sd = systemdRunning();
		expect(down.schedules[0]!.systemd.running).toBe(sd.running);
		if (!sd.running) {
			expect(down.schedules[0]!.systemd.reason).toMatch(/does not run systemd as PID 1 \(PID 1 is .+\)/);
			expect(down.schedules[0]!.nextRunFrom).toBe('calendar');
			expect(down.schedules[0]!.cron).toMatch(/^0 0 \* \* 1 RESTO_CONFIG=.* backup home --unattended/);
			const text = resto(xdg, ['schedule', '--list', '--unit-dir', unitDir], env);
			expect(text.stdout).toMatch(/^ {2}cron: 0 0 \* \* 1 /m);
			expect(text.stderr).toMatch(/does not run systemd as PID 1/);
		}
		expect(Date.parse(rows[0]!.nextRun) - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
		expect(resto(xdg, ['schedule', 'home', '--disable', '--unit-dir', unitDir], env).status).toBe(0);
		expect(existsSync(path.join(unitDir, 'timers.target.wants', 'resto-home.timer'))).toBe(false);
		expect(resto(xdg, ['schedule', 'home', '--enable', '--unit-dir', unitDir], env).status).toBe(0);
		expect(existsSync(path.join(unitDir, 'timers.target.wants', 'resto-home.timer'))).toBe(true);
		const removed = resto(xdg, ['schedule', 'home', '--remove', '--unit-dir', unitDir, '--json'], env);
		expect(removed.status).toBe(0);
		expect((JSON.parse(removed.stdout) as {removed: string[]}).removed).toHaveLength(3);
		expect(readdirSync(unitDir).filter(f => f.endsWith('.timer') || f.endsWith('.service'))).toEqual([]);
	});

	test('the installed units pass systemd-analyze verify (ExecStart is this node and this bundle)', async () => {
		expect(resto(xdg, ['schedule', 'home', '--install', '--unit-dir', unitDir], env).status).toBe(0);
		const r = await verifyUnits(['resto-home.timer', 'resto-home.service', 'resto-home-failure@.service'].map(f => path.join(unitDir, f)));
		expect(r).toMatchObject({available: true, ok: true, output: ''});
		resto(xdg, ['schedule', 'home', '--remove', '--unit-dir', unitDir], env);
	});

	test('--cron prints a crontab line', () => {
		const r = resto(xdg, ['schedule', 'home', '--cron'], env);
		expect(r.status).toBe(0);
		expect(r.stdout).toMatch(new RegExp(`^0 0 \\* \\* 1 RESTO_CONFIG=${configFile.replace(/[/.]/g, '\\$&')} nice -n 19 ionice -c 3 ${process.execPath.replace(/[/.]/g, '\\$&')} \\S+cli.js backup home --unattended \\|\\| echo`));
	});

	test('unreachable repository at run time: failed run recorded under the repository id, exit non-zero, OnFailure hook runs', () => {
		// A good run first: the run log learns the repository id.
		const ok = resto(xdg, ['backup', 'home', '--unattended'], env);
		expect(ok.status).toBe(0);
		const runsDir = path.join(xdg, 'state', 'resto', 'runs');
		const id = JSON.parse(repo.restic(['cat', 'config'])).id as string;
		const logFile = path.join(runsDir, `${id}.jsonl`);
		expect(statSync(logFile).mode & 0o777).toBe(0o600);
		expect(statSync(runsDir).mode & 0o777).toBe(0o700);
		// The USB disk is unplugged.
		renameSync(repo.repoPath, `${repo.repoPath}.away`);
		try {
			const bad = resto(xdg, ['backup', 'home', '--unattended'], env);
			expect(bad.status).not.toBe(0);
			expect(bad.status).toBe(10);
			const records = parseRunLog(readFileSync(logFile, 'utf8'));
			expect(records.map(r => r.result)).toEqual(['ok', 'failed']);
			expect(records[0]).toMatchObject({
				op: 'backup',
				set: 'home',
				unattended: true,
				repository: 'usb',
				repositoryId: id,
			});
			expect(records[0]!.snapshot).toMatch(/^[0-9a-f]{64}$/);
			expect(records[0]!.bytesAdded).toBeGreaterThan(0);
			expect(records[1]!.errors.join(' ')).toMatch(/No restic repository at <usb>/);
			expect(readFileSync(logFile, 'utf8')).not.toContain(repo.repoPath);
			// systemd would now start the OnFailure unit: run its ExecStart as systemd would (specifiers and $$ resolved).
			const units = Object.fromEntries(
				buildUnits(
					{
						set: 'home',
						repository: repo.repoPath,
						lowPriority: true,
						schedule: {
							calendar: 'weekly',
							onFailure: `echo "$RESTO_FAILED_UNIT failed" > ${path.join(xdg, 'failed.txt')}`,
						},
					},
					{...command, configFile},
				).map(u => [u.name, u.text]),
			);
			const dry = resto(xdg, ['schedule', 'home', '--dry-run'], env).stdout;
			expect(dry).toContain(units['resto-home-failure@.service']!.split('\n').find(l => l.startsWith('ExecStart='))!);
			expect(dry).toMatch(/^OnFailure=resto-home-failure@%n.service$/m);
			const exec = /^ExecStart=\/bin\/sh -c (".*")$/m.exec(units['resto-home-failure@.service']!)![1]!;
			execFileSync('/bin/sh', ['-c', systemdUnquote(exec)], {
				env: {...process.env, RESTO_FAILED_UNIT: 'resto-home.service'},
			});
			expect(readFileSync(path.join(xdg, 'failed.txt'), 'utf8')).toBe('resto-home.service failed\n');
			// The list shows the last run and its result.
			const list = JSON.parse(resto(xdg, ['schedule', '--list', '--json', '--unit-dir', unitDir], env).stdout) as {schedules: Array<{lastRun: {result: string}}>};
			expect(list.schedules[0]!.lastRun.result).toBe('failed');
		} finally {
			renameSync(`${repo.repoPath}.away`, repo.repoPath);
		}
	});

	test('onBattery skip: --unattended on battery records a skipped run and backs nothing up', () => {
		const supplies = path.join(xdg, 'power');
		mkdirSync(path.join(supplies, 'AC'), {recursive: true});
		mkdirSync(path.join(supplies, 'BAT0'), {recursive: true});
		writeFileSync(path.join(supplies, 'AC', 'type'), 'Mains\n');
		writeFileSync(path.join(supplies, 'AC', 'online'), '0\n');
		writeFileSync(path.join(supplies, 'BAT0', 'type'), 'Battery\n');
		const before = JSON.parse(repo.restic(['snapshots', '--json'])).length as number;
		const r = resto(xdg, ['backup', 'home', '--unattended'], {
			...env,
			RESTO_ON_BATTERY: 'skip',
			RESTO_POWER_SUPPLY_DIR: supplies,
		});
		expect(r.status).toBe(0);
		expect(r.stderr).toMatch(/on battery power, skipped/);
		expect(JSON.parse(repo.restic(['snapshots', '--json'])).length).toBe(before);
		// The set's own onBattery: skip is enough (cron, or a unit written before the setting).
		writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('randomizedDelay: 30min', 'randomizedDelay: 30min\n      onBattery: skip'));
		const bySet = resto(xdg, ['backup', 'home', '--unattended'], {...env, RESTO_POWER_SUPPLY_DIR: supplies});
		expect(bySet.stderr).toMatch(/on battery power, skipped/);
		expect(JSON.parse(repo.restic(['snapshots', '--json'])).length).toBe(before);
		writeFileSync(path.join(supplies, 'AC', 'online'), '1\n');
		const onMains = resto(xdg, ['backup', 'home', '--unattended'], {
			...env,
			RESTO_ON_BATTERY: 'skip',
			RESTO_POWER_SUPPLY_DIR: supplies,
		});
		expect(onMains.status).toBe(0);
		expect(JSON.parse(repo.restic(['snapshots', '--json'])).length).toBe(before + 1);
	});
});
