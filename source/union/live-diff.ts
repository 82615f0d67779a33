/**
 * A snapshot against the live filesystem ("what changed since the last backup"): every node of the
 * snapshot (`restic ls --json --recursive`) compared with lstat of the same path on this machine,
 * under the snapshot's backup paths. Changes come out as restic diff's (+ added, - removed, M content
 * (size, mtime or link target), T type, U metadata (mode; a folder's mtime)) so the diff tree, the
 * screen and `resto diff --live` treat both alike. Reads the disk; never writes it.
 */
import {resolve as pathResolve} from 'node:path';
import {existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, type BigIntStats} from 'node:fs';
import type {ResticClient} from '../restic/client.js';
import type {DiffChange} from '../restic/diff.js';
import type {LsNode, Snapshot} from '../restic/parse.js';
import {excluder} from './exclude-match.js';
import {goLossyDecode} from './plan.js';

type NodeType = LsNode['type'];

/** What the snapshot says about one path (kept small: a big home has millions). */
interface Seen {
	type: NodeType;
	size: number;
	mtime: number;
	mode: number;
	link?: string;
}

/** Counts of a live diff. */
export interface LiveDiffStatistics {
	/** Nodes in the snapshot. */
	snapshotNodes: number;
	/** Paths looked at on disk. */
	liveNodes: number;
	/** Paths that could not be read (permission denied, vanished while walking). */
	unreadable: number;
	/** Paths on disk the backup set excludes (left out, with everything below them). */
	excluded: number;
}

export interface LiveDiffOptions {
	signal?: AbortSignal;
	/** Called for each change as it is found. */
	onChange: (change: DiffChange) => void;
	/** What the backup leaves out (its set's exclude, excludeIfPresent, excludeCaches): not shown as added. */
	exclude?: LiveExcludes;
	/** Called now and then with how far it got. */
	onProgress?: (p: {phase: 'listing' | 'walking'; nodes: number}) => void;
}

/** The exclude options of the backup set that made the snapshot. */
export interface LiveExcludes {
	patterns?: readonly string[];
	ifPresent?: readonly string[];
	caches?: boolean;
}

const cacheTagSignature = 'Signature: 8a477f597d28d172789f06886806bc55';

/** Whether a folder holds a marker that excludes it (restic's --exclude-if-present and --exclude-caches). */
function markedFolder(raw: Buffer, ex: LiveExcludes): boolean {
	const at = (name: string) => Buffer.concat([raw, Buffer.from(`/${name}`)]);
	for (const spec of ex.ifPresent ?? []) {
		// "name[:header]": the file must start with the header when one is given.
		const i = spec.indexOf(':');
		const name = i < 0 ? spec : spec.slice(0, i);
		if (!name || !existsSync(at(name))) continue;
		if (i < 0) return true;
		try {
			if (
				readFileSync(at(name))
					.subarray(0, spec.length - i - 1)
					.toString('utf8') === spec.slice(i + 1)
			)
				return true;
		} catch {
			// unreadable marker: restic would not exclude either
		}
	}
	if (ex.caches && existsSync(at('CACHEDIR.TAG'))) {
		try {
			if (readFileSync(at('CACHEDIR.TAG')).subarray(0, cacheTagSignature.length).toString('utf8') === cacheTagSignature) return true;
		} catch {
			// as above
		}
	}
	return false;
}

/**
 * The excludes of the configured backup set that makes snapshots like this one: same repository,
 * same backup paths. Undefined when no set matches (then nothing is left out).
 */
export function excludesFor(sets: ReadonlyArray<{repository: string; paths: readonly string[]; exclude?: readonly string[]; excludeIfPresent?: readonly string[]; excludeCaches?: boolean}>, repoName: string, snapshotPaths: readonly string[]): LiveExcludes | undefined {
	const key = (paths: readonly string[]) =>
		paths
			.map(p => (p.length > 1 ? p.replace(/\/+$/, '') : p))
			.sort()
			.join('\0');
	const want = key(snapshotPaths);
	const set = sets.find(s => s.repository === repoName && key(s.paths.map(p => pathResolve(p))) === want);
	return set ? {patterns: set.exclude, ifPresent: set.excludeIfPresent, caches: set.excludeCaches} : undefined;
}

/** Go's os.FileMode permission and special bits → the Unix st_mode bits (07777). */
export function goModeToUnix(mode: number): number {
	let m = mode & 0o777;
	if (mode & (1 << 23)) m |= 0o4000; // ModeSetuid
	if (mode & (1 << 22)) m |= 0o2000; // ModeSetgid
	if (mode & (1 << 20)) m |= 0o1000; // ModeSticky
	return m;
}

function typeOf(st: BigIntStats): NodeType {
	if (st.isFile()) return 'file';
	if (st.isDirectory()) return 'dir';
	if (st.isSymbolicLink()) return 'symlink';
	return 'other';
}

function change(path: string, dir: boolean, kind: DiffChange['kind'], flags: {content?: boolean; typeChanged?: boolean; metadata?: boolean} = {}): DiffChange {
	const modifier = kind === 'added' ? '+' : kind === 'removed' ? '-' : `${flags.typeChanged ? 'T' : ''}${flags.content ? 'M' : ''}${flags.metadata ? 'U' : ''}`;
	return {path, dir, kind, content: Boolean(flags.content), typeChanged: Boolean(flags.typeChanged), metadata: Boolean(flags.metadata), modifier};
}

/**
 * Compare what one snapshot holds with what is on disk now. Paths are compared as restic prints
 * them (invalid UTF-8 as one U+FFFD per byte); the disk is read by raw bytes, so such names are found.
 */
export async function diffLive(client: ResticClient, snapshot: Pick<Snapshot, 'id' | 'paths'>, options: LiveDiffOptions): Promise<LiveDiffStatistics> {
	const {signal, onChange, onProgress} = options;
	const seen = new Map<string, Seen>();
	let last = 0;
	const tick = (phase: 'listing' | 'walking', nodes: number) => {
		const now = Date.now();
		if (onProgress && now - last >= 100) {
			last = now;
			onProgress({phase, nodes});
		}
	};
	await client.ls(
		snapshot.id,
		{recursive: true},
		node => {
			seen.set(node.path, {type: node.type, size: node.size, mtime: node.mtime, mode: node.mode, link: node.linkTarget});
			tick('listing', seen.size);
		},
		signal,
	);
	signal?.throwIfAborted();
	const stats: LiveDiffStatistics = {snapshotNodes: seen.size, liveNodes: 0, unreadable: 0, excluded: 0};
	const visited = new Set<string>();
	const patternExcluded = excluder(options.exclude?.patterns);
	const excludedRoots = new Set<string>();

	// Depth first, by raw bytes; yields to the event loop now and then so a cancel gets through.
	let steps = 0;
	const walk = async (raw: Buffer, shown: string): Promise<void> => {
		if (++steps % 2000 === 0) {
			await new Promise(r => setImmediate(r));
			signal?.throwIfAborted();
		}
		if (patternExcluded?.(shown)) {
			stats.excluded++;
			excludedRoots.add(shown);
			return;
		}
		let st: BigIntStats;
		try {
			st = lstatSync(raw, {bigint: true});
		} catch {
			stats.unreadable++;
			return;
		}
		stats.liveNodes++;
		tick('walking', stats.liveNodes);
		const type = typeOf(st);
		if (type === 'dir' && options.exclude && markedFolder(raw, options.exclude)) {
			stats.excluded++;
			excludedRoots.add(shown);
			return;
		}
		visited.add(shown);
		const old = seen.get(shown);
		if (!old) onChange(change(shown, type === 'dir', 'added'));
		else if (old.type !== type) onChange(change(shown, type === 'dir', 'changed', {typeChanged: true}));
		else {
			const mtime = Number(st.mtimeNs / 1_000_000n);
			const modeChanged = goModeToUnix(old.mode) !== Number(st.mode & 0o7777n) && type !== 'symlink';
			let content = false;
			if (type === 'file') content = Number(st.size) !== old.size || mtime !== old.mtime;
			else if (type === 'symlink') {
				try {
					content = readlinkSync(raw, {encoding: 'buffer'}).toString('utf8') !== (old.link ?? '');
				} catch {
					content = false;
				}
			}
			// A folder's mtime moves whenever an entry is added or removed: metadata, as restic diff says.
			const metadata = modeChanged || (type === 'dir' && mtime !== old.mtime);
			if (content || metadata) onChange(change(shown, type === 'dir', 'changed', {content, metadata}));
		}
		if (type !== 'dir') return;
		let names: Buffer[];
		try {
			names = readdirSync(raw, {encoding: 'buffer'});
		} catch {
			stats.unreadable++;
			return;
		}
		names.sort(Buffer.compare);
		const sep = raw.length > 0 && raw[raw.length - 1] === 0x2f ? raw : Buffer.concat([raw, Buffer.from('/')]);
		for (const name of names) await walk(Buffer.concat([sep, name]), `${shown === '/' ? '' : shown}/${goLossyDecode(name)}`);
	};

	for (const root of snapshot.paths) {
		const clean = root.length > 1 ? root.replace(/\/+$/, '') : root;
		await walk(Buffer.from(clean), clean);
	}
	// What the snapshot has below its paths and the disk no longer does. Its parents above the backup
	// paths (restic lists /home for a backup of /home/me) are not looked at on disk: skip them.
	const roots = snapshot.paths.map(r => (r.length > 1 ? r.replace(/\/+$/, '') : r));
	const within = (p: string, r: string) => p === r || p.startsWith(r === '/' ? '/' : `${r}/`);
	const under = (p: string) => roots.some(r => within(p, r));
	// Excluded on disk is not "removed": the file is still there, the backup just leaves it out.
	const skipped = (p: string) => {
		if (excludedRoots.size === 0) return false;
		for (let at = p; at.length > 1; at = at.slice(0, Math.max(1, at.lastIndexOf('/')))) if (excludedRoots.has(at)) return true;
		return false;
	};
	for (const [p, old] of seen) {
		if (!visited.has(p) && under(p) && !skipped(p)) onChange(change(p, old.type === 'dir', 'removed'));
	}
	return stats;
}
