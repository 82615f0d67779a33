/**
 * `resto schedule SET [--dry-run] [--install|--remove|--enable|--disable] [--user|--system] [--unit-dir DIR] [--cron] [--json]`
 * and `resto schedule --list [--json]`: systemd timers for backup sets (a cron line where systemd is absent).
 * The units are always shown before they are written; --dry-run only shows them.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {BackupSetConfig, Config} from '../config/config.js';
import {exitCodes} from '../restic/errors.js';
import {buildUnits, cronLine, unitsText, type ScheduleTarget} from '../ops/schedule.js';
import {timerState} from '../ops/schedule-state.js';
import {currentRestoCommand, disableTimer, enableTimer, listInstalled, nextElapses, removeSchedule, systemdPresent, unitDir, verifyUnits, writeUnits, type ManagerOutcome, type UnitScope} from '../ops/schedule-install.js';
import {lastRun, readRuns} from '../ops/run-log.js';
import {printInfo, printJson, printWarning} from '../util/cli-output.js';
import {formatDateTime, formatRelative} from '../util/format.js';
import {ExitError, guard, loadConfigOrExit} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand, option} from './spec.js';

export const spec = defineCommand({
	name: 'schedule',
	summary: 'systemd timers for backup sets: show, install, enable, disable, remove, list',
	usage: ['schedule SET [--dry-run|--install|--enable|--disable|--remove] [--user|--system] [--unit-dir DIR] [--cron] [--json]', 'schedule --list [--json]'],
	description: `Builds a timer, a service and an OnFailure template for a backup set's schedule (OnCalendar, Persistent,
RandomizedDelaySec, WakeSystem, Nice/IOSchedulingClass from lowPriority, ConditionACPower for onBattery: skip), running
\`resto backup SET --unattended\` with absolute paths and RESTO_CONFIG pinned. The units are checked with
systemd-analyze verify and always shown before they are written; --dry-run only shows them, each after a comment
line naming its file. Without a reachable systemd manager the wants link is made in the unit directory and the
systemctl commands left to run are printed. --cron (or no systemd) prints a crontab line instead.`,
	options: {
		'dry-run': option({
			type: 'boolean',
			description: 'print the units (after "# resto-SET.timer" lines), write nothing',
		}),
		install: option({
			type: 'boolean',
			description: 'write the units and enable the timer',
		}),
		enable: option({
			type: 'boolean',
			description: 'enable and start the installed timer',
		}),
		disable: option({
			type: 'boolean',
			description: 'stop and disable the timer',
		}),
		remove: option({
			type: 'boolean',
			description: 'disable the timer and delete the units',
		}),
		list: option({
			type: 'boolean',
			description: 'scheduled and installed sets: next run, last run and result',
		}),
		user: option({
			type: 'boolean',
			description: 'user units in ~/.config/systemd/user (default unless root)',
		}),
		system: option({
			type: 'boolean',
			description: 'system units in /etc/systemd/system (default for root)',
		}),
		'unit-dir': option({
			type: 'string',
			value: 'DIR',
			description: 'write units to DIR instead (also RESTO_UNIT_DIR); systemctl is left to you',
		}),
		cron: option({
			type: 'boolean',
			description: 'print a crontab line instead of units',
		}),
		json: commonOptions.json,
	},
	maxArgs: 1,
});

function targetFor(config: Config, set: BackupSetConfig): ScheduleTarget {
	if (!set.schedule) throw new ExitError(exitCodes.usage, `backup set "${set.name}" has no schedule: add one to the config, e.g.\n  schedule: {calendar: weekly, randomizedDelay: 1h, onFailure: "mail -s 'resto failed' root < /dev/null"}`);
	const repo = config.repositories.find(r => r.name === set.repository)!;
	return {
		set: set.name,
		lowPriority: set.lowPriority,
		repository: repo.access.repository,
		schedule: set.schedule,
	};
}

function scopeOf(ctx: CommandContext<typeof spec>): UnitScope {
	if (ctx.options.user && ctx.options.system) throw new ExitError(exitCodes.usage, 'give --user or --system, not both');
	if (ctx.options.system) return 'system';
	if (ctx.options.user) return 'user';
	return process.getuid?.() === 0 ? 'system' : 'user';
}

function printOutcome(what: string, outcome: ManagerOutcome): void {
	if (outcome.applied) return printInfo(`${what}: done`);
	printWarning(`${what}: ${outcome.reason}; run:`);
	for (const c of outcome.commands) printInfo(`  ${c}`);
}

async function list(ctx: CommandContext<typeof spec>, config: Config): Promise<number> {
	const scope = scopeOf(ctx);
	const {dir} = unitDir(scope, ctx.options['unit-dir']);
	const installed = listInstalled(dir);
	const names = new Set([...config.backupSets.filter(s => s.schedule).map(s => s.name), ...installed.map(i => i.set)]);
	const rows = [];
	for (const name of [...names].sort()) {
		const set = config.backupSets.find(s => s.name === name);
		const inst = installed.find(i => i.set === name);
		const calendar = inst?.calendar ?? set?.schedule?.calendar;
		const next = calendar ? await nextElapses(calendar) : undefined;
		const repo = set && config.repositories.find(r => r.name === set.repository);
		const last = repo ? lastRun(readRuns(repo.access.repository), {op: 'backup', set: name}) : undefined;
		// systemd's own view: its next elapse (with the randomized delay) and, when resto's log has no
		// run, the service's last result and journal line.
		const state = await timerState(name, scope);
		const journal = !last && state.last?.end !== undefined ? state.last : undefined;
		const cron = !state.systemd.running && set?.schedule ? cronLine(targetFor(config, set), currentRestoCommand()) : undefined;
		rows.push({
			set: name,
			calendar: calendar ?? null,
			installed: Boolean(inst),
			enabled: inst?.enabled ?? false,
			unitFile: inst?.timerFile ?? null,
			configured: Boolean(set?.schedule),
			// A timer whose set was renamed or removed from the config still runs: say so.
			stale: Boolean(inst && !set),
			systemd: state.systemd.running ? {running: true} : {running: false, reason: state.systemd.reason},
			nextRun: state.nextRun !== undefined ? new Date(state.nextRun).toISOString() : next?.next[0] !== undefined ? new Date(next.next[0]).toISOString() : null,
			nextRunFrom: state.nextRun !== undefined ? 'systemd' : next?.next[0] !== undefined ? 'calendar' : null,
			lastRun: last
				? {
						from: 'run-log',
						start: last.start,
						end: last.end,
						result: last.result,
						exitCode: last.exitCode,
						unattended: last.unattended,
						message: last.message ?? null,
					}
				: journal
					? {from: 'journal', start: null, end: new Date(journal.end!).toISOString(), result: journal.result ?? null, exitCode: journal.exitStatus ?? null, unattended: true, message: journal.message ?? null}
					: null,
			cron: cron?.line ?? null,
			cronProblem: cron?.reason ?? null,
		});
	}
	if (ctx.options.json) {
		printJson({unitDir: dir, scope, schedules: rows});
		return 0;
	}
	if (rows.length === 0) {
		printInfo('no schedules: add `schedule: {calendar: weekly}` to a backup set, then: resto schedule SET --install');
		return 0;
	}
	for (const r of rows) {
		const state = r.installed ? (r.enabled ? 'enabled' : 'installed, disabled') : 'not installed';
		const next = r.nextRun ? `next ${formatDateTime(Date.parse(r.nextRun))}` : 'no next run';
		const last = r.lastRun ? `last ${r.lastRun.result ?? 'run'} ${formatRelative(Date.parse(r.lastRun.end))}${r.lastRun.from === 'journal' ? ' (journal)' : ''}` : 'never run';
		process.stdout.write(`${r.set.padEnd(16)} ${String(r.calendar ?? '-').padEnd(18)} ${state.padEnd(20)} ${next}; ${last}${r.stale ? ' (no such set in the config)' : ''}\n`);
		if (r.cron) process.stdout.write(`  cron: ${r.cron}\n`);
		else if (r.cronProblem) process.stdout.write(`  no cron form: ${r.cronProblem}\n`);
	}
	const down = rows.find(r => !r.systemd.running);
	if (down) printInfo(`${down.systemd.reason}.`);
	return 0;
}

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const config = loadConfigOrExit();
		if (ctx.options.list) return list(ctx, config);
		const [name] = ctx.args;
		const candidates = config.backupSets.filter(s => s.schedule);
		if (!name) throw new ExitError(exitCodes.usage, `name a backup set: resto schedule SET [--dry-run|--install|--enable|--disable|--remove] (scheduled: ${candidates.map(s => s.name).join(', ') || 'none'}), or resto schedule --list`);
		const set = config.backupSets.find(s => s.name === name);
		const scope = scopeOf(ctx);
		const {dir, custom} = unitDir(scope, ctx.options['unit-dir']);
		const actions = (['install', 'remove', 'enable', 'disable'] as const).filter(a => ctx.options[a]);
		if (actions.length > 1) throw new ExitError(exitCodes.usage, `give one of --install, --remove, --enable, --disable (got ${actions.map(a => `--${a}`).join(', ')})`);
		const action = actions[0];
		// Removing or toggling a timer works even when the set is gone from the config.
		if (action === 'remove') {
			const r = await removeSchedule(name, scope, dir, custom);
			if (ctx.options.json)
				printJson({
					set: name,
					removed: r.removed,
					applied: r.manager.applied,
					commands: r.manager.commands,
				});
			else {
				printInfo(r.removed.length > 0 ? `removed ${r.removed.join(', ')}` : `no units of "${name}" in ${dir}`);
				printOutcome('stop the timer', r.manager);
			}
			return 0;
		}
		if (action === 'enable' || action === 'disable') {
			const outcome = action === 'enable' ? await enableTimer(name, scope, dir, custom) : await disableTimer(name, scope, dir, custom);
			if (ctx.options.json)
				printJson({
					set: name,
					action,
					applied: outcome.applied,
					reason: outcome.reason ?? null,
					commands: outcome.commands,
				});
			else printOutcome(`${action} resto-${name}.timer`, outcome);
			return 0;
		}
		if (!set) throw new ExitError(exitCodes.usage, `no backup set "${name}" (configured: ${config.backupSets.map(s => s.name).join(', ') || 'none'})`);
		const target = targetFor(config, set);
		const command = currentRestoCommand();
		if (ctx.options.cron || !systemdPresent()) {
			const cron = cronLine(target, command);
			if (!cron.line) throw new ExitError(exitCodes.usage, cron.reason!);
			if (ctx.options.json) printJson({set: name, cron: cron.line});
			else {
				if (!ctx.options.cron) printInfo('systemd is not running here; a crontab line instead (crontab -e):');
				process.stdout.write(`${cron.line}\n`);
			}
			return 0;
		}
		const units = buildUnits(target, command);
		// Verify in a scratch directory before anything lands where systemd reads.
		const scratch = mkdtempSync(path.join(os.tmpdir(), 'resto-units-'));
		let verify;
		try {
			verify = await verifyUnits(writeUnits(scratch, units));
		} finally {
			rmSync(scratch, {recursive: true, force: true});
		}
		const next = await nextElapses(target.schedule.calendar);
		if (!next.ok) throw new ExitError(exitCodes.usage, `backup set "${name}": systemd does not accept the calendar "${target.schedule.calendar}": ${next.error}`);
		if (ctx.options.json && !action) {
			printJson({
				set: name,
				unitDir: dir,
				units: units.map(u => ({
					file: path.join(dir, u.name),
					name: u.name,
					text: u.text,
				})),
				verify: {
					available: verify.available,
					ok: verify.ok,
					output: verify.output,
				},
				nextRun: next.next[0] ? new Date(next.next[0]).toISOString() : null,
			});
			return verify.ok || !verify.available ? 0 : exitCodes.failure;
		}
		// The units first: on stdout for --dry-run (and to read before installing), else on stderr.
		const show = ctx.options['dry-run'] || !action ? (t: string) => process.stdout.write(t) : (t: string) => process.stderr.write(t);
		if (!ctx.options.json) show(unitsText(units));
		if (verify.available && !verify.ok) throw new ExitError(exitCodes.failure, `systemd-analyze verify rejects the units:\n${verify.output}`);
		if (ctx.options['dry-run'] || !action) {
			if (!ctx.options.json) printInfo(`# next run: ${next.next[0] ? formatDateTime(next.next[0]) : 'none'}; install with: resto schedule ${name} --install${scope === 'system' ? ' --system' : ''}`);
			return 0;
		}
		const files = writeUnits(dir, units);
		const outcome = await enableTimer(name, scope, dir, custom);
		if (ctx.options.json)
			printJson({
				set: name,
				installed: files,
				applied: outcome.applied,
				reason: outcome.reason ?? null,
				commands: outcome.commands,
				nextRun: next.next[0] ? new Date(next.next[0]).toISOString() : null,
			});
		else {
			printInfo(`wrote ${files.join(', ')}`);
			printOutcome(`enable resto-${name}.timer`, outcome);
			if (next.next[0]) printInfo(`next run: ${formatDateTime(next.next[0])}`);
		}
		return 0;
	});
}
