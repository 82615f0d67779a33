/**
 * What systemd knows of a set's timer: the next elapse (`systemctl show resto-SET.timer`), and the last run
 * of the service with its result (`systemctl show resto-SET.service`, the newest journal entry of the unit).
 * The run log is resto's own record; the journal fills in when the log has none (a run that died before
 * resto could write, a log on another account). On a machine where systemd is not PID 1 nothing of this
 * answers: the reason is given, and the schedule falls back to the calendar and a cron line.
 */
import {existsSync, readFileSync} from 'node:fs';
import {execa} from 'execa';
import {unitNames} from './schedule.js';
import type {UnitScope} from './schedule-install.js';

/** Whether systemd runs this machine (sd_booted's rule: /run/systemd/system exists), and if not, why. */
export function systemdRunning(root = '/'): {running: boolean; reason?: string} {
	if (existsSync(`${root}run/systemd/system`)) return {running: true};
	let init = 'unknown';
	try {
		init = readFileSync(`${root}proc/1/comm`, 'utf8').trim() || init;
	} catch {
		// /proc may be hidden (a sandbox): the reason still stands.
	}
	return {running: false, reason: `this machine does not run systemd as PID 1 (PID 1 is ${init}): timers would not fire here, use the cron line`};
}

/** `systemctl show -p A -p B` output (KEY=VALUE lines) → a record. */
export function parseSystemctlShow(text: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const line of text.split('\n')) {
		const i = line.indexOf('=');
		if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
	}
	return out;
}

/**
 * A timestamp of `systemctl show --timestamp=unix` ("@1764900000"), or of the default form ("Sun 2026-12-06
 * 03:00:00 UTC"); undefined for "n/a", "" or 0 (never).
 */
export function parseSystemdTime(value: string | undefined): number | undefined {
	if (!value || value === 'n/a' || value === '0') return undefined;
	const unix = /^@(\d+)$/.exec(value);
	if (unix) return Number(unix[1]) > 0 ? Number(unix[1]) * 1000 : undefined;
	const m = /^(?:\w{3} )?(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?: (UTC))?/.exec(value);
	if (!m) return undefined;
	const t = Date.parse(`${m[1]}T${m[2]}${m[3] ? 'Z' : ''}`);
	return Number.isFinite(t) ? t : undefined;
}

/** The last run as systemd saw it. */
export interface JournalRun {
	/** When the service last finished (or the newest journal entry's time). */
	end?: number;
	/** 'ok' when systemd's Result is success, else 'failed' (with the exit status). */
	result?: 'ok' | 'failed';
	exitStatus?: number;
	/** The newest journal line of the unit. */
	message?: string;
}

/** The newest entry of `journalctl -o json -n 1` (MESSAGE may be a byte array for non-UTF-8 text). */
export function parseJournalLast(text: string): {time?: number; message?: string} | undefined {
	const line = text
		.split('\n')
		.map(l => l.trim())
		.filter(Boolean)
		.at(-1);
	if (!line) return undefined;
	try {
		const o = JSON.parse(line) as {__REALTIME_TIMESTAMP?: string; MESSAGE?: unknown};
		const message = typeof o.MESSAGE === 'string' ? o.MESSAGE : Array.isArray(o.MESSAGE) ? Buffer.from(o.MESSAGE as number[]).toString('utf8') : undefined;
		const time = o.__REALTIME_TIMESTAMP ? Math.floor(Number(o.__REALTIME_TIMESTAMP) / 1000) : undefined;
		return {time: Number.isFinite(time) ? time : undefined, message};
	} catch {
		return undefined;
	}
}

/** systemd's view of the service after a run: Result, ExecMainStatus, ExecMainExitTimestamp. */
export function journalRunFrom(service: Record<string, string>, journal?: {time?: number; message?: string}): JournalRun | undefined {
	const end = parseSystemdTime(service.ExecMainExitTimestamp) ?? journal?.time;
	if (end === undefined && !journal?.message) return undefined;
	const status = service.ExecMainStatus !== undefined && service.ExecMainStatus !== '' ? Number(service.ExecMainStatus) : undefined;
	const result = service.Result ? (service.Result === 'success' ? 'ok' : 'failed') : undefined;
	return {end, result: end === undefined ? undefined : result, exitStatus: Number.isFinite(status) ? status : undefined, message: journal?.message};
}

/** What systemd says of one set's timer, when systemd runs. */
export interface TimerState {
	systemd: {running: boolean; reason?: string};
	/** systemd's own next elapse (includes RandomizedDelaySec and Persistent catch-up). */
	nextRun?: number;
	last?: JournalRun;
}

const quiet = {reject: false, timeout: 10_000, stdin: 'ignore', env: {SYSTEMD_PAGER: '', LC_ALL: 'C'}} as const;

/** Ask systemd (systemctl show, journalctl) about resto-SET.timer/.service; nothing is asked without systemd. */
export async function timerState(set: string, scope: UnitScope, root = '/'): Promise<TimerState> {
	const systemd = systemdRunning(root);
	if (!systemd.running) return {systemd};
	const names = unitNames(set);
	const user = scope === 'user' ? ['--user'] : [];
	const show = async (unit: string, props: string[]) => {
		const r = await execa('systemctl', [...user, 'show', '--timestamp=unix', unit, ...props.flatMap(p => ['-p', p])], quiet);
		return r.exitCode === 0 ? parseSystemctlShow(String(r.stdout)) : {};
	};
	const [timer, service, journal] = await Promise.all([
		show(names.timer, ['NextElapseUSecRealtime', 'LastTriggerUSec']),
		show(names.service, ['Result', 'ExecMainStatus', 'ExecMainExitTimestamp']),
		execa('journalctl', [...user, '-u', names.service, '-o', 'json', '-n', '1', '--no-pager'], quiet).then(
			r => (r.exitCode === 0 ? parseJournalLast(String(r.stdout)) : undefined),
			() => undefined,
		),
	]);
	return {systemd, nextRun: parseSystemdTime(timer.NextElapseUSecRealtime), last: journalRunFrom(service, journal)};
}
