/**
 * `restic diff --json --metadata A B`: argv builder and line parser (pure).
 * restic 0.14 prints one `change` object per changed path and a final `statistics` object:
 *   {"message_type":"change","path":"/src/a/x","modifier":"M"}
 *   {"message_type":"statistics","source_snapshot":"…","target_snapshot":"…","changed_files":1,
 *    "added":{"files":2,"dirs":1,"others":0,"data_blobs":3,"tree_blobs":5,"bytes":2776},"removed":{…}}
 * Folders end in "/". Modifiers: "+" added, "-" removed, else letters: "T" type changed (a folder
 * that became a file lists none of its old children), "M" content changed, "U" metadata changed
 * (mode, mtime, owner; only with --metadata), e.g. "TU".
 */
import {assertSnapshotId} from './argv.js';

/** argv of a snapshot diff with metadata changes. */
export function diffArgv(a: string, b: string): string[] {
	return ['diff', '--json', '--metadata', '--no-lock', '--', assertSnapshotId(a), assertSnapshotId(b)];
}

/** One changed path. */
export interface DiffChange {
	/** Absolute path without the trailing "/" of folders. */
	path: string;
	dir: boolean;
	kind: 'added' | 'removed' | 'changed';
	/** Content changed (M). */
	content: boolean;
	/** Type changed (T). */
	typeChanged: boolean;
	/** Metadata changed (U). */
	metadata: boolean;
	modifier: string;
}

/** Totals restic prints at the end. */
export interface DiffStatistics {
	source: string;
	target: string;
	changedFiles: number;
	added: {files: number; dirs: number; others: number; bytes: number};
	removed: {files: number; dirs: number; others: number; bytes: number};
}

export type DiffLine = {kind: 'change'; change: DiffChange} | {kind: 'statistics'; statistics: DiffStatistics} | {kind: 'other'};

const counts = (o: unknown) => {
	const x = (o ?? {}) as Record<string, unknown>;
	const n = (k: string) => (typeof x[k] === 'number' ? (x[k] as number) : 0);
	return {files: n('files'), dirs: n('dirs'), others: n('others'), bytes: n('bytes')};
};

/** Parse one stdout line of `restic diff --json` (unknown or malformed lines are 'other'). */
export function parseDiffLine(line: string): DiffLine {
	let o: Record<string, unknown>;
	try {
		const v = JSON.parse(line) as unknown;
		if (v === null || typeof v !== 'object' || Array.isArray(v)) return {kind: 'other'};
		o = v as Record<string, unknown>;
	} catch {
		return {kind: 'other'};
	}
	const type = o.message_type ?? o.struct_type;
	if (type === 'change' && typeof o.path === 'string' && typeof o.modifier === 'string') {
		const raw = o.path;
		const dir = raw.length > 1 && raw.endsWith('/');
		const path = dir ? raw.slice(0, -1) : raw;
		const m = o.modifier;
		const kind = m === '+' ? 'added' : m === '-' ? 'removed' : 'changed';
		return {kind: 'change', change: {path, dir, kind, content: m.includes('M'), typeChanged: m.includes('T'), metadata: m.includes('U'), modifier: m}};
	}
	if (type === 'statistics') {
		return {
			kind: 'statistics',
			statistics: {
				source: typeof o.source_snapshot === 'string' ? o.source_snapshot : '',
				target: typeof o.target_snapshot === 'string' ? o.target_snapshot : '',
				changedFiles: typeof o.changed_files === 'number' ? o.changed_files : 0,
				added: counts(o.added),
				removed: counts(o.removed),
			},
		};
	}
	return {kind: 'other'};
}
