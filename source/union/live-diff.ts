/**
 * A snapshot against the live filesystem ("what changed since the last backup"): every node of the
 * snapshot (`restic ls --json --recursive`) compared with lstat of the same path on this machine,
 * under the snapshot's backup paths. Changes come out as restic diff's (+ added, - removed, M content
 * (size, mtime or link target), T type, U metadata (mode; a folder's mtime)) so the diff tree, the
 * screen and `resto diff --live` treat both alike. Reads the disk; never writes it.
 */
import {lstatSync, readdirSync, readlinkSync, type BigIntStats} from 'node:fs';
import type {ResticClient} from '../restic/client.js';
import type {DiffChange} from '../restic/diff.js';
import type {LsNode, Snapshot} from '../restic/parse.js';
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
}

export interface LiveDiffOptions {
	signal?: AbortSignal;
	/** Called for each change as it is found. */
	onChange: (change: DiffChange) => void;
	/** Called now and then with how far it got. */
	onProgress?: (p: {phase: 'listing' | 'walking'; nodes: number}) => void;
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
	const stats: LiveDiffStatistics = {snapshotNodes: seen.size, liveNodes: 0, unreadable: 0};
	const visited = new Set<string>();

	// Depth first, by raw bytes; yields to the event loop now and then so a cancel gets through.
	let steps = 0;
	const walk = async (raw: Buffer, shown: string): Promise<void> => {
		if (++steps % 2000 === 0) {
			await new Promise(r => setImmediate(r));
			signal?.throwIfAborted();
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
		visited.add(shown);
		const type = typeOf(st);
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
	const under = (p: string) => roots.some(r => p === r || p.startsWith(r === '/' ? '/' : `${r}/`));
	for (const [p, old] of seen) {
		if (!visited.has(p) && under(p)) onChange(change(p, old.type === 'dir', 'removed'));
	}
	return stats;
}
