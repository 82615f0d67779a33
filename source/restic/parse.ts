/**
 * Pure parsers for restic's JSON output, tolerant of missing (omitempty) and unknown fields and of
 * the differences between restic 0.14 and newer releases (see shared/restic-reference.md §5).
 */

/** A snapshot as resto uses it. Times are epoch milliseconds. */
export interface Snapshot {
	id: string;
	shortId: string;
	time: number;
	timeText: string;
	hostname: string;
	username: string;
	paths: string[];
	tags: string[];
	parent?: string;
	tree?: string;
	/** From restic ≥ 0.17 `summary`, when present. */
	totalBytes?: number;
	totalFiles?: number;
	programVersion?: string;
}

/** One node from `ls --json`. */
export interface LsNode {
	name: string;
	type: 'file' | 'dir' | 'symlink' | 'other';
	path: string;
	size: number;
	mtime: number;
	mode: number;
	permissions: string;
	uid: number;
	gid: number;
	linkTarget?: string;
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(o: Json, key: string): string {
	const v = o[key];
	return typeof v === 'string' ? v : '';
}

function num(o: Json, key: string): number {
	const v = o[key];
	return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function strings(o: Json, key: string): string[] {
	const v = o[key];
	return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Parse an RFC 3339 time with up to nanosecond precision into epoch ms (NaN-safe: 0). */
export function parseTime(text: string): number {
	if (!text) return 0;
	// Trim fractional seconds to milliseconds: Date.parse is only specified for 3 digits.
	const trimmed = text.replace(/(\.\d{3})\d+/, '$1');
	const t = Date.parse(trimmed);
	return Number.isFinite(t) ? t : 0;
}

function toSnapshot(o: Json): Snapshot | undefined {
	const id = str(o, 'id');
	if (!id) return undefined;
	const summary = asObject(o.summary);
	const timeText = str(o, 'time');
	const snap: Snapshot = {
		id,
		shortId: str(o, 'short_id') || id.slice(0, 8),
		time: parseTime(timeText),
		timeText,
		hostname: str(o, 'hostname'),
		username: str(o, 'username'),
		paths: strings(o, 'paths'),
		tags: strings(o, 'tags'),
	};
	const parent = str(o, 'parent');
	if (parent) snap.parent = parent;
	const tree = str(o, 'tree');
	if (tree) snap.tree = tree;
	const programVersion = str(o, 'program_version');
	if (programVersion) snap.programVersion = programVersion;
	if (summary) {
		snap.totalBytes = num(summary, 'total_bytes_processed');
		snap.totalFiles = num(summary, 'total_files_processed');
	}
	return snap;
}

/**
 * Parse `snapshots --json` (a JSON array), including the `--group-by` shape.
 * Throws on invalid JSON so callers never mistake garbage for "no snapshots".
 */
export function parseSnapshots(json: string): Snapshot[] {
	const trimmed = json.trim();
	if (trimmed === '' || trimmed === 'null') return [];
	const data: unknown = JSON.parse(trimmed);
	if (!Array.isArray(data)) throw new SyntaxError('snapshots --json: expected an array');
	const out: Snapshot[] = [];
	for (const item of data) {
		const o = asObject(item);
		if (!o) continue;
		if (Array.isArray(o.snapshots)) {
			for (const inner of o.snapshots) {
				const s = asObject(inner);
				const snap = s && toSnapshot(s);
				if (snap) out.push(snap);
			}
			continue;
		}
		const snap = toSnapshot(o);
		if (snap) out.push(snap);
	}
	return out;
}

function nodeType(t: string): LsNode['type'] {
	return t === 'file' || t === 'dir' || t === 'symlink' ? t : 'other';
}

function toNode(o: Json): LsNode {
	const path = str(o, 'path');
	const node: LsNode = {
		name: str(o, 'name') || path.slice(path.lastIndexOf('/') + 1),
		type: nodeType(str(o, 'type')),
		path,
		size: num(o, 'size'),
		mtime: parseTime(str(o, 'mtime')),
		mode: num(o, 'mode'),
		permissions: str(o, 'permissions'),
		uid: num(o, 'uid'),
		gid: num(o, 'gid'),
	};
	const link = str(o, 'linktarget') || str(o, 'link_target');
	if (link) node.linkTarget = link;
	return node;
}

/** One line of `ls --json`: the snapshot header, a node, or something unknown. */
export type LsLine = {kind: 'snapshot'; snapshot: Snapshot} | {kind: 'node'; node: LsNode} | {kind: 'other'};

/** Parse one `ls --json` line; `struct_type` (0.14) or `message_type` (0.17+). */
export function parseLsLine(line: string): LsLine {
	let data: unknown;
	try {
		data = JSON.parse(line);
	} catch {
		return {kind: 'other'};
	}
	const o = asObject(data);
	if (!o) return {kind: 'other'};
	const type = str(o, 'message_type') || str(o, 'struct_type');
	if (type === 'snapshot') {
		const snapshot = toSnapshot(o);
		return snapshot ? {kind: 'snapshot', snapshot} : {kind: 'other'};
	}
	if (type === 'node') return {kind: 'node', node: toNode(o)};
	return {kind: 'other'};
}

/** One snapshot's hits from `find --json`. */
export interface FindResult {
	snapshot: string;
	hits: number;
	matches: LsNode[];
}

/** Parse `find --json` (one JSON array, one element per snapshot with hits). */
export function parseFind(json: string): FindResult[] {
	const trimmed = json.trim();
	if (trimmed === '' || trimmed === 'null') return [];
	const data: unknown = JSON.parse(trimmed);
	if (!Array.isArray(data)) throw new SyntaxError('find --json: expected an array');
	const out: FindResult[] = [];
	for (const item of data) {
		const o = asObject(item);
		if (!o) continue;
		const matches = Array.isArray(o.matches)
			? o.matches
					.map(asObject)
					.filter((m): m is Json => m !== undefined)
					.map(toNode)
			: [];
		out.push({snapshot: str(o, 'snapshot'), hits: num(o, 'hits') || matches.length, matches});
	}
	return out;
}

/** Backup progress as restic reports it; totals are 0 while restic is still scanning. */
export interface BackupStatus {
	percentDone: number;
	secondsElapsed: number;
	secondsRemaining: number;
	totalFiles: number;
	filesDone: number;
	totalBytes: number;
	bytesDone: number;
	errorCount: number;
	currentFiles: string[];
}

export interface BackupSummary {
	filesNew: number;
	filesChanged: number;
	filesUnmodified: number;
	dirsNew: number;
	dirsChanged: number;
	dirsUnmodified: number;
	dataBlobs: number;
	treeBlobs: number;
	dataAdded: number;
	totalFilesProcessed: number;
	totalBytesProcessed: number;
	totalDuration: number;
	snapshotId: string;
	dryRun: boolean;
}

export interface BackupVerbose {
	action: string;
	item: string;
	duration: number;
	dataSize: number;
	dataSizeInRepo: number;
}

export interface BackupErrorEvent {
	item: string;
	during: string;
	message: string;
}

export type BackupEvent =
	| {type: 'status'; status: BackupStatus}
	| {type: 'scan-finished'; totalFiles: number; totalBytes: number; duration: number}
	| {type: 'verbose'; verbose: BackupVerbose}
	| {type: 'summary'; summary: BackupSummary}
	| {type: 'error'; error: BackupErrorEvent}
	| {type: 'exit-error'; code: number; message: string}
	| {type: 'text'; text: string};

const errnoText: Record<number, string> = {
	1: 'operation not permitted',
	2: 'no such file or directory',
	5: 'input/output error',
	13: 'permission denied',
	20: 'not a directory',
	21: 'is a directory',
	40: 'too many levels of symbolic links',
};

function backupErrorMessage(error: unknown): string {
	const o = asObject(error);
	if (!o) return typeof error === 'string' ? error : 'unknown error';
	if (typeof o.message === 'string') return o.message;
	// 0.14 serialises the raw Go error: {"Op":"open","Path":"…","Err":13}.
	const op = str(o, 'Op');
	const errno = num(o, 'Err');
	if (op || errno) return [op, errnoText[errno] ?? (errno ? `errno ${errno}` : '')].filter(Boolean).join(': ');
	return 'could not be read';
}

/** Parse one line of `backup --json` stdout or stderr. Routes on `action` before `message_type` (0.14 quirk). */
export function parseBackupLine(line: string): BackupEvent {
	const trimmed = line.trim();
	if (!trimmed.startsWith('{')) return {type: 'text', text: line};
	let data: unknown;
	try {
		data = JSON.parse(trimmed);
	} catch {
		return {type: 'text', text: line};
	}
	const o = asObject(data);
	if (!o) return {type: 'text', text: line};
	const messageType = str(o, 'message_type');
	if (str(o, 'action') === 'scan_finished') {
		return {type: 'scan-finished', totalFiles: num(o, 'total_files'), totalBytes: num(o, 'total_bytes') || num(o, 'data_size'), duration: num(o, 'duration')};
	}
	switch (messageType) {
		case 'status':
			return {
				type: 'status',
				status: {
					percentDone: num(o, 'percent_done'),
					secondsElapsed: num(o, 'seconds_elapsed'),
					secondsRemaining: num(o, 'seconds_remaining'),
					totalFiles: num(o, 'total_files'),
					filesDone: num(o, 'files_done'),
					totalBytes: num(o, 'total_bytes'),
					bytesDone: num(o, 'bytes_done'),
					errorCount: num(o, 'error_count'),
					currentFiles: strings(o, 'current_files'),
				},
			};
		case 'verbose_status':
			return {
				type: 'verbose',
				verbose: {action: str(o, 'action'), item: str(o, 'item'), duration: num(o, 'duration'), dataSize: num(o, 'data_size'), dataSizeInRepo: num(o, 'data_size_in_repo')},
			};
		case 'summary':
			return {
				type: 'summary',
				summary: {
					filesNew: num(o, 'files_new'),
					filesChanged: num(o, 'files_changed'),
					filesUnmodified: num(o, 'files_unmodified'),
					dirsNew: num(o, 'dirs_new'),
					dirsChanged: num(o, 'dirs_changed'),
					dirsUnmodified: num(o, 'dirs_unmodified'),
					dataBlobs: num(o, 'data_blobs'),
					treeBlobs: num(o, 'tree_blobs'),
					dataAdded: num(o, 'data_added'),
					totalFilesProcessed: num(o, 'total_files_processed'),
					totalBytesProcessed: num(o, 'total_bytes_processed'),
					totalDuration: num(o, 'total_duration'),
					// restic 0.14 puts an id in a dry run's summary although it saved no snapshot; 0.17's
					// --skip-if-unchanged omits it. A dry run never has one.
					snapshotId: o.dry_run === true ? '' : str(o, 'snapshot_id'),
					dryRun: o.dry_run === true,
				},
			};
		case 'error':
			return {type: 'error', error: {item: str(o, 'item'), during: str(o, 'during'), message: backupErrorMessage(o.error)}};
		case 'exit_error':
			return {type: 'exit-error', code: num(o, 'code'), message: str(o, 'message')};
		default:
			return {type: 'text', text: line};
	}
}

/** Restore progress (restic ≥ 0.16 with --json); 0.14 prints one text line only. */
export type RestoreEvent =
	| {type: 'status'; percentDone: number; filesRestored: number; totalFiles: number; bytesRestored: number; totalBytes: number}
	| {type: 'summary'; filesRestored: number; totalFiles: number; bytesRestored: number; totalBytes: number}
	| {type: 'error'; message: string; item: string}
	| {type: 'text'; text: string};

export function parseRestoreLine(line: string): RestoreEvent {
	const trimmed = line.trim();
	if (trimmed.startsWith('{')) {
		try {
			const o = asObject(JSON.parse(trimmed));
			if (o) {
				const counts = {
					filesRestored: num(o, 'files_restored'),
					totalFiles: num(o, 'total_files'),
					bytesRestored: num(o, 'bytes_restored'),
					totalBytes: num(o, 'total_bytes'),
				};
				const type = str(o, 'message_type');
				if (type === 'status') return {type: 'status', percentDone: num(o, 'percent_done'), ...counts};
				if (type === 'summary') return {type: 'summary', ...counts};
				if (type === 'error') return {type: 'error', message: backupErrorMessage(o.error), item: str(o, 'item')};
			}
		} catch {
			// fall through to text
		}
	}
	return {type: 'text', text: line};
}

export interface Stats {
	totalSize: number;
	totalFileCount: number;
	totalBlobCount: number;
	snapshotsCount: number;
}

export function parseStats(json: string): Stats {
	const o = asObject(JSON.parse(json.trim()));
	if (!o) throw new SyntaxError('stats --json: expected an object');
	return {totalSize: num(o, 'total_size'), totalFileCount: num(o, 'total_file_count'), totalBlobCount: num(o, 'total_blob_count'), snapshotsCount: num(o, 'snapshots_count')};
}

export interface RepoConfig {
	id: string;
	version: number;
}

/** Parse `cat config` (pretty JSON); `id` is the stable repository id. */
export function parseCatConfig(json: string): RepoConfig {
	const o = asObject(JSON.parse(json.trim()));
	const id = o ? str(o, 'id') : '';
	if (!o || !/^[0-9a-f]{64}$/.test(id)) throw new SyntaxError('cat config: no repository id');
	return {id, version: num(o, 'version') || 1};
}

export interface ResticVersion {
	version: string;
	major: number;
	minor: number;
	patch: number;
}

/** Parse `restic version` text (0.14) or JSON (0.17+). */
export function parseVersion(output: string): ResticVersion | undefined {
	let version: string | undefined;
	const trimmed = output.trim();
	if (trimmed.startsWith('{')) {
		try {
			const o = asObject(JSON.parse(trimmed));
			if (o) version = str(o, 'version') || undefined;
		} catch {
			// text fallback below
		}
	}
	version ??= /restic\s+v?(\d+\.\d+\.\d+\S*)/.exec(trimmed)?.[1];
	if (!version) return undefined;
	const [major = 0, minor = 0, patch = 0] = version.split(/[.-]/).map(n => Number.parseInt(n, 10) || 0);
	return {version, major, minor, patch};
}

/** True when `v` is at least major.minor. */
export function versionAtLeast(v: ResticVersion | undefined, major: number, minor: number): boolean {
	if (!v) return false;
	return v.major > major || (v.major === major && v.minor >= minor);
}

/** Parse `check` text output (0.14) into a verdict and the error lines. */
export function parseCheckOutput(stdout: string, stderr: string, exitCode: number | undefined): {ok: boolean; errors: string[]; summary: string} {
	const lines = `${stdout}\n${stderr}`
		.split('\n')
		.map(l => l.trim())
		.filter(Boolean);
	const ok = exitCode === 0 && lines.some(l => /no errors were found/.test(l));
	// restic's key lines (`pack 1959b7f2…: does not exist`, `tree … not found`) carry no "error" word;
	// "Fatal: repository contains errors" says nothing a user can act on, so it comes last.
	const isError = (l: string) =>
		(/error|Fatal|invalid|mismatch|damaged|fail|does not exist|not found|unexpected file size|does not match/i.test(l) || /^pack [0-9a-f]{8,64}\b/.test(l)) && !/no errors were found|additional files were found|not referenced in any index|^using temporary cache|^\[\d+:\d+\]/.test(l);
	const all = lines.filter(isError);
	// restic's retry lines ("Load(<data/…>) returned error, retrying after 552ms: open …") repeat what a key
	// line already says; they are kept only when nothing else names the problem.
	const retry = (l: string) => /returned error, retrying after/.test(l);
	const found = all.some(l => !retry(l) && !/^Fatal: repository contains errors/.test(l)) ? all.filter(l => !retry(l)) : all;
	const errors = [...found.filter(l => !/^Fatal: repository contains errors/.test(l)), ...found.filter(l => /^Fatal: repository contains errors/.test(l))];
	const specific = errors.filter(l => !/^Fatal: repository contains errors/.test(l));
	const summary = ok ? 'no errors were found' : specific.length > 0 ? `${specific[0]}${specific.length > 1 ? ` (and ${specific.length - 1} more)` : ''}` : (errors.at(-1) ?? lines.at(-1) ?? `check exited ${exitCode ?? '?'}`);
	return {ok, errors, summary};
}

/** One line of `check --json` (restic ≥ 0.18): an error, the summary, or something else. */
export type CheckJsonLine = {type: 'error'; message: string} | {type: 'summary'; numErrors: number; brokenPacks: string[]; suggestRepairIndex: boolean; suggestPrune: boolean} | {type: 'other'};

/** Parse a `check --json` line (cmd/restic/cmd_check.go v0.18: checkError, checkSummary). */
export function parseCheckJsonLine(line: string): CheckJsonLine {
	const trimmed = line.trim();
	if (!trimmed.startsWith('{')) return {type: 'other'};
	let o: Json | undefined;
	try {
		o = asObject(JSON.parse(trimmed));
	} catch {
		return {type: 'other'};
	}
	if (!o) return {type: 'other'};
	const type = str(o, 'message_type');
	if (type === 'error') return {type: 'error', message: str(o, 'message') || backupErrorMessage(o.error)};
	if (type === 'exit_error') return {type: 'error', message: `Fatal: ${str(o, 'message')}`};
	if (type === 'summary') return {type: 'summary', numErrors: num(o, 'num_errors'), brokenPacks: strings(o, 'broken_packs'), suggestRepairIndex: o.suggest_repair_index === true, suggestPrune: o.suggest_prune === true};
	return {type: 'other'};
}

/** A lock file as `restic cat lock` prints it. */
export interface LockFile {
	id: string;
	time: number;
	timeText: string;
	exclusive: boolean;
	hostname: string;
	username: string;
	pid: number;
}

/** Parse `cat lock` JSON. */
export function parseLockFile(id: string, json: string): LockFile {
	const o = asObject(JSON.parse(json.trim()));
	if (!o) throw new SyntaxError('cat lock: expected an object');
	const timeText = str(o, 'time');
	return {id, time: parseTime(timeText), timeText, exclusive: o.exclusive === true, hostname: str(o, 'hostname'), username: str(o, 'username'), pid: num(o, 'pid')};
}
