/**
 * 3-2-1 health: per backup set, its repository and the copies of it, how many distinct media and whether
 * one is offsite, the age of the newest snapshot in each, the last copy result, and flags for a copy that
 * trails the source and a repository whose newest snapshot is older than its expected interval.
 * `panelFor` is pure; `gatherStatus` asks restic and reads the run log.
 */
import {readFileSync, realpathSync} from 'node:fs';
import path from 'node:path';
import type {BackupSetConfig, Config, Repository} from '../config/config.js';
import {intervalMs, type CopyConfig} from '../config/ops-schema.js';
import {runRestic} from '../restic/run.js';
import {parseCatConfig, parseSnapshots, type Snapshot} from '../restic/parse.js';
import {redact} from '../restic/errors.js';
import {secretsOf} from '../restic/run.js';
import {copyAccess} from './copy.js';
import {lastRun, readRuns, rememberRepositoryId, type RunRecord} from './run-log.js';
import {shorthandIntervalMs} from './schedule.js';

/** Where one copy of the data lives and how fresh it is. */
export interface LocationStatus {
	name: string;
	role: 'primary' | 'copy';
	type?: CopyConfig['type'];
	medium: string;
	location: string;
	offsite: boolean;
	newestTime?: number;
	newestId?: string;
	snapshotCount?: number;
	/** Age of the newest snapshot (ms) at `now`. */
	ageMs?: number;
	/** How far the newest snapshot trails the primary's (copies only). */
	lagMs?: number;
	lagging: boolean;
	/** Primary only: the newest snapshot is older than the expected interval. */
	overdue: boolean;
	error?: string;
	lastRun?: Pick<RunRecord, 'op' | 'result' | 'start' | 'end' | 'message' | 'unattended'>;
	status: 'ok' | 'warn' | 'error';
}

export interface SetStatus {
	set?: string;
	repository: string;
	copies: number;
	media: number;
	offsite: boolean;
	/** 3 copies, 2 media, 1 offsite. */
	meets321: boolean;
	expectedIntervalMs?: number;
	locations: LocationStatus[];
	problems: string[];
	status: 'ok' | 'warn' | 'error';
}

/** What a location is, derived from its repository string where the config does not say. */
export function describeLocation(repository: string, explicit: {medium?: string; location?: string; offsite?: boolean}, mountOf: (p: string) => string | undefined): {medium: string; location: string; offsite: boolean} {
	let medium: string;
	let location: string;
	let offsite: boolean;
	const remote = /^(rest|sftp|s3|b2|azure|gs|swift|rclone):(.*)$/.exec(repository);
	if (!remote) {
		const mount = mountOf(repository) ?? '/';
		medium = `disk ${mount}`;
		location = 'this machine';
		offsite = false;
	} else {
		const [, scheme, rest] = remote;
		const host = /^(?:https?:\/\/)?(?:[^@/]*@)?([^/:]+)/.exec(rest!)?.[1] ?? rest!.split(':')[0] ?? '';
		const local = /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?)$/.test(host);
		medium = scheme === 'rclone' ? `rclone ${rest!.split(':')[0]}` : `${scheme} ${host}`;
		location = local ? 'this machine' : host;
		offsite = !local;
	}
	return {
		medium: explicit.medium ?? medium,
		location: explicit.location ?? location,
		offsite: explicit.offsite ?? offsite,
	};
}

/** Pure: the panel for one set from what was found. */
export function panelFor(input: {
	set?: string;
	repository: string;
	expectedIntervalMs?: number;
	primary: Omit<LocationStatus, 'ageMs' | 'lagMs' | 'lagging' | 'overdue' | 'status'>;
	copies: Array<Omit<LocationStatus, 'ageMs' | 'lagMs' | 'lagging' | 'overdue' | 'status'> & {maxLagMs?: number}>;
	now: number;
}): SetStatus {
	const problems: string[] = [];
	const p = input.primary;
	const primaryAge = p.newestTime !== undefined ? input.now - p.newestTime : undefined;
	const overdue = input.expectedIntervalMs !== undefined && (primaryAge === undefined || primaryAge > input.expectedIntervalMs);
	if (p.error) problems.push(`${p.name}: ${p.error}`);
	else if (p.newestTime === undefined) problems.push(`${p.name}: no snapshot${input.set ? ` of set ${input.set}` : ''} yet`);
	if (overdue && p.newestTime !== undefined) problems.push(`${p.name}: newest snapshot is older than the expected interval`);
	const lastFailed = p.lastRun && p.lastRun.result === 'failed';
	if (lastFailed) problems.push(`${p.name}: last unattended ${p.lastRun!.op} failed${p.lastRun!.message ? `: ${p.lastRun!.message}` : ''}`);
	const primary: LocationStatus = {
		...p,
		ageMs: primaryAge,
		lagging: false,
		overdue,
		status: p.error || overdue || lastFailed ? 'error' : p.newestTime === undefined ? 'warn' : 'ok',
	};
	const copies: LocationStatus[] = input.copies.map(c => {
		const {maxLagMs = 0, ...rest} = c;
		const ageMs = c.newestTime !== undefined ? input.now - c.newestTime : undefined;
		const lagMs = c.newestTime !== undefined && p.newestTime !== undefined ? Math.max(0, p.newestTime - c.newestTime) : undefined;
		const lagging = p.newestTime !== undefined && (c.newestTime === undefined || (lagMs ?? 0) > maxLagMs);
		const copyFailed = c.lastRun?.result === 'failed';
		if (c.error) problems.push(`${c.name}: ${c.error}`);
		else if (lagging) problems.push(`${c.name}: ${c.newestTime === undefined ? 'has no snapshot yet' : 'trails the source'}${c.lastRun ? '' : ' (never copied by resto)'}`);
		if (copyFailed) problems.push(`${c.name}: last copy failed${c.lastRun!.message ? `: ${c.lastRun!.message}` : ''}`);
		return {
			...rest,
			ageMs,
			lagMs,
			lagging,
			overdue: false,
			status: c.error || lagging || copyFailed ? 'error' : 'ok',
		};
	});
	const all = [primary, ...copies];
	// A copy that cannot be read does not count towards the rule.
	const usable = all.filter(l => !l.error);
	const media = new Set(usable.map(l => l.medium)).size;
	const offsite = usable.some(l => l.offsite);
	const meets321 = usable.length >= 3 && media >= 2 && offsite;
	if (!meets321) {
		const missing = [usable.length < 3 ? `${usable.length} of 3 copies` : '', media < 2 ? `${media} medium` : '', offsite ? '' : 'nothing offsite'].filter(Boolean).join(', ');
		problems.push(`3-2-1 not met: ${missing}`);
	}
	const status = all.some(l => l.status === 'error') ? 'error' : !meets321 || all.some(l => l.status === 'warn') ? 'warn' : 'ok';
	return {
		set: input.set,
		repository: input.repository,
		copies: usable.length,
		media,
		offsite,
		meets321,
		expectedIntervalMs: input.expectedIntervalMs,
		locations: all,
		problems,
		status,
	};
}

/** The mount point holding a local path (longest mount prefix in /proc/mounts). */
export function mountPointOf(p: string): string | undefined {
	let real = path.resolve(p);
	// The repository may not exist yet: walk up to an existing parent.
	for (let i = 0; i < 64; i++) {
		try {
			real = realpathSync(real);
			break;
		} catch {
			const up = path.dirname(real);
			if (up === real) break;
			real = up;
		}
	}
	let mounts: string[];
	try {
		mounts = readFileSync('/proc/mounts', 'utf8')
			.split('\n')
			.map(l => l.split(' ')[1]?.replace(/\\040/g, ' '))
			.filter((m): m is string => Boolean(m));
	} catch {
		return undefined;
	}
	let best: string | undefined;
	for (const m of mounts) if ((real === m || real.startsWith(m.endsWith('/') ? m : `${m}/`)) && (!best || m.length > best.length)) best = m;
	return best;
}

/** Snapshots of a set: those that back up one of its paths (and carry its tags and host when it sets them). */
export function setSnapshots(snapshots: readonly Snapshot[], set: BackupSetConfig | undefined): Snapshot[] {
	if (!set) return [...snapshots];
	return snapshots.filter(s => set.paths.some(p => s.paths.includes(p)) && (!set.host || s.hostname === set.host) && (set.tags ?? []).every(t => s.tags.includes(t)));
}

/** The interval at which a repository expects new snapshots: its setting, else the tightest of its sets' schedules. */
export function expectedIntervalFor(config: Config, repo: Repository): number | undefined {
	if (repo.ops?.expectedInterval) return intervalMs(repo.ops.expectedInterval);
	const intervals = config.backupSets
		.filter(s => s.repository === repo.name && s.schedule)
		.map(s => shorthandIntervalMs(s.schedule!.calendar))
		.filter((n): n is number => n !== undefined);
	// Give a scheduled run a day's grace (RandomizedDelaySec, a machine that was off).
	return intervals.length > 0 ? Math.min(...intervals) + 24 * 3_600_000 : undefined;
}

async function probe(access: Repository['access'], signal?: AbortSignal): Promise<{id?: string; snapshots?: Snapshot[]; error?: string}> {
	try {
		const id = parseCatConfig(
			(
				await runRestic(access, ['cat', 'config', '--no-lock'], {
					collectStdout: true,
					signal,
					stallTimeoutMs: 20_000,
				})
			).stdout,
		).id;
		const snapshots = parseSnapshots(
			(
				await runRestic(access, ['snapshots', '--json', '--no-lock'], {
					collectStdout: true,
					signal,
					stallTimeoutMs: 20_000,
				})
			).stdout,
		).sort((a, b) => b.time - a.time);
		return {id, snapshots};
	} catch (error) {
		return {
			error: redact((error as Error).message.split('\n')[0] ?? 'failed', secretsOf(access)),
		};
	}
}

function runSummary(r: RunRecord | undefined): LocationStatus['lastRun'] {
	return r
		? {
				op: r.op,
				result: r.result,
				start: r.start,
				end: r.end,
				message: r.message,
				unattended: r.unattended,
			}
		: undefined;
}

/** Gather the 3-2-1 panel of every backup set (and of every repository with copies but no set). */
export async function gatherStatus(config: Config, options: {sets?: string[]; signal?: AbortSignal; now?: number} = {}): Promise<SetStatus[]> {
	const now = options.now ?? Date.now();
	const targets: Array<{set?: BackupSetConfig; repo: Repository}> = [];
	for (const set of config.backupSets) {
		const repo = config.repositories.find(r => r.name === set.repository);
		if (repo && (!options.sets || options.sets.includes(set.name))) targets.push({set, repo});
	}
	if (!options.sets) for (const repo of config.repositories) if (!config.backupSets.some(s => s.repository === repo.name)) targets.push({repo});
	const probes = new Map<string, Promise<Awaited<ReturnType<typeof probe>>>>();
	const probeOnce = (key: string, access: Repository['access']) => {
		let p = probes.get(key);
		if (!p) probes.set(key, (p = probe(access, options.signal)));
		return p;
	};
	const out: SetStatus[] = [];
	for (const {set, repo} of targets) {
		const primaryProbe = await probeOnce(`primary:${repo.name}`, repo.access);
		if (primaryProbe.id) rememberRepositoryId(repo.access.repository, primaryProbe.id);
		const runs = readRuns(repo.access.repository, primaryProbe.id);
		const mine = setSnapshots(primaryProbe.snapshots ?? [], set);
		const place = describeLocation(repo.access.repository, repo.ops ?? {}, mountPointOf);
		const primary = {
			name: repo.name,
			role: 'primary' as const,
			...place,
			newestTime: mine[0]?.time,
			newestId: mine[0]?.id,
			snapshotCount: primaryProbe.snapshots ? mine.length : undefined,
			error: primaryProbe.error,
			lastRun: runSummary(lastRun(runs, {op: 'backup', set: set?.name, unattended: true}) ?? lastRun(runs, {unattended: true})),
		};
		const copies = [];
		for (const c of repo.ops?.copies ?? []) {
			const access = copyAccess(repo, c);
			const cp = await probeOnce(`copy:${repo.name}:${c.name}`, access);
			const theirs = setSnapshots(cp.snapshots ?? [], set);
			let error = cp.error;
			if (!error && c.type === 'rclone' && cp.id && primaryProbe.id && cp.id !== primaryProbe.id) error = `a different repository (id ${cp.id.slice(0, 12)}…), not a mirror of ${repo.name}`;
			if (!error && c.repositoryId && cp.id && cp.id !== c.repositoryId) error = `a different repository (id ${cp.id.slice(0, 12)}…, configured ${c.repositoryId.slice(0, 12)}…)`;
			copies.push({
				name: c.name,
				role: 'copy' as const,
				type: c.type,
				...describeLocation(access.repository, c, mountPointOf),
				newestTime: theirs[0]?.time,
				newestId: theirs[0]?.id,
				snapshotCount: cp.snapshots ? theirs.length : undefined,
				error,
				lastRun: runSummary(lastRun(runs, {op: 'copy', copy: c.name})),
				maxLagMs: c.maxLag ? intervalMs(c.maxLag) : 0,
			});
		}
		out.push(
			panelFor({
				set: set?.name,
				repository: repo.name,
				expectedIntervalMs: expectedIntervalFor(config, repo),
				primary,
				copies,
				now,
			}),
		);
	}
	return out;
}
