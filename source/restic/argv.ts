/**
 * Pure argv builders. Every user- or snapshot-supplied value is either validated (snapshot ids)
 * or passed as `--flag=value` / after `--`, so no name can ever start a flag.
 */

const snapshotIdPattern = /^[0-9a-f]{8,64}$/;

/** Throw unless `id` is an 8–64 character lowercase hex snapshot id, or "latest". */
export function assertSnapshotId(id: string): string {
	if (id === 'latest' || snapshotIdPattern.test(id)) return id;
	throw new TypeError(`not a snapshot id: ${JSON.stringify(id)}`);
}

/** True when `id` looks like a snapshot id. */
export function isSnapshotId(id: string): boolean {
	return id === 'latest' || snapshotIdPattern.test(id);
}

function flagValue(flag: string, value: string): string {
	return `--${flag}=${value}`;
}

function repeated(flag: string, values: readonly string[] | undefined): string[] {
	return (values ?? []).map(v => flagValue(flag, v));
}

/** Filters shared by snapshots/find/forget. */
export interface SnapshotFilter {
	hosts?: readonly string[];
	tags?: readonly string[];
	paths?: readonly string[];
}

function filterArgs(filter: SnapshotFilter | undefined): string[] {
	return [...repeated('host', filter?.hosts), ...repeated('tag', filter?.tags), ...repeated('path', filter?.paths)];
}

export function versionArgv(): string[] {
	return ['version'];
}

export function catConfigArgv(): string[] {
	return ['cat', 'config', '--no-lock'];
}

export function snapshotsArgv(options: SnapshotFilter & {latest?: number; noLock?: boolean} = {}): string[] {
	const argv = ['snapshots', '--json'];
	if (options.noLock !== false) argv.push('--no-lock');
	argv.push(...filterArgs(options));
	if (options.latest !== undefined) argv.push(flagValue('latest', String(Math.max(1, Math.floor(options.latest)))));
	return argv;
}

/** `restic ls --json` of a whole snapshot, or of `dir` and its direct children. */
export function lsArgv(snapshotId: string, options: {dir?: string; recursive?: boolean} = {}): string[] {
	const argv = ['ls', '--json', '--no-lock'];
	if (options.recursive) argv.push('--recursive');
	argv.push('--', assertSnapshotId(snapshotId));
	if (options.dir !== undefined) argv.push(options.dir);
	return argv;
}

export function findArgv(patterns: readonly string[], options: SnapshotFilter & {ignoreCase?: boolean; snapshots?: readonly string[]} = {}): string[] {
	if (patterns.length === 0) throw new TypeError('find needs at least one pattern');
	const argv = ['find', '--json', '--no-lock'];
	if (options.ignoreCase) argv.push('--ignore-case');
	argv.push(...filterArgs(options));
	for (const id of options.snapshots ?? []) argv.push(flagValue('snapshot', assertSnapshotId(id)));
	argv.push('--', ...patterns);
	return argv;
}

/** `restic dump` writes the file's bytes (or a tar of a directory) to stdout. */
export function dumpArgv(snapshotId: string, path: string): string[] {
	return ['dump', '--no-lock', '--', assertSnapshotId(snapshotId), path];
}

export interface RestoreOptions {
	target: string;
	include?: readonly string[];
	exclude?: readonly string[];
	verify?: boolean;
	json?: boolean;
	/** restic ≥ 0.17: what to do with files that exist in the target (restic's default: always). */
	overwrite?: 'always' | 'if-changed' | 'if-newer' | 'never';
	/** restic ≥ 0.17: report what would be restored, write nothing. */
	dryRun?: boolean;
	/** restic ≥ 0.17: delete files in the target that are not in the snapshot. */
	delete?: boolean;
}

/** A restic version as the argv builders need it (major, minor). */
export interface VersionGate {
	major: number;
	minor: number;
	version?: string;
}

const atLeast = (v: VersionGate, major: number, minor: number) => v.major > major || (v.major === major && v.minor >= minor);

/**
 * `restic restore`. Options newer than the installed restic (`version`, when known) are refused with a
 * message naming the version that has them, rather than passed to a restic that would reject them
 * (or, worse, misread them).
 */
export function restoreArgv(snapshotId: string, options: RestoreOptions, version?: VersionGate): string[] {
	const argv = ['restore', '--no-lock', flagValue('target', options.target)];
	const needs017 = [options.overwrite ? '--overwrite' : '', options.dryRun ? '--dry-run' : '', options.delete ? '--delete' : ''].filter(Boolean);
	if (version && needs017.length > 0 && !atLeast(version, 0, 17)) {
		throw new TypeError(`restic ${version.version ?? `${version.major}.${version.minor}`} has no \`restore ${needs017.join(' ')}\` (it came in restic 0.17)`);
	}
	if (options.overwrite && !['always', 'if-changed', 'if-newer', 'never'].includes(options.overwrite)) throw new TypeError(`invalid --overwrite: ${JSON.stringify(options.overwrite)}`);
	if (options.json) argv.push('--json');
	argv.push(...repeated('include', options.include), ...repeated('exclude', options.exclude));
	if (options.verify) argv.push('--verify');
	if (options.overwrite) argv.push(flagValue('overwrite', options.overwrite));
	if (options.dryRun) argv.push('--dry-run');
	if (options.delete) argv.push('--delete');
	argv.push('--', assertSnapshotId(snapshotId));
	return argv;
}

export interface BackupOptions {
	paths: readonly string[];
	exclude?: readonly string[];
	excludeCaches?: boolean;
	excludeIfPresent?: readonly string[];
	tags?: readonly string[];
	host?: string;
	dryRun?: boolean;
	verbose?: boolean;
	parent?: string;
	/** Snapshot time to record instead of now (restic `--time`), e.g. "2026-08-01 10:00:00". */
	time?: string;
}

export function backupArgv(options: BackupOptions): string[] {
	if (options.paths.length === 0) throw new TypeError('backup needs at least one path');
	const argv = ['backup', '--json'];
	if (options.verbose || options.dryRun) argv.push('--verbose');
	if (options.dryRun) argv.push('--dry-run');
	argv.push(...repeated('exclude', options.exclude));
	if (options.excludeCaches) argv.push('--exclude-caches');
	argv.push(...repeated('exclude-if-present', options.excludeIfPresent));
	argv.push(...repeated('tag', options.tags));
	if (options.host) argv.push(flagValue('host', options.host));
	if (options.parent) argv.push(flagValue('parent', assertSnapshotId(options.parent)));
	if (options.time) argv.push(flagValue('time', options.time));
	argv.push('--', ...options.paths);
	return argv;
}

export function statsArgv(options: {mode?: 'restore-size' | 'raw-data' | 'files-by-contents' | 'blobs-per-file'; snapshots?: readonly string[]} = {}): string[] {
	const argv = ['stats', '--json', '--no-lock'];
	if (options.mode) argv.push(flagValue('mode', options.mode));
	const ids = (options.snapshots ?? []).map(assertSnapshotId);
	if (ids.length > 0) argv.push('--', ...ids);
	return argv;
}

/**
 * `restic check`; `json` only for restic ≥ 0.18 (0.14 ignores it and prints text). `cacheDir`: where check
 * makes its temporary cache (restic-check-cache-*; else in TMPDIR, where a restic that is killed leaves it).
 */
export function checkArgv(options: {readDataSubset?: string; json?: boolean; cacheDir?: string} = {}): string[] {
	const argv = ['check'];
	if (options.cacheDir) argv.push(flagValue('cache-dir', options.cacheDir));
	if (options.json) argv.push('--json');
	if (options.readDataSubset) {
		if (!/^(\d+\/\d+|\d+(\.\d+)?%|\d+[KMGT]?)$/.test(options.readDataSubset)) {
			throw new TypeError(`invalid --read-data-subset: ${JSON.stringify(options.readDataSubset)}`);
		}
		argv.push(flagValue('read-data-subset', options.readDataSubset));
	}
	return argv;
}

export function initArgv(): string[] {
	return ['init'];
}

export function listLocksArgv(): string[] {
	return ['list', 'locks', '--no-lock'];
}

export function unlockArgv(options: {removeAll?: boolean} = {}): string[] {
	return options.removeAll ? ['unlock', '--remove-all'] : ['unlock'];
}

export function forgetArgv(snapshotIds: readonly string[]): string[] {
	return ['forget', '--', ...snapshotIds.map(assertSnapshotId)];
}

/** `restic cat lock ID` prints the lock's JSON (holder, pid, time, exclusive). */
export function catLockArgv(lockId: string): string[] {
	if (!/^[0-9a-f]{64}$/.test(lockId)) throw new TypeError(`not a lock id: ${JSON.stringify(lockId)}`);
	return ['cat', 'lock', '--no-lock', '--', lockId];
}

/** Turn a literal path into a restic include/exclude pattern that matches only that path. */
export function literalPattern(p: string): string {
	return p.replace(/[\\*?[\]]/g, ch => `\\${ch}`);
}
