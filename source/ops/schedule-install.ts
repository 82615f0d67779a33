/**
 * Writing schedules to disk and talking to systemd: unit directories, `systemd-analyze verify` and
 * `calendar`, `systemctl [--user] enable/disable`. When no manager answers (containers, SSH sessions
 * without a user bus, a custom unit directory), resto does what `enable` does in the unit directory
 * (the timers.target.wants link) and says which systemctl commands are left to run.
 */
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {configFilePath} from '../config/paths.js';
import {parseCalendarOutput, parseTimer, scheduledSets, unitNames, type RestoCommand, type UnitFile} from './schedule.js';

export type UnitScope = 'user' | 'system';

/** The unit directory: an explicit one (tests, --unit-dir, RESTO_UNIT_DIR), else the user's or the system's. */
export function unitDir(scope: UnitScope, override?: string, env: NodeJS.ProcessEnv = process.env): {dir: string; custom: boolean} {
	const custom = override ?? env.RESTO_UNIT_DIR;
	if (custom) return {dir: path.resolve(custom), custom: true};
	if (scope === 'system') return {dir: '/etc/systemd/system', custom: false};
	const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
	return {dir: path.join(configHome, 'systemd', 'user'), custom: false};
}

/**
 * How a timer starts this resto: RESTO_BIN if set (an installed `resto`), else this node and this bundle,
 * both absolute. The config is pinned to the file in use now.
 */
export function currentRestoCommand(env: NodeJS.ProcessEnv = process.env): RestoCommand {
	const configFile = path.resolve(configFilePath());
	if (env.RESTO_BIN) return {executable: path.resolve(env.RESTO_BIN), args: [], configFile};
	const script = process.argv[1] ? path.resolve(process.argv[1]) : '';
	return {
		executable: process.execPath,
		args: script ? [script] : [],
		configFile,
	};
}

/** Result of `systemd-analyze verify`. */
export interface VerifyResult {
	available: boolean;
	ok: boolean;
	output: string;
}

/** Run `systemd-analyze verify` on unit files (written to a directory first). */
export async function verifyUnits(files: readonly string[], scope: UnitScope = 'system'): Promise<VerifyResult> {
	const r = await execa('systemd-analyze', [...(scope === 'user' ? ['--user'] : []), 'verify', ...files], {
		reject: false,
		stdin: 'ignore',
		env: {SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: ''},
	});
	if (r.failed && r.exitCode === undefined)
		return {
			available: false,
			ok: false,
			output: 'systemd-analyze is not installed',
		};
	const output = `${r.stdout}\n${r.stderr}`.trim();
	// verify also complains about unrelated units of the machine; only lines about our files count.
	const ours = output
		.split('\n')
		.filter(l => files.some(f => l.includes(path.basename(f))))
		.join('\n');
	return {
		available: true,
		ok: r.exitCode === 0 && ours === '',
		output: ours || (r.exitCode === 0 ? '' : output),
	};
}

/** Next elapses of a calendar expression (systemd-analyze calendar). */
export async function nextElapses(
	calendar: string,
	iterations = 1,
): Promise<{
	ok: boolean;
	next: number[];
	normalized?: string;
	error?: string;
}> {
	const r = await execa('systemd-analyze', ['calendar', `--iterations=${iterations}`, '--', calendar], {
		reject: false,
		stdin: 'ignore',
		env: {TZ: 'UTC', SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: ''},
	});
	if (r.failed && r.exitCode === undefined) return {ok: false, next: [], error: 'systemd-analyze is not installed'};
	if (r.exitCode !== 0)
		return {
			ok: false,
			next: [],
			error: (r.stderr || r.stdout).trim().split('\n')[0],
		};
	const parsed = parseCalendarOutput(r.stdout);
	return {ok: true, next: parsed.next, normalized: parsed.normalized};
}

/** Write units (0644: systemd must read them) into the directory. Returns the paths. */
export function writeUnits(dir: string, units: readonly UnitFile[]): string[] {
	mkdirSync(dir, {recursive: true});
	return units.map(u => {
		const file = path.join(dir, u.name);
		writeFileSync(file, u.text, {mode: 0o644});
		return file;
	});
}

/** What talking to systemd achieved, and the commands the user still has to run. */
export interface ManagerOutcome {
	/** systemctl reached a manager and did it. */
	applied: boolean;
	/** Why not (no bus, custom directory). */
	reason?: string;
	/** Commands to run by hand when not applied. */
	commands: string[];
}

function wantsLink(dir: string, set: string): string {
	return path.join(dir, 'timers.target.wants', unitNames(set).timer);
}

async function systemctl(scope: UnitScope, args: string[]): Promise<{ok: boolean; message: string}> {
	const r = await execa('systemctl', [...(scope === 'user' ? ['--user'] : []), ...args], {
		reject: false,
		stdin: 'ignore',
		env: {SYSTEMD_PAGER: '', SYSTEMD_LOG_COLOR: '0'},
		timeout: 30_000,
	});
	if (r.failed && r.exitCode === undefined && !r.timedOut) return {ok: false, message: 'systemctl is not installed'};
	return {
		ok: r.exitCode === 0,
		message: (r.stderr || r.stdout).trim().split('\n')[0] ?? '',
	};
}

/** True for systemctl's "there is no manager to talk to" failures (as opposed to a unit error). */
export function isNoManager(message: string): boolean {
	return /Failed to connect to bus|No medium found|System has not been booted with systemd|Host is down|not installed|Transport endpoint|DBUS_SESSION_BUS_ADDRESS|XDG_RUNTIME_DIR/i.test(message);
}

async function manage(scope: UnitScope, custom: boolean, steps: string[][]): Promise<ManagerOutcome> {
	const flag = scope === 'user' ? ' --user' : '';
	const commands = steps.map(s => `systemctl${flag} ${s.join(' ')}`);
	if (custom)
		return {
			applied: false,
			reason: 'a custom unit directory is not one systemd reads by itself',
			commands,
		};
	for (const step of steps) {
		const r = await systemctl(scope, step);
		if (!r.ok) {
			if (isNoManager(r.message))
				return {
					applied: false,
					reason: `systemctl cannot talk to the ${scope} manager (${r.message})`,
					commands,
				};
			throw new Error(`systemctl${flag} ${step.join(' ')} failed: ${r.message}`);
		}
	}
	return {applied: true, commands: []};
}

/** Enable (and start) a set's timer. Without a manager, the wants link is made in the unit directory. */
export async function enableTimer(set: string, scope: UnitScope, dir: string, custom: boolean): Promise<ManagerOutcome> {
	const {timer} = unitNames(set);
	if (!existsSync(path.join(dir, timer))) throw new Error(`no schedule for "${set}" in ${dir} (install it first: resto schedule ${set} --install)`);
	const outcome = await manage(scope, custom, [['daemon-reload'], ['enable', '--now', timer]]);
	if (!outcome.applied) {
		const link = wantsLink(dir, set);
		mkdirSync(path.dirname(link), {recursive: true});
		rmSync(link, {force: true});
		symlinkSync(path.join('..', timer), link);
		outcome.commands = outcome.commands.filter(c => !c.includes(' enable ')).concat(`systemctl${scope === 'user' ? ' --user' : ''} start ${timer}`);
	}
	return outcome;
}

/** Disable (and stop) a set's timer. */
export async function disableTimer(set: string, scope: UnitScope, dir: string, custom: boolean): Promise<ManagerOutcome> {
	const {timer} = unitNames(set);
	const outcome = await manage(scope, custom, [['disable', '--now', timer]]);
	rmSync(wantsLink(dir, set), {force: true});
	if (!outcome.applied) outcome.commands = [`systemctl${scope === 'user' ? ' --user' : ''} stop ${timer}`];
	return outcome;
}

/** Remove a set's units (after disabling its timer). */
export async function removeSchedule(set: string, scope: UnitScope, dir: string, custom: boolean): Promise<{removed: string[]; manager: ManagerOutcome}> {
	const names = unitNames(set);
	const manager = await disableTimer(set, scope, dir, custom);
	const removed: string[] = [];
	for (const n of [names.timer, names.service, names.failure]) {
		const file = path.join(dir, n);
		if (existsSync(file)) {
			rmSync(file);
			removed.push(file);
		}
	}
	if (manager.applied) await systemctl(scope, ['daemon-reload']);
	else manager.commands.push(`systemctl${scope === 'user' ? ' --user' : ''} daemon-reload`);
	return {removed, manager};
}

/** One installed schedule as the list shows it. */
export interface InstalledSchedule {
	set: string;
	timerFile: string;
	calendar?: string;
	randomizedDelay?: string;
	persistent: boolean;
	wakeSystem: boolean;
	enabled: boolean;
}

/** Schedules installed in a unit directory. */
export function listInstalled(dir: string): InstalledSchedule[] {
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		return [];
	}
	return scheduledSets(names).map(set => {
		const timerFile = path.join(dir, unitNames(set).timer);
		const t = parseTimer(readFileSync(timerFile, 'utf8'));
		let enabled: boolean;
		try {
			enabled = lstatSync(wantsLink(dir, set)).isSymbolicLink();
		} catch {
			enabled = false;
		}
		return {
			set,
			timerFile,
			calendar: t.calendar,
			randomizedDelay: t.randomizedDelay,
			persistent: Boolean(t.persistent),
			wakeSystem: Boolean(t.wakeSystem),
			enabled,
		};
	});
}

/** True when this machine runs systemd (else a cron line is offered). */
export function systemdPresent(): boolean {
	return existsSync('/run/systemd/system') || existsSync('/usr/bin/systemd-analyze') || existsSync('/bin/systemctl');
}

/** Read the power supplies (for onBattery: skip). */
export function readPowerSupplies(root = '/sys/class/power_supply'): Array<{type: string; online?: string}> {
	try {
		return readdirSync(root).map(name => {
			const read = (f: string) => {
				try {
					return readFileSync(path.join(root, name, f), 'utf8').trim();
				} catch {
					return undefined;
				}
			};
			return {type: read('type') ?? '', online: read('online')};
		});
	} catch {
		return [];
	}
}

/** Verify units in a scratch directory, then write them to `dir` and enable the timer. */
export async function installSchedule(
	set: string,
	units: readonly UnitFile[],
	scope: UnitScope,
	dir: string,
	custom: boolean,
): Promise<{
	verify: VerifyResult;
	files?: string[];
	outcome?: ManagerOutcome;
}> {
	const scratch = mkdtempSync(path.join(os.tmpdir(), 'resto-units-'));
	let verify: VerifyResult;
	try {
		verify = await verifyUnits(writeUnits(scratch, units));
	} finally {
		rmSync(scratch, {recursive: true, force: true});
	}
	if (verify.available && !verify.ok) return {verify};
	const files = writeUnits(dir, units);
	return {verify, files, outcome: await enableTimer(set, scope, dir, custom)};
}
