/**
 * Retention: a pure simulator of restic's `forget` policy (restic 0.14 internal/restic/snapshot_policy.go,
 * checked against real `forget --dry-run --json`), the argv for restic's own dry run, and parsers for
 * its JSON and for `prune --dry-run`. Nothing here spawns anything.
 */
import type {RetentionConfig} from '../config/ops-schema.js';
import {resticDurationPattern} from '../config/ops-schema.js';

/** The snapshot fields the policy looks at. `timeText` keeps restic's zone offset: buckets use it. */
export interface PolicySnapshot {
	id: string;
	time: number;
	timeText: string;
	hostname: string;
	paths: string[];
	tags: string[];
}

/** A retention policy in resto's terms (the config's `retention`). */
export type RetentionPolicy = RetentionConfig;

/** One group's outcome, with the reasons for every kept snapshot (restic's order: newest first). */
export interface PolicyGroup {
	host: string;
	paths: string[] | null;
	tags: string[] | null;
	keep: Array<{id: string; time: number; reasons: string[]}>;
	remove: Array<{id: string; time: number}>;
}

export interface PolicyResult {
	groups: PolicyGroup[];
	/** Ids of snapshots the policy looked at (after --host/--tag/--path). Others are untouched. */
	considered: number;
	keep: string[];
	remove: string[];
}

/** The parts of a restic duration (1y5m7d2h). */
export interface ResticDuration {
	years: number;
	months: number;
	days: number;
	hours: number;
}

/** Parse restic's duration syntax. */
export function parseResticDuration(text: string): ResticDuration {
	if (!text || !resticDurationPattern.test(text)) throw new TypeError(`not a restic duration: ${JSON.stringify(text)}`);
	const part = (u: string) => Number(new RegExp(`(\\d+)${u}`).exec(text)?.[1] ?? 0);
	return {
		years: part('y'),
		months: part('m'),
		days: part('d'),
		hours: part('h'),
	};
}

/** restic's Duration.String(): the non-zero parts in y m d h order. */
export function formatResticDuration(d: ResticDuration): string {
	return `${d.years ? `${d.years}y` : ''}${d.months ? `${d.months}m` : ''}${d.days ? `${d.days}d` : ''}${d.hours ? `${d.hours}h` : ''}`;
}

function durationZero(d: ResticDuration | undefined): boolean {
	return !d || (d.years === 0 && d.months === 0 && d.days === 0 && d.hours === 0);
}

/** The zone offset (minutes) written in an RFC 3339 time; restic keeps the zone the snapshot was made in. */
export function zoneOffsetMinutes(timeText: string): number {
	const m = /(Z|[+-]\d{2}:\d{2})$/.exec(timeText.trim());
	if (!m || m[1] === 'Z') return 0;
	const sign = m[1]!.startsWith('-') ? -1 : 1;
	return sign * (Number(m[1]!.slice(1, 3)) * 60 + Number(m[1]!.slice(4, 6)));
}

/** Wall-clock fields of a snapshot in its own zone (what Go's time.Time methods return). */
function wall(s: PolicySnapshot): Date {
	return new Date(s.time + zoneOffsetMinutes(s.timeText) * 60_000);
}

/** ISO 8601 year and week of a wall-clock date (Go's ISOWeek). */
export function isoWeek(d: Date): {year: number; week: number} {
	const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
	const day = t.getUTCDay() || 7;
	t.setUTCDate(t.getUTCDate() + 4 - day);
	const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
	return {
		year: t.getUTCFullYear(),
		week: Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7),
	};
}

type Bucker = (s: PolicySnapshot, nr: number) => number;
const ymdh: Bucker = s => {
	const d = wall(s);
	return d.getUTCFullYear() * 1_000_000 + (d.getUTCMonth() + 1) * 10_000 + d.getUTCDate() * 100 + d.getUTCHours();
};
const ymd: Bucker = s => {
	const d = wall(s);
	return d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
};
const yw: Bucker = s => {
	const w = isoWeek(wall(s));
	return w.year * 100 + w.week;
};
const ym: Bucker = s => {
	const d = wall(s);
	return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
};
const y: Bucker = s => wall(s).getUTCFullYear();
const always: Bucker = (_s, nr) => nr;

/** latest.AddDate(-y, -m, -d).Add(-h hours) in latest's zone, as an instant (Go normalises like Date.UTC). */
function cutoff(latest: PolicySnapshot, d: ResticDuration): number {
	const off = zoneOffsetMinutes(latest.timeText) * 60_000;
	const w = new Date(latest.time + off);
	const shifted = Date.UTC(w.getUTCFullYear() - d.years, w.getUTCMonth() - d.months, w.getUTCDate() - d.days, w.getUTCHours(), w.getUTCMinutes(), w.getUTCSeconds(), w.getUTCMilliseconds());
	// Sub-millisecond digits are lost in epoch ms; restic compares nanoseconds, an edge no schedule hits.
	return shifted - off - d.hours * 3_600_000;
}

function hasTags(s: PolicySnapshot, list: readonly string[]): boolean {
	return list.every(t => s.tags.includes(t));
}

/** True when the policy keeps by nothing at all (restic then keeps everything: "policy is empty"). */
export function policyIsEmpty(p: RetentionPolicy): boolean {
	const counts = [p.keepLast, p.keepHourly, p.keepDaily, p.keepWeekly, p.keepMonthly, p.keepYearly].some(n => (n ?? 0) > 0);
	const withins = [p.keepWithin, p.keepWithinHourly, p.keepWithinDaily, p.keepWithinWeekly, p.keepWithinMonthly, p.keepWithinYearly].some(w => w && !durationZero(parseResticDuration(w)));
	return !counts && !withins && !(p.keepTags ?? []).some(l => l.length > 0);
}

/** Apply the policy to one group of snapshots (restic's ApplyPolicy). */
export function applyPolicy(
	list: readonly PolicySnapshot[],
	p: RetentionPolicy,
): {
	keep: Array<{snapshot: PolicySnapshot; reasons: string[]}>;
	remove: PolicySnapshot[];
} {
	// Newest first; a stable sort as in restic.
	const sorted = [...list].sort((a, b) => b.time - a.time);
	if (policyIsEmpty(p))
		return {
			keep: sorted.map(s => ({snapshot: s, reasons: ['policy is empty']})),
			remove: [],
		};
	if (sorted.length === 0) return {keep: [], remove: []};
	const buckets = [
		{
			count: p.keepLast ?? 0,
			bucker: always,
			last: -1,
			reason: 'last snapshot',
		},
		{
			count: p.keepHourly ?? 0,
			bucker: ymdh,
			last: -1,
			reason: 'hourly snapshot',
		},
		{
			count: p.keepDaily ?? 0,
			bucker: ymd,
			last: -1,
			reason: 'daily snapshot',
		},
		{
			count: p.keepWeekly ?? 0,
			bucker: yw,
			last: -1,
			reason: 'weekly snapshot',
		},
		{
			count: p.keepMonthly ?? 0,
			bucker: ym,
			last: -1,
			reason: 'monthly snapshot',
		},
		{
			count: p.keepYearly ?? 0,
			bucker: y,
			last: -1,
			reason: 'yearly snapshot',
		},
	];
	const within = (text: string | undefined) => (text ? parseResticDuration(text) : undefined);
	const bucketsWithin = [
		{
			within: within(p.keepWithinHourly),
			text: p.keepWithinHourly,
			bucker: ymdh,
			last: -1,
			reason: 'hourly within',
		},
		{
			within: within(p.keepWithinDaily),
			text: p.keepWithinDaily,
			bucker: ymd,
			last: -1,
			reason: 'daily within',
		},
		{
			within: within(p.keepWithinWeekly),
			text: p.keepWithinWeekly,
			bucker: yw,
			last: -1,
			reason: 'weekly within',
		},
		{
			within: within(p.keepWithinMonthly),
			text: p.keepWithinMonthly,
			bucker: ym,
			last: -1,
			reason: 'monthly within',
		},
		{
			within: within(p.keepWithinYearly),
			text: p.keepWithinYearly,
			bucker: y,
			last: -1,
			reason: 'yearly within',
		},
	];
	const keepWithin = within(p.keepWithin);
	const latest = sorted[0]!;
	const keep: Array<{snapshot: PolicySnapshot; reasons: string[]}> = [];
	const remove: PolicySnapshot[] = [];
	sorted.forEach((cur, nr) => {
		const reasons: string[] = [];
		for (const l of p.keepTags ?? []) if (l.length > 0 && hasTags(cur, l)) reasons.push(`has tags [${l.join(', ')}]`);
		if (keepWithin && !durationZero(keepWithin) && cur.time > cutoff(latest, keepWithin)) reasons.push(`within ${formatResticDuration(keepWithin)}`);
		for (const b of buckets) {
			if (b.count <= 0) continue;
			const val = b.bucker(cur, nr);
			if (val !== b.last) {
				b.last = val;
				b.count--;
				reasons.push(b.reason);
			}
		}
		for (const b of bucketsWithin) {
			if (!b.within || durationZero(b.within) || !(cur.time > cutoff(latest, b.within))) continue;
			const val = b.bucker(cur, nr);
			if (val !== b.last) {
				b.last = val;
				reasons.push(`${b.reason} ${formatResticDuration(b.within)}`);
			}
		}
		if (reasons.length > 0) keep.push({snapshot: cur, reasons});
		else remove.push(cur);
	});
	return {keep, remove};
}

function groupFields(p: RetentionPolicy): {
	host: boolean;
	paths: boolean;
	tags: boolean;
} {
	const g = (p.groupBy ?? 'host,paths').split(',');
	return {
		host: g.includes('host'),
		paths: g.includes('paths'),
		tags: g.includes('tags'),
	};
}

/** restic's snapshot filter: one of the hosts, one of the tag lists, all of the paths. */
function matchesFilter(s: PolicySnapshot, p: RetentionPolicy): boolean {
	if (p.hosts?.length && !p.hosts.includes(s.hostname)) return false;
	if (p.tags?.length && !p.tags.some(l => hasTags(s, l))) return false;
	if (p.paths?.length && !p.paths.every(x => s.paths.includes(x))) return false;
	return true;
}

/** Group, filter and apply the policy to a whole repository's snapshots, as `restic forget` would. */
export function simulateForget(snapshots: readonly PolicySnapshot[], p: RetentionPolicy): PolicyResult {
	const g = groupFields(p);
	const groups = new Map<
		string,
		{
			host: string;
			paths: string[] | null;
			tags: string[] | null;
			list: PolicySnapshot[];
		}
	>();
	let considered = 0;
	for (const s of snapshots) {
		if (!matchesFilter(s, p)) continue;
		considered++;
		const host = g.host ? s.hostname : '';
		const paths = g.paths ? [...s.paths].sort() : null;
		const tags = g.tags ? [...s.tags].sort() : null;
		const key = JSON.stringify([host, paths, tags]);
		let group = groups.get(key);
		if (!group) groups.set(key, (group = {host, paths, tags, list: []}));
		group.list.push(s);
	}
	const out: PolicyGroup[] = [];
	for (const key of [...groups.keys()].sort()) {
		const group = groups.get(key)!;
		const r = applyPolicy(group.list, p);
		out.push({
			host: group.host,
			paths: group.paths,
			tags: group.tags,
			keep: r.keep.map(k => ({
				id: k.snapshot.id,
				time: k.snapshot.time,
				reasons: k.reasons,
			})),
			remove: r.remove.map(s => ({id: s.id, time: s.time})),
		});
	}
	return {
		groups: out,
		considered,
		keep: out.flatMap(x => x.keep.map(k => k.id)),
		remove: out.flatMap(x => x.remove.map(r => r.id)),
	};
}

/** Why a policy must not be applied: it empties the repository or a host/path group. undefined when it is safe. */
export function refusalReason(result: PolicyResult): string | undefined {
	if (result.considered > 0 && result.keep.length === 0) return `this policy would delete every snapshot (${result.considered}); refusing`;
	const emptied = result.groups.filter(g => g.keep.length === 0 && g.remove.length > 0);
	if (emptied.length > 0) {
		const names = emptied.map(g => [g.host, g.paths?.join(' '), g.tags?.join(',')].filter(Boolean).join(' ') || '(all)');
		return `this policy would delete every snapshot of ${names.join('; ')}; refusing`;
	}
	return undefined;
}

/** True when the policy has no keep rule at all (restic forget would refuse to run it). */
export function policyHasNoRules(p: RetentionPolicy): boolean {
	return policyIsEmpty(p);
}

/** `restic forget` argv for a policy (with --dry-run --no-lock --json when asked). Values go as --flag=value. */
export function forgetPolicyArgv(p: RetentionPolicy, options: {dryRun?: boolean; json?: boolean; prune?: boolean} = {}): string[] {
	const args = ['forget'];
	const num = (flag: string, v: number | undefined) => {
		if (v !== undefined && v > 0) args.push(`--${flag}=${v}`);
	};
	const dur = (flag: string, v: string | undefined) => {
		if (v) args.push(`--${flag}=${formatResticDuration(parseResticDuration(v))}`);
	};
	num('keep-last', p.keepLast);
	num('keep-hourly', p.keepHourly);
	num('keep-daily', p.keepDaily);
	num('keep-weekly', p.keepWeekly);
	num('keep-monthly', p.keepMonthly);
	num('keep-yearly', p.keepYearly);
	dur('keep-within', p.keepWithin);
	dur('keep-within-hourly', p.keepWithinHourly);
	dur('keep-within-daily', p.keepWithinDaily);
	dur('keep-within-weekly', p.keepWithinWeekly);
	dur('keep-within-monthly', p.keepWithinMonthly);
	dur('keep-within-yearly', p.keepWithinYearly);
	for (const l of p.keepTags ?? []) if (l.length > 0) args.push(`--keep-tag=${l.join(',')}`);
	for (const h of p.hosts ?? []) args.push(`--host=${h}`);
	for (const l of p.tags ?? []) args.push(`--tag=${l.join(',')}`);
	for (const x of p.paths ?? []) args.push(`--path=${x}`);
	if (p.groupBy !== undefined) args.push(`--group-by=${p.groupBy}`);
	// A dry run changes nothing; without --no-lock restic 0.14 takes the exclusive lock for it, which a
	// backup started meanwhile (a timer) would be refused by.
	if (options.dryRun) args.push('--dry-run', '--no-lock');
	if (options.json) args.push('--json');
	if (options.prune) args.push('--prune');
	return args;
}

/** restic's own verdict from `forget --dry-run --json` (0.14: reasons without ids, matched by time+tree). */
export function parseForgetJson(json: string): PolicyResult {
	const trimmed = json.trim();
	const data: unknown = trimmed === '' || trimmed === 'null' ? [] : JSON.parse(trimmed);
	if (!Array.isArray(data)) throw new SyntaxError('forget --json: expected an array');
	const groups: PolicyGroup[] = [];
	let considered = 0;
	for (const g of data as Array<Record<string, unknown>>) {
		const snaps = (v: unknown) => (Array.isArray(v) ? (v as Array<Record<string, unknown>>) : []);
		const keep = snaps(g.keep);
		const remove = snaps(g.remove);
		const reasons = snaps(g.reasons);
		considered += keep.length + remove.length;
		const reasonOf = (s: Record<string, unknown>) => {
			const r = reasons.find(x => {
				const rs = (x.snapshot ?? {}) as Record<string, unknown>;
				return (typeof x.id === 'string' && x.id === s.id) || (rs.time === s.time && rs.tree === s.tree && rs.hostname === s.hostname);
			});
			return Array.isArray(r?.matches) ? (r.matches as unknown[]).filter((m): m is string => typeof m === 'string') : [];
		};
		groups.push({
			host: typeof g.host === 'string' ? g.host : '',
			paths: Array.isArray(g.paths) ? (g.paths as string[]) : null,
			tags: Array.isArray(g.tags) ? (g.tags as string[]) : null,
			keep: keep.map(s => ({
				id: String(s.id),
				time: Date.parse(String(s.time)),
				reasons: reasonOf(s),
			})),
			remove: remove.map(s => ({
				id: String(s.id),
				time: Date.parse(String(s.time)),
			})),
		});
	}
	return {
		groups,
		considered,
		keep: groups.flatMap(x => x.keep.map(k => k.id)),
		remove: groups.flatMap(x => x.remove.map(r => r.id)),
	};
}

/** What `restic prune --dry-run` says it would do. Sizes in bytes. */
export interface PruneEstimate {
	/** Bytes freed: restic's "total prune" line. */
	reclaimBytes: number;
	deleteBytes: number;
	repackBytes: number;
	remainingBytes: number;
	/** Unused bytes left after the prune (restic tolerates --max-unused). */
	unusedAfterBytes: number;
}

const units: Record<string, number> = {
	B: 1,
	KiB: 1024,
	MiB: 1024 ** 2,
	GiB: 1024 ** 3,
	TiB: 1024 ** 4,
	PiB: 1024 ** 5,
};

/** "1.462 KiB" → bytes. */
export function parseResticSize(text: string): number {
	const m = /^([\d.]+)\s*(B|KiB|MiB|GiB|TiB|PiB)$/.exec(text.trim());
	if (!m) return Number.NaN;
	return Math.round(Number(m[1]) * units[m[2]!]!);
}

/** Parse `prune --dry-run` text (0.14: "total prune: 6 blobs / 1.462 KiB"). Undefined if the lines are missing. */
export function parsePruneDryRun(text: string): PruneEstimate | undefined {
	const size = (label: string) => {
		const m = new RegExp(`^${label}:\\s+(?:\\d+ blobs / )?([\\d.]+ [KMGTP]?i?B)`, 'm').exec(text);
		return m ? parseResticSize(m[1]!) : undefined;
	};
	const reclaim = size('total prune');
	if (reclaim === undefined) return undefined;
	return {
		reclaimBytes: reclaim,
		deleteBytes: size('to delete') ?? 0,
		repackBytes: size('to repack') ?? 0,
		remainingBytes: size('remaining') ?? 0,
		unusedAfterBytes: size('unused size after prune') ?? 0,
	};
}

/** A policy from restic-style CLI flags (keep-last=4 …); throws TypeError on a bad value. */
export function policyFromFlags(flags: Record<string, string | string[] | undefined>): RetentionPolicy {
	const p: RetentionPolicy = {};
	const int = (name: string): number | undefined => {
		const v = flags[name];
		if (v === undefined) return undefined;
		const s = Array.isArray(v) ? v.at(-1)! : v;
		if (!/^\d+$/.test(s)) throw new TypeError(`--${name} wants a whole number, not ${JSON.stringify(s)}`);
		return Number(s);
	};
	const dur = (name: string): string | undefined => {
		const v = flags[name];
		if (v === undefined) return undefined;
		const s = Array.isArray(v) ? v.at(-1)! : v;
		parseResticDuration(s);
		return s;
	};
	const list = (name: string): string[] | undefined => {
		const v = flags[name];
		return v === undefined ? undefined : Array.isArray(v) ? v : [v];
	};
	const set = <K extends keyof RetentionPolicy>(k: K, v: RetentionPolicy[K] | undefined) => {
		if (v !== undefined) p[k] = v;
	};
	set('keepLast', int('keep-last'));
	set('keepHourly', int('keep-hourly'));
	set('keepDaily', int('keep-daily'));
	set('keepWeekly', int('keep-weekly'));
	set('keepMonthly', int('keep-monthly'));
	set('keepYearly', int('keep-yearly'));
	set('keepWithin', dur('keep-within'));
	set('keepWithinHourly', dur('keep-within-hourly'));
	set('keepWithinDaily', dur('keep-within-daily'));
	set('keepWithinWeekly', dur('keep-within-weekly'));
	set('keepWithinMonthly', dur('keep-within-monthly'));
	set('keepWithinYearly', dur('keep-within-yearly'));
	const tagLists = (name: string) =>
		list(name)?.map(t =>
			t
				.split(',')
				.map(x => x.trim())
				.filter(Boolean),
		);
	set('keepTags', tagLists('keep-tag'));
	set('hosts', list('host'));
	set('tags', tagLists('tag'));
	set('paths', list('path'));
	const g = flags['group-by'];
	if (g !== undefined) {
		const s = Array.isArray(g) ? g.at(-1)! : g;
		if (!/^(?:(?:host|paths|tags)(?:,(?:host|paths|tags))*)?$/.test(s)) throw new TypeError(`--group-by wants host, paths and/or tags, not ${JSON.stringify(s)}`);
		p.groupBy = s;
	}
	return p;
}

/** Policy flags for a policy merged over another (a set's policy refines its repository's). */
export function mergePolicies(base: RetentionPolicy | undefined, over: RetentionPolicy | undefined): RetentionPolicy | undefined {
	if (!base && !over) return undefined;
	return {...base, ...over};
}
