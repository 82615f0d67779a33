/**
 * The file index: every path of every snapshot of one repository, stored compactly.
 *
 * - Directories and base names are interned once; a path is (dirId, nameId).
 * - A *version* is one (path, type, size, mtime); unchanged files share a version across snapshots.
 * - Each snapshot is a bitset over version ids, so membership costs 1 bit per version per snapshot.
 * No React, no restic: ingest takes parsed `ls` nodes from whoever streams them.
 */
import type {LsNode, Snapshot} from '../restic/parse.js';

const typeCode = {file: 0, dir: 1, symlink: 2, other: 3} as const;
export const typeNames = ['file', 'dir', 'symlink', 'other'] as const;
export type EntryType = (typeof typeNames)[number];

/** A growable typed array. */
class Grow<T extends Float64Array | Int32Array | Uint8Array | Uint32Array> {
	data: T;
	length = 0;
	constructor(
		private readonly make: (n: number) => T,
		capacity = 1024,
	) {
		this.data = make(capacity);
	}
	push(value: number): number {
		if (this.length === this.data.length) {
			const next = this.make(this.data.length * 2);
			next.set(this.data);
			this.data = next;
		}
		this.data[this.length] = value;
		return this.length++;
	}
	/** The used part (a view, no copy). */
	view(): T {
		return this.data.subarray(0, this.length) as T;
	}
	static from<U extends Float64Array | Int32Array | Uint8Array | Uint32Array>(make: (n: number) => U, values: U): Grow<U> {
		const g = new Grow(make, Math.max(1024, values.length));
		g.data.set(values);
		g.length = values.length;
		return g;
	}
}

/** A growable bitset. */
export class Bitset {
	words: Uint32Array;
	constructor(words?: Uint32Array) {
		this.words = words ?? new Uint32Array(1024);
	}
	set(i: number): void {
		const w = i >>> 5;
		if (w >= this.words.length) {
			const next = new Uint32Array(Math.max(w + 1, this.words.length * 2));
			next.set(this.words);
			this.words = next;
		}
		this.words[w]! |= 1 << (i & 31);
	}
	has(i: number): boolean {
		const w = i >>> 5;
		return w < this.words.length && (this.words[w]! & (1 << (i & 31))) !== 0;
	}
	/** Call fn for every set bit below `limit`, in ascending order. */
	forEach(limit: number, fn: (i: number) => void): void {
		const words = this.words;
		for (let w = 0; w < words.length; w++) {
			let word = words[w]!;
			while (word !== 0) {
				const bit = 31 - Math.clz32(word);
				word &= ~(1 << bit);
				const i = (w << 5) + bit;
				if (i < limit) fn(i);
			}
		}
	}
	clear(i: number): void {
		const w = i >>> 5;
		if (w < this.words.length) this.words[w]! &= ~(1 << (i & 31));
	}
}

/** A snapshot as the index knows it. */
export interface IndexedSnapshot {
	id: string;
	shortId: string;
	time: number;
	hostname: string;
	paths: string[];
	tags: string[];
	/** Its root tree: snapshots with the same tree hold exactly the same files. */
	tree?: string;
	/** Entries listed for it. */
	entries: number;
	/** False while it is still being listed. */
	complete: boolean;
}

/** One version of a path. */
export interface Version {
	id: number;
	type: EntryType;
	size: number;
	mtime: number;
}

/** A run of consecutive snapshots with the same version of a path. */
export interface TimelineRun {
	snapshots: IndexedSnapshot[];
	version: Version;
}

export interface Timeline {
	path: string;
	runs: TimelineRun[];
	/** Snapshots (oldest first) that contain the path, with the version in each. */
	present: Array<{snapshot: IndexedSnapshot; version: Version}>;
	/** Set when newer snapshots of the same host and paths lack the path. */
	deletedAfter?: IndexedSnapshot;
	inLatest: boolean;
}

/**
 * Mark the paths of one snapshot's versions alive and newest at `time`: the bitset's words walked in
 * a plain loop (a callback per bit costs several times more over millions of versions).
 */
function markSnapshot(words: Uint32Array, versions: number, verPath: Uint32Array, time: number, pathAlive: Uint8Array, pathNewest: Float64Array): void {
	const limit = Math.min(words.length, Math.ceil(versions / 32));
	const paths = pathAlive.length;
	for (let w = 0; w < limit; w++) {
		let word = words[w]!;
		while (word !== 0) {
			const bit = 31 - Math.clz32(word);
			word &= ~(1 << bit);
			const v = (w << 5) + bit;
			if (v >= versions) continue;
			const p = verPath[v]!;
			if (p >= paths) continue;
			pathAlive[p] = 1;
			if (time > pathNewest[p]!) pathNewest[p] = time;
		}
	}
}

const pathKey = (dir: number, name: number) => dir * 67_108_864 + name; // 2^26 names max per key space

/** Split an absolute path into directory and base name ("/a/b" → "/a", "b"; "/a" → "", "a"). */
export function splitPath(p: string): [string, string] {
	const i = p.lastIndexOf('/');
	return i < 0 ? ['', p] : [p.slice(0, i), p.slice(i + 1)];
}

export class FileIndex {
	dirs: string[] = [];
	names: string[] = [];
	pathDir = new Grow(n => new Uint32Array(n));
	pathName = new Grow(n => new Uint32Array(n));
	/** Latest version id of each path (-1 none). */
	pathLastVer = new Grow(n => new Int32Array(n));
	verPath = new Grow(n => new Uint32Array(n));
	verPrev = new Grow(n => new Int32Array(n));
	verSize = new Grow(n => new Float64Array(n));
	verMtime = new Grow(n => new Float64Array(n));
	verType = new Grow(n => new Uint8Array(n));
	snapshots: IndexedSnapshot[] = [];
	bits: Bitset[] = [];
	/** Bumped on every change, so caches of derived data know when to recompute. */
	generation = 0;

	private dirIds: Map<string, number> | undefined;
	private nameIds: Map<string, number> | undefined;
	private pathIds: Map<number, number> | undefined;
	private derived: {generation: number; pathNewest: Float64Array; pathAlive: Uint8Array} | undefined;

	get pathCount(): number {
		return this.pathDir.length;
	}

	get versionCount(): number {
		return this.verPath.length;
	}

	private maps(): {dirIds: Map<string, number>; nameIds: Map<string, number>; pathIds: Map<number, number>} {
		// Built lazily: a cached index that only answers searches never needs them.
		if (!this.dirIds || !this.nameIds || !this.pathIds) {
			this.dirIds = new Map(this.dirs.map((d, i) => [d, i]));
			this.nameIds = new Map(this.names.map((n, i) => [n, i]));
			this.pathIds = new Map();
			const pd = this.pathDir.data;
			const pn = this.pathName.data;
			for (let p = 0; p < this.pathCount; p++) this.pathIds.set(pathKey(pd[p]!, pn[p]!), p);
		}
		return {dirIds: this.dirIds, nameIds: this.nameIds, pathIds: this.pathIds};
	}

	/** Start (or restart) a snapshot; returns its slot. */
	beginSnapshot(s: Snapshot): number {
		const existing = this.snapshots.findIndex(x => x.id === s.id);
		const entry: IndexedSnapshot = {id: s.id, shortId: s.shortId, time: s.time, hostname: s.hostname, paths: s.paths, tags: s.tags, ...(s.tree ? {tree: s.tree} : {}), entries: 0, complete: false};
		if (existing >= 0) {
			this.snapshots[existing] = entry;
			this.bits[existing] = new Bitset();
			this.generation++;
			return existing;
		}
		this.snapshots.push(entry);
		this.bits.push(new Bitset());
		this.generation++;
		return this.snapshots.length - 1;
	}

	/** Add one node to snapshot slot `slot`. */
	add(slot: number, node: LsNode): void {
		const {dirIds, nameIds, pathIds} = this.maps();
		const [dir, name] = splitPath(node.path);
		let d = dirIds.get(dir);
		if (d === undefined) {
			d = this.dirs.push(dir) - 1;
			dirIds.set(dir, d);
		}
		let n = nameIds.get(name);
		if (n === undefined) {
			n = this.names.push(name) - 1;
			nameIds.set(name, n);
		}
		const key = pathKey(d, n);
		let p = pathIds.get(key);
		if (p === undefined) {
			p = this.pathDir.push(d);
			this.pathName.push(n);
			this.pathLastVer.push(-1);
			pathIds.set(key, p);
		}
		const type = typeCode[node.type];
		const size = node.type === 'dir' ? 0 : node.size;
		// Reuse a version with the same metadata: unchanged files cost one bit per snapshot.
		let v = this.pathLastVer.data[p]!;
		while (v >= 0 && !(this.verSize.data[v] === size && this.verMtime.data[v] === node.mtime && this.verType.data[v] === type)) v = this.verPrev.data[v]!;
		if (v < 0) {
			v = this.verPath.push(p);
			this.verPrev.push(this.pathLastVer.data[p]!);
			this.verSize.push(size);
			this.verMtime.push(node.mtime);
			this.verType.push(type);
			this.pathLastVer.data[p] = v;
		}
		this.bits[slot]!.set(v);
		this.snapshots[slot]!.entries++;
	}

	/**
	 * Fill slot `slot` with the files of the complete snapshot with the same root tree, if there is
	 * one (restic addresses trees by content: the same tree id is the same listing). True when done.
	 */
	shareTree(slot: number): boolean {
		const tree = this.snapshots[slot]!.tree;
		if (!tree) return false;
		const from = this.snapshots.findIndex((s, i) => i !== slot && s.complete && s.tree === tree);
		if (from < 0) return false;
		this.bits[slot] = new Bitset(this.bits[from]!.words.slice());
		this.snapshots[slot]!.entries = this.snapshots[from]!.entries;
		return true;
	}

	/** Mark a snapshot as fully listed. */
	completeSnapshot(slot: number): void {
		this.snapshots[slot]!.complete = true;
		this.generation++;
	}

	/** Forget snapshots not in `keep` (their paths disappear from results unless another snapshot has them). */
	retain(keep: ReadonlySet<string>): number {
		let removed = 0;
		for (let i = this.snapshots.length - 1; i >= 0; i--) {
			if (!keep.has(this.snapshots[i]!.id)) {
				this.snapshots.splice(i, 1);
				this.bits.splice(i, 1);
				removed++;
			}
		}
		if (removed) this.generation++;
		return removed;
	}

	/** Remove a snapshot slot entirely (e.g. a listing that failed half-way). */
	dropSnapshot(id: string): void {
		this.retain(new Set(this.snapshots.filter(s => s.id !== id).map(s => s.id)));
	}

	/** Full path of a path id. */
	path(p: number): string {
		const dir = this.dirs[this.pathDir.data[p]!]!;
		return `${dir}/${this.names[this.pathName.data[p]!]}`;
	}

	/** Per path: time of the newest snapshot containing it (0 if none) and whether it is alive. */
	derivedData(): {pathNewest: Float64Array; pathAlive: Uint8Array} {
		if (this.derived && this.derived.generation === this.generation && this.derived.pathAlive.length === this.pathCount) return this.derived;
		const pathNewest = new Float64Array(this.pathCount);
		const pathAlive = new Uint8Array(this.pathCount);
		const verPath = this.verPath.data;
		for (const [slot, snap] of this.snapshots.entries()) markSnapshot(this.bits[slot]!.words, this.versionCount, verPath, snap.time, pathAlive, pathNewest);
		this.derived = {generation: this.generation, pathNewest, pathAlive};
		return this.derived;
	}

	/**
	 * derivedData() computed a snapshot at a time with `pause` awaited in between, so a search right
	 * after the index changed does not block the event loop for the whole walk (~10 ms per snapshot at
	 * 1.5 M versions). Same result as derivedData().
	 */
	async derivedDataAsync(pause: () => Promise<void>): Promise<{pathNewest: Float64Array; pathAlive: Uint8Array}> {
		if (this.derived && this.derived.generation === this.generation && this.derived.pathAlive.length === this.pathCount) return this.derived;
		const generation = this.generation;
		const pathNewest = new Float64Array(this.pathCount);
		const pathAlive = new Uint8Array(this.pathCount);
		const verPath = this.verPath.data;
		const snapshots = [...this.snapshots];
		const bits = [...this.bits];
		const versions = this.versionCount;
		for (const [slot, snap] of snapshots.entries()) {
			await pause();
			markSnapshot(bits[slot]!.words, versions, verPath, snap.time, pathAlive, pathNewest);
		}
		// The index moved on while this ran: fall back to the synchronous walk of the current state.
		if (generation !== this.generation || pathAlive.length !== this.pathCount) return this.derivedData();
		this.derived = {generation, pathNewest, pathAlive};
		return this.derived;
	}

	/** Versions of path `p`, newest version first. */
	versionsOf(p: number): Version[] {
		const out: Version[] = [];
		for (let v = this.pathLastVer.data[p]!; v >= 0; v = this.verPrev.data[v]!) out.push(this.version(v));
		return out;
	}

	version(v: number): Version {
		return {id: v, type: typeNames[this.verType.data[v]!]!, size: this.verSize.data[v]!, mtime: this.verMtime.data[v]!};
	}

	/** Find a path id by its full path (builds the lookup maps if needed). */
	lookup(fullPath: string): number | undefined {
		const {dirIds, nameIds, pathIds} = this.maps();
		const [dir, name] = splitPath(fullPath);
		const d = dirIds.get(dir);
		const n = nameIds.get(name);
		return d === undefined || n === undefined ? undefined : pathIds.get(pathKey(d, n));
	}

	/** Every snapshot containing the path, grouped into runs of the same version, plus deletion. */
	timeline(p: number): Timeline {
		const versions = this.versionsOf(p);
		const order = this.snapshots.map((s, slot) => ({s, slot})).sort((a, b) => a.s.time - b.s.time);
		const present: Timeline['present'] = [];
		for (const {s, slot} of order) {
			const v = versions.find(x => this.bits[slot]!.has(x.id));
			if (v) present.push({snapshot: s, version: v});
		}
		const runs: TimelineRun[] = [];
		for (const item of present) {
			const last = runs.at(-1);
			if (last && last.version.id === item.version.id) last.snapshots.push(item.snapshot);
			else runs.push({version: item.version, snapshots: [item.snapshot]});
		}
		const newest = order.at(-1)?.s;
		const lastSeen = present.at(-1)?.snapshot;
		let deletedAfter: IndexedSnapshot | undefined;
		if (lastSeen) {
			// Only snapshots of the same host and backup paths say anything about deletion.
			const sameSource = (s: IndexedSnapshot) => s.hostname === lastSeen.hostname && s.paths.join('\0') === lastSeen.paths.join('\0');
			const newer = order.filter(x => x.s.time > lastSeen.time && sameSource(x.s));
			if (newer.length > 0) deletedAfter = lastSeen;
		}
		return {path: this.path(p), runs, present, deletedAfter, inLatest: newest !== undefined && present.some(x => x.snapshot.id === newest.id)};
	}
}
