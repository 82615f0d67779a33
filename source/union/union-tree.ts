/**
 * The union tree: one tree of every path that exists in any snapshot of a repository, built from the
 * FileIndex without restic. No React, no fs.
 *
 * - Children of a folder come from a children index (folder → child path ids, CSR typed arrays) built
 *   once, lazily; the stats of a folder's children are computed when it is opened (a few bit tests per
 *   child and snapshot), so the first screen does not wait for a pass over every path.
 * - Filters that need to know what is *below* a folder (deleted only, changed in the last N days) use
 *   one pass over all snapshots' bitsets, also built lazily, then aggregated up the folder tree.
 * - Ghosts: a path is deleted on a host when a complete snapshot of that host newer than the last one
 *   holding it *covers* it (the path is inside, or an ancestor of, one of that snapshot's backup paths)
 *   and lacks it. A snapshot of a sub-folder says nothing about paths outside that sub-folder. A path
 *   is a ghost when it is deleted on every host that ever had it.
 */
import type {EntryType, FileIndex, IndexedSnapshot} from '../index/file-index.js';
import {splitPath, typeNames} from '../index/file-index.js';
import {dirIdsOf, foldersOf, sumUp, type DirLookup} from './folders.js';

/** One row of the union tree. */
export interface UnionEntry {
	pathId: number;
	path: string;
	name: string;
	/** Type in the newest snapshot that has the path. */
	type: EntryType;
	/** Every type the path had (a file in one snapshot and a folder in another gives two). */
	types: EntryType[];
	/** Some path below it exists in some snapshot (it can be opened as a folder). */
	hasChildren: boolean;
	firstSeen: IndexedSnapshot;
	lastSeen: IndexedSnapshot;
	/** Snapshots (in the filter) holding the path. */
	snapshotCount: number;
	/** Runs of identical (type, size, mtime) over the snapshots holding it, oldest first. */
	versions: number;
	/** Size in the newest snapshot that has it (0 for folders). */
	size: number;
	/** mtime in the newest snapshot that has it. */
	mtime: number;
	/** Hosts whose snapshots hold it. */
	hosts: string[];
	/** Deleted on every host that had it. */
	ghost: boolean;
	/** The last snapshot holding it, when it is a ghost. */
	deletedAfter?: IndexedSnapshot;
	/** The first newer snapshot of that host that covers it and lacks it (where it went missing). */
	missingIn?: IndexedSnapshot;
	/** Time of its newest change: the snapshot where its latest version first appeared, or where it went missing. */
	changedAt: number;
}

/** Per-folder aggregates of what lies below, from the full pass. */
export interface BelowInfo {
	/** Ghost paths strictly below the folder. */
	ghosts: number;
	/** Newest changedAt of anything below (0 when nothing). */
	newestChange: number;
}

/** Filters of the union tree. */
export interface UnionFilter {
	/** Only ghosts and folders holding ghosts. */
	deletedOnly?: boolean;
	/** Only paths changed (added, modified or deleted) at or after this time, and folders holding such paths. */
	changedSince?: number;
}

export interface UnionOptions {
	/** Only snapshots of this host count. */
	host?: string;
}

const rootKey = '';

/** "/a/b/" → "/a/b"; "/" → "" (the root folder key, as FileIndex stores directories). */
export function folderKey(p: string): string {
	let s = p;
	while (s.length > 0 && s.endsWith('/')) s = s.slice(0, -1);
	return s;
}

/** Is `p` inside, equal to, or an ancestor of `root`? ("/" and "" cover everything.) */
export function covers(root: string, p: string): boolean {
	if (root === '' || root === '/') return true;
	return p === root || p.startsWith(`${root}/`) || root.startsWith(`${p}/`);
}

interface SlotInfo {
	slot: number;
	snap: IndexedSnapshot;
	/** Backup roots as they appear in the tree ('' = everything, for snapshots stored relative to their root). */
	roots: string[];
	rootSet: number;
}

interface FullPass {
	/** 1 = present in some snapshot of the filter, 2 = ghost. */
	state: Uint8Array;
	changedAt: Float64Array;
	ghostCount: number;
	/** Per directory id: aggregated info below. */
	dirGhosts: Uint32Array;
	dirNewest: Float64Array;
}

/**
 * A union tree over one FileIndex (optionally restricted to one host). Cheap to construct; every
 * structure is built on first use and rebuilt when the index's generation changes.
 */
export class UnionTree {
	private generation = -1;
	private seenPaths = -1;
	private seenVersions = -1;
	private slots: SlotInfo[] = [];
	private slotWords: Uint32Array[] = [];
	private slotHost = new Uint16Array(0);
	private hostNames: string[] = [];
	private lastByHost = new Int32Array(0);
	private childStart: Uint32Array | undefined;
	private childIds: Uint32Array | undefined;
	private full: FullPass | undefined;

	constructor(
		readonly index: FileIndex,
		readonly options: UnionOptions = {},
	) {}

	/** Snapshots that count, oldest first. */
	snapshots(): IndexedSnapshot[] {
		this.sync();
		return this.slots.map(s => s.snap);
	}

	/** Hosts of the index's snapshots (for a host filter), sorted. */
	hosts(): string[] {
		return [...new Set(this.index.snapshots.map(s => s.hostname))].sort();
	}

	private sync(): void {
		// Listing a snapshot adds paths and versions (and may grow its bitset) without a new generation.
		const ix = this.index;
		if (this.generation === ix.generation && this.seenPaths === ix.pathCount && this.seenVersions === ix.versionCount) return;
		this.generation = ix.generation;
		this.seenPaths = ix.pathCount;
		this.seenVersions = ix.versionCount;
		this.childStart = undefined;
		this.childIds = undefined;
		this.full = undefined;
		const dirIds = this.dirMap();
		const rootSets = new Map<string, number>();
		this.slots = this.index.snapshots
			.map((snap, slot) => ({snap, slot}))
			.filter(x => this.options.host === undefined || x.snap.hostname === this.options.host)
			.sort((a, b) => a.snap.time - b.snap.time || a.slot - b.slot)
			.map(({snap, slot}) => {
				// `cd dir && restic backup .` stores entries at the tree's root although paths name the
				// absolute folder: a root that no folder of the index carries is taken to cover everything.
				const roots = snap.paths.map(folderKey).map(r => (dirIds.has(r) || dirIds.has(splitPath(r)[0]) ? r : rootKey));
				const key = roots.join('\0');
				let rootSet = rootSets.get(key);
				if (rootSet === undefined) {
					rootSet = rootSets.size;
					rootSets.set(key, rootSet);
				}
				return {slot, snap, roots, rootSet};
			});
		this.slotWords = this.slots.map(s => this.index.bits[s.slot]!.words);
		this.hostNames = [...new Set(this.slots.map(s => s.snap.hostname))].sort();
		this.slotHost = Uint16Array.from(this.slots, s => this.hostNames.indexOf(s.snap.hostname));
		this.lastByHost = new Int32Array(this.hostNames.length);
	}

	private dirMap(): DirLookup {
		return dirIdsOf(this.index);
	}

	/** Build the children index: for each directory id, its child path ids (CSR). */
	private children(): {start: Uint32Array; ids: Uint32Array} {
		this.sync();
		if (!this.childStart || !this.childIds) {
			const n = this.index.pathCount;
			const pd = this.index.pathDir.data;
			const dirCount = this.index.dirs.length;
			const start = new Uint32Array(dirCount + 1);
			for (let p = 0; p < n; p++) start[pd[p]! + 1]!++;
			for (let d = 0; d < dirCount; d++) start[d + 1]! += start[d]!;
			const fill = start.slice(0, dirCount);
			const ids = new Uint32Array(n);
			for (let p = 0; p < n; p++) ids[fill[pd[p]!]!++] = p;
			this.childStart = start;
			this.childIds = ids;
		}
		return {start: this.childStart, ids: this.childIds};
	}

	/** The directory id whose string is this folder (undefined when nothing was ever below it). */
	dirIdOf(folder: string): number | undefined {
		this.sync();
		return this.dirMap().get(folderKey(folder));
	}

	/** Stats of one path, or undefined when no snapshot of the filter holds it. */
	entryOf(pathId: number): UnionEntry | undefined {
		this.sync();
		const {start} = this.children();
		return this.entryAt(pathId, start, this.dirMap());
	}

	// The per-child work of opening a folder: a few bit tests per snapshot, no allocation until the row.
	private entryAt(pathId: number, childStart: Uint32Array, dirIds: DirLookup): UnionEntry | undefined {
		const index = this.index;
		const verPrev = index.verPrev.data;
		const verType = index.verType.data;
		const slots = this.slots;
		const words = this.slotWords;
		const hostOf = this.slotHost;
		const lastByHost = this.lastByHost.fill(-1);
		let lastVer = -1;
		let versions = 0;
		let count = 0;
		let first = -1;
		let last = -1;
		let changedAt = 0;
		let typeMask = 0;
		const head = index.pathLastVer.data[pathId]!;
		for (let i = 0; i < slots.length; i++) {
			const w = words[i]!;
			let v = head;
			while (v >= 0) {
				const k = v >>> 5;
				if (k < w.length && (w[k]! & (1 << (v & 31))) !== 0) break;
				v = verPrev[v]!;
			}
			if (v < 0) continue;
			count++;
			if (first < 0) first = i;
			last = i;
			typeMask |= 1 << verType[v]!;
			if (v !== lastVer) {
				versions++;
				lastVer = v;
				changedAt = slots[i]!.snap.time;
			}
			lastByHost[hostOf[i]!] = i;
		}
		if (first < 0) return undefined;
		const path = index.path(pathId);
		let ghost = true;
		let missingIn: IndexedSnapshot | undefined;
		const hosts: string[] = [];
		for (let h = 0; h < lastByHost.length; h++) {
			const pos = lastByHost[h]!;
			if (pos < 0) continue;
			hosts.push(this.hostNames[h]!);
			if (!ghost) continue;
			const gone = this.missingAfter(h, pos, path);
			if (!gone) ghost = false;
			else if (!missingIn || gone.time > missingIn.time) missingIn = gone;
		}
		if (ghost && missingIn && missingIn.time > changedAt) changedAt = missingIn.time;
		// Only a path that was a folder in some snapshot can have children: files skip the lookup.
		const dirId = typeMask & 2 ? dirIds.get(path) : undefined;
		const hasChildren = dirId !== undefined && childStart[dirId + 1]! > childStart[dirId]!;
		const types: EntryType[] = [];
		for (let t = 0; t < typeNames.length; t++) if (typeMask & (1 << t)) types.push(typeNames[t]!);
		const entry: UnionEntry = {
			pathId,
			path,
			name: index.names[index.pathName.data[pathId]!]!,
			type: typeNames[verType[lastVer]!]!,
			types,
			hasChildren,
			firstSeen: slots[first]!.snap,
			lastSeen: slots[last]!.snap,
			snapshotCount: count,
			versions,
			size: index.verSize.data[lastVer]!,
			mtime: index.verMtime.data[lastVer]!,
			hosts,
			ghost,
			changedAt,
		};
		if (ghost) {
			entry.deletedAfter = slots[last]!.snap;
			entry.missingIn = missingIn;
		}
		return entry;
	}

	/** The first complete snapshot of `host` after position `pos` that covers `path` (it lacks the path). */
	private missingAfter(host: number, pos: number, path: string): IndexedSnapshot | undefined {
		for (let i = pos + 1; i < this.slots.length; i++) {
			const s = this.slots[i]!;
			// A snapshot still being listed may simply not have reached the path yet.
			if (this.slotHost[i] !== host || !s.snap.complete) continue;
			if (s.roots.some(r => covers(r, path))) return s.snap;
		}
		return undefined;
	}

	/** Look up a path's entry by its full path. */
	entry(fullPath: string): UnionEntry | undefined {
		const key = folderKey(fullPath);
		const [dir, name] = splitPath(key);
		const d = this.dirIdOf(dir);
		if (d === undefined) return undefined;
		const {start, ids} = this.children();
		const names = this.index.names;
		const pn = this.index.pathName.data;
		for (let i = start[d]!; i < start[d + 1]!; i++) {
			const p = ids[i]!;
			if (names[pn[p]!] === name) return this.entryOf(p);
		}
		return undefined;
	}

	/**
	 * The children of a folder across all snapshots of the filter, folders first, then by name
	 * (code-point order: stable, locale-independent). `folder` is an absolute path ("/" = the root).
	 */
	list(folder: string, filter: UnionFilter = {}): UnionEntry[] {
		const d = this.dirIdOf(folder);
		if (d === undefined) return [];
		const {start, ids} = this.children();
		const full = filter.deletedOnly || filter.changedSince !== undefined ? this.fullPass() : undefined;
		const dirIds = this.dirMap();
		const out: UnionEntry[] = [];
		for (let i = start[d]!; i < start[d + 1]!; i++) {
			const p = ids[i]!;
			if (full && !this.passes(p, full, filter)) continue;
			const e = this.entryAt(p, start, dirIds);
			if (e) out.push(e);
		}
		out.sort((a, b) => Number(b.hasChildren) - Number(a.hasChildren) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
		return out;
	}

	private passes(p: number, full: FullPass, filter: UnionFilter): boolean {
		if (!(full.state[p]! & 1)) return false;
		const below = this.belowOf(this.index.path(p), full);
		if (filter.deletedOnly && !(full.state[p]! & 2) && below.ghosts === 0) return false;
		if (filter.changedSince !== undefined && full.changedAt[p]! < filter.changedSince && below.newestChange < filter.changedSince) return false;
		return true;
	}

	private belowOf(folder: string, full: FullPass): BelowInfo {
		const d = this.dirMap().get(folderKey(folder));
		return d === undefined ? {ghosts: 0, newestChange: 0} : {ghosts: full.dirGhosts[d]!, newestChange: full.dirNewest[d]!};
	}

	/** What lies below a folder: ghost count and newest change (runs the full pass once). */
	below(folder: string): BelowInfo {
		return this.belowOf(folder, this.fullPass());
	}

	/** Number of ghost paths in the whole tree (runs the full pass once). */
	ghostCount(): number {
		return this.fullPass().ghostCount;
	}

	/** Ids of every ghost path (runs the full pass once). */
	ghostIds(): number[] {
		const {state} = this.fullPass();
		const out: number[] = [];
		for (let p = 0; p < state.length; p++) if (state[p] === 3) out.push(p);
		return out;
	}

	/** Ids of every path present in some snapshot of the filter. */
	presentIds(): number[] {
		const {state} = this.fullPass();
		const out: number[] = [];
		for (let p = 0; p < state.length; p++) if (state[p]! & 1) out.push(p);
		return out;
	}

	/**
	 * One pass over every snapshot's membership: ghost state and newest change of every path, then
	 * aggregated up the folder tree. The same rules as entryOf, for all paths at once.
	 */
	fullPass(): FullPass {
		this.sync();
		if (this.full) return this.full;
		const index = this.index;
		const n = index.pathCount;
		const versionCount = index.versionCount;
		const verPath = index.verPath.data;
		const state = new Uint8Array(n);
		const changedAt = new Float64Array(n);
		const lastVer = new Int32Array(n).fill(-1);
		for (const s of this.slots) {
			const time = s.snap.time;
			index.bits[s.slot]!.forEach(versionCount, v => {
				const p = verPath[v]!;
				if (lastVer[p] !== v) {
					lastVer[p] = v;
					changedAt[p] = time;
				}
			});
		}
		// Alive per host: present in the last covering complete snapshot of that host.
		const hosts = [...new Set(this.slots.map(s => s.snap.hostname))];
		const dirs = index.dirs;
		const pathDir = index.pathDir.data;
		const rootSetCount = Math.max(...this.slots.map(s => s.rootSet + 1), 0);
		const rootsOf: string[][] = [];
		for (const s of this.slots) rootsOf[s.rootSet] = s.roots;
		// Per (root set, dir): 0 unknown, 1 the dir is covered, 2 not covered, 3 depends on the name.
		const dirCover = Array.from({length: rootSetCount}, () => new Uint8Array(dirs.length));
		const coveredBy = (rootSet: number, p: number): boolean => {
			const d = pathDir[p]!;
			const cache = dirCover[rootSet]!;
			let c = cache[d]!;
			if (c === 0) {
				const dir = dirs[d]!;
				const roots = rootsOf[rootSet]!;
				if (roots.some(r => r === '' || dir === r || dir.startsWith(`${r}/`))) c = 1;
				else if (roots.some(r => dir === '' || r.startsWith(`${dir}/`))) c = 3;
				else c = 2;
				cache[d] = c;
			}
			if (c !== 3) return c === 1;
			const path = index.path(p);
			return rootsOf[rootSet]!.some(r => covers(r, path));
		};
		const lastPos = new Int32Array(n);
		const hostDeath = new Float64Array(n); // newest time a host lost it (for changedAt), while all hosts lost it
		const aliveSomewhere = new Uint8Array(n);
		for (const host of hosts) {
			const positions = this.slots.map((s, i) => ({s, i})).filter(x => x.s.snap.hostname === host);
			lastPos.fill(-1);
			for (const [k, {s}] of positions.entries()) index.bits[s.slot]!.forEach(versionCount, v => (lastPos[verPath[v]!] = k));
			// For each position, the complete snapshots after it (a path last seen there went missing in the first that covers it).
			const after = positions.map((_, k) =>
				positions
					.slice(k + 1)
					.filter(x => x.s.snap.complete)
					.map(x => x.s),
			);
			for (let p = 0; p < n; p++) {
				const k = lastPos[p]!;
				if (k < 0) continue;
				state[p] = 1;
				let gone: SlotInfo | undefined;
				for (const s of after[k]!) {
					if (coveredBy(s.rootSet, p)) {
						gone = s;
						break;
					}
				}
				if (!gone) aliveSomewhere[p] = 1;
				else if (gone.snap.time > hostDeath[p]!) hostDeath[p] = gone.snap.time;
			}
		}
		let ghostCount = 0;
		const dirGhosts = new Uint32Array(dirs.length);
		const dirNewest = new Float64Array(dirs.length);
		for (let p = 0; p < n; p++) {
			if (!state[p]) continue;
			if (!aliveSomewhere[p]) {
				state[p] = 3;
				ghostCount++;
				if (hostDeath[p]! > changedAt[p]!) changedAt[p] = hostDeath[p]!;
				dirGhosts[pathDir[p]!]!++;
			}
			const d = pathDir[p]!;
			if (changedAt[p]! > dirNewest[d]!) dirNewest[d] = changedAt[p]!;
		}
		// Up the folder tree, deepest first: each folder adds into its parent.
		const folders = foldersOf(index);
		sumUp(folders, dirGhosts);
		for (const d of folders.deepestFirst) {
			const up = folders.parent[d]!;
			if (up >= 0 && dirNewest[d]! > dirNewest[up]!) dirNewest[up] = dirNewest[d]!;
		}
		this.full = {state, changedAt, ghostCount, dirGhosts, dirNewest};
		return this.full;
	}
}
