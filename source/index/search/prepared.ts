/**
 * The per-index data every search reads, built once per index state and shared: folded names and
 * folders below each snapshot's backup root, their character masks, which folders are machine-made
 * trees, each path's within-tier key, and paths grouped by name and by folder (the candidate index).
 */
import type {FileIndex} from '../file-index.js';
import {charMask, fold} from './fold.js';
import {withinKey, withinRange} from './tiers.js';

/**
 * Folders whose contents are made by programs, not people (dependency trees, caches, build output,
 * version control internals). Matched against whole components, case-insensitively; configurable
 * (config `search.machineTrees`).
 */
export const defaultMachineTrees: readonly string[] = [
	'node_modules',
	'bower_components',
	'.npm',
	'.yarn',
	'.pnpm-store',
	'.cache',
	'.git',
	'.hg',
	'.svn',
	'__pycache__',
	'.pytest_cache',
	'.mypy_cache',
	'.tox',
	'.venv',
	'venv',
	'site-packages',
	'target',
	'vendor',
	'.gradle',
	'.m2',
	'.cargo',
	'.rustup',
	'thumbnails',
	'.thumbnails',
	'.Trash',
	'.local/share/Trash',
];

/** Paths grouped by one of their parts (CSR): the paths of group g are paths[start[g] .. start[g + 1]). */
export interface Groups {
	start: Uint32Array;
	paths: Uint32Array;
}

/** Everything a search reads about one state of an index. Immutable once built. */
export interface Prepared {
	index: FileIndex;
	generation: number;
	pathCount: number;
	dirCount: number;
	nameCount: number;
	/** Folded base names. */
	names: readonly string[];
	nameMask: Int32Array;
	/** Folded folders below the backup root ('' for the root itself). */
	relDirs: readonly string[];
	/** Where the part below the root starts in the original folder string (-1: the folder is above the root). */
	dirRelStart: Int32Array;
	dirMask: Int32Array;
	/** 1 when the folder lies in a machine-made tree. */
	dirMachine: Uint8Array;
	/** 1 for a path that is in some snapshot and lies below its root. */
	pathLive: Uint8Array;
	pathNewest: Float64Array;
	/** Depth, length and recency as the low part of the ranking key (see withinKey). */
	pathWithin: Uint32Array;
	byName: Groups;
	byDir: Groups;
	/**
	 * Live paths in ranking order within a tier (the user's before machine-made, then by within key,
	 * then lower id): the first k paths of a tier met walking it are that tier's best k.
	 */
	order: Uint32Array;
	/** The machine-tree list this was built with. */
	machineKey: string;
}

/** Folded strings of an index, extended as it grows (folding 700 k strings is the costly part). */
class FoldStore {
	names: string[] = [];
	nameMask = new Int32Array(0);
	/** Folded name lengths (a typed array: reading lengths from 500 k strings is a cache miss each). */
	nameLen = new Uint16Array(0);
	/** The folders' full folded strings; the part below the root is cut per Prepared. */
	dirs: string[] = [];
	/** 1 for a folder of ASCII only: its folded string keeps every position. */
	dirAscii = new Uint8Array(0);
	constructor(private readonly index: FileIndex) {}

	async extend(pause: () => Promise<void>): Promise<void> {
		const {names, dirs} = this.index;
		if (this.nameMask.length < names.length) {
			const next = new Int32Array(Math.max(names.length, this.nameMask.length * 2));
			next.set(this.nameMask);
			this.nameMask = next;
			const lens = new Uint16Array(next.length);
			lens.set(this.nameLen);
			this.nameLen = lens;
		}
		for (let n = this.names.length; n < names.length; n++) {
			if ((n & 8191) === 0) await pause();
			// (A pause can let another search extend this store first.)
			if (n < this.names.length) continue;
			const f = fold(names[n]!);
			this.names.push(f);
			this.nameMask[n] = charMask(f);
			this.nameLen[n] = Math.min(65_535, f.length);
		}
		if (this.dirAscii.length < dirs.length) {
			const next = new Uint8Array(Math.max(dirs.length, this.dirAscii.length * 2));
			next.set(this.dirAscii);
			this.dirAscii = next;
		}
		for (let d = this.dirs.length; d < dirs.length; d++) {
			if ((d & 8191) === 0) await pause();
			if (d < this.dirs.length) continue;
			const dir = dirs[d]!;
			// eslint-disable-next-line no-control-regex
			const ascii = /^[\x00-\x7f]*$/.test(dir);
			this.dirAscii[d] = ascii ? 1 : 0;
			this.dirs.push(ascii ? dir.toLowerCase() : fold(dir));
		}
	}
}

/** The common folder of a snapshot's backup paths ("/home/alice" for ["/home/alice"]; "" for "/"). */
export function backupRoot(paths: readonly string[]): string {
	const split = paths.map(p => p.replace(/\/+$/, '').split('/'));
	if (split.length === 0) return '';
	let common = split[0]!;
	for (const parts of split.slice(1)) {
		let i = 0;
		while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
		common = common.slice(0, i);
	}
	return common.join('/');
}

/** One cache per index: the fold store and the newest Prepared, rebuilt when the index changes. */
interface IndexCaches {
	folds: FoldStore;
	prepared?: Prepared;
	building?: Promise<Prepared>;
}

const perIndex = new WeakMap<FileIndex, IndexCaches>();

const isCurrent = (p: Prepared, index: FileIndex, machineKey: string) => p.generation === index.generation && p.pathCount === index.pathCount && p.dirCount === index.dirs.length && p.nameCount === index.names.length && p.machineKey === machineKey;

/** The prepared data of an index's current state (built, in slices, when it changed). */
export async function preparedFor(index: FileIndex, pause: () => Promise<void>, machineTrees: readonly string[] = defaultMachineTrees): Promise<Prepared> {
	let caches = perIndex.get(index);
	if (!caches) {
		caches = {folds: new FoldStore(index)};
		perIndex.set(index, caches);
	}
	const machineKey = machineTrees.join('\0');
	for (;;) {
		if (caches.prepared && isCurrent(caches.prepared, index, machineKey)) return caches.prepared;
		// One build at a time per index; a search that arrives meanwhile waits for it (then re-checks).
		if (caches.building) {
			await caches.building.catch(() => undefined);
			await pause();
			continue;
		}
		const own = caches;
		const building = build(index, own.folds, machineTrees, machineKey, pause).finally(() => {
			if (own.building === building) own.building = undefined;
		});
		own.building = building;
		const built = await building;
		own.prepared = built;
		return built;
	}
}

async function build(index: FileIndex, folds: FoldStore, machineTrees: readonly string[], machineKey: string, pause: () => Promise<void>): Promise<Prepared> {
	const generation = index.generation;
	await folds.extend(pause);
	const {pathNewest, pathAlive} = await index.derivedDataAsync(pause);
	// One state of the index: the paths the derived data covers, and the folded strings (extended
	// before, so they cover those paths). A listing may add more during the pauses below; they wait
	// for the next build.
	const pathCount = pathAlive.length;
	const dirCount = folds.dirs.length;
	const nameCount = folds.names.length;
	const roots = [...new Set(index.snapshots.map(s => backupRoot(s.paths)))].sort((a, b) => b.length - a.length);
	await pause();
	const dirs = describeDirs(index.dirs, folds.dirs, folds.dirAscii, dirCount, roots, machineTrees);
	await pause();
	const {pathLive, pathWithin} = pathKeys(index, pathCount, folds.nameLen, dirs, pathAlive, pathNewest);
	await pause();
	const byName = groups(index.pathName.data, nameCount, pathCount, pathLive);
	await pause();
	const byDir = groups(index.pathDir.data, dirCount, pathCount, pathLive);
	await pause();
	const order = rankOrder(index.pathDir.data, pathCount, pathLive, pathWithin, dirs.dirMachine);
	return {
		index,
		generation,
		pathCount,
		dirCount,
		nameCount,
		names: folds.names,
		nameMask: folds.nameMask,
		relDirs: dirs.relDirs,
		dirRelStart: dirs.dirRelStart,
		dirMask: dirs.dirMask,
		dirMachine: dirs.dirMachine,
		pathLive,
		pathNewest,
		pathWithin,
		byName,
		byDir,
		order,
		machineKey,
	};
}

/** Per folder: the part below its backup root (folded), where it starts, its mask, depth, and whether it is machine-made. */
function describeDirs(
	raw: readonly string[],
	folded: readonly string[],
	ascii: Uint8Array,
	dirCount: number,
	roots: readonly string[],
	machineTrees: readonly string[],
): {relDirs: string[]; dirRelStart: Int32Array; dirMask: Int32Array; dirMachine: Uint8Array; dirDepth: Uint8Array; dirLen: Uint16Array} {
	// One regular expression for the whole list: a component (or run of components) equal to one.
	const escaped = [...new Set(machineTrees.map(fold))].filter(m => m.length > 0).map(m => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
	const machine = escaped.length ? new RegExp(`(?:^|/)(?:${escaped.join('|')})(?:/|$)`) : undefined;
	const relDirs: string[] = new Array<string>(dirCount);
	const dirRelStart = new Int32Array(dirCount);
	const dirMask = new Int32Array(dirCount);
	const dirMachine = new Uint8Array(dirCount);
	const dirDepth = new Uint8Array(dirCount);
	const dirLen = new Uint16Array(dirCount);
	for (let d = 0; d < dirCount; d++) {
		const dir = raw[d]!;
		let start = -1;
		for (const r of roots) {
			if (dir === r) start = dir.length;
			else if (dir.length > r.length && dir.charCodeAt(r.length) === 47 && dir.startsWith(r)) start = r.length + 1;
			else continue;
			break;
		}
		dirRelStart[d] = start;
		if (start < 0) {
			relDirs[d] = '';
			continue;
		}
		// Folding keeps the positions of ASCII strings, the usual case; otherwise fold the part below the root.
		const rel = ascii[d] ? folded[d]!.slice(start) : fold(dir.slice(start));
		relDirs[d] = rel;
		dirLen[d] = Math.min(65_535, rel.length);
		if (rel.length === 0) continue;
		dirMask[d] = charMask(rel);
		let depth = 1;
		for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) depth++;
		if (machine?.test(rel)) dirMachine[d] = 1;
		dirDepth[d] = Math.min(255, depth);
	}
	return {relDirs, dirRelStart, dirMask, dirMachine, dirDepth, dirLen};
}

/** Per path: live (in a snapshot, below its root) and its within-tier key (depth, length, recency). */
function pathKeys(index: FileIndex, pathCount: number, nameLen: Uint16Array, dirs: {dirRelStart: Int32Array; dirDepth: Uint8Array; dirLen: Uint16Array}, pathAlive: Uint8Array, pathNewest: Float64Array): {pathLive: Uint8Array; pathWithin: Uint32Array} {
	let newestTime = 0;
	let oldestTime = Infinity;
	for (const s of index.snapshots) {
		newestTime = Math.max(newestTime, s.time);
		oldestTime = Math.min(oldestTime, s.time);
	}
	const span = Math.max(1, newestTime - oldestTime);
	const pathDir = index.pathDir.data;
	const pathName = index.pathName.data;
	const pathLive = new Uint8Array(pathCount);
	const pathWithin = new Uint32Array(pathCount);
	const {dirLen, dirRelStart, dirDepth} = dirs;
	for (let p = 0; p < pathCount; p++) {
		const d = pathDir[p]!;
		if (pathAlive[p] === 0 || dirRelStart[d]! < 0) continue;
		pathLive[p] = 1;
		const rel = dirLen[d]!;
		const length = (rel ? rel + 1 : 0) + nameLen[pathName[p]!]!;
		pathWithin[p] = withinKey(dirDepth[d]!, length, (pathNewest[p]! - oldestTime) / span);
	}
	return {pathLive, pathWithin};
}

/** Live paths grouped by `groupOf[p]`, in path-id order within a group. */
function groups(groupOf: Uint32Array, count: number, pathCount: number, live: Uint8Array): Groups {
	const start = new Uint32Array(count + 1);
	for (let p = 0; p < pathCount; p++) if (live[p]) start[groupOf[p]! + 1]!++;
	for (let g = 0; g < count; g++) start[g + 1]! += start[g]!;
	const fill = start.slice(0, count);
	const paths = new Uint32Array(start[count]!);
	for (let p = 0; p < pathCount; p++) if (live[p]) paths[fill[groupOf[p]!]!++] = p;
	return {start, paths};
}

/**
 * Live paths sorted by (user before machine-made, within key descending, id ascending): an LSD radix
 * sort of the keys (user and within key: 27 bits while withinRange is 2^26) in 9-bit passes, stable,
 * so equal keys keep ascending ids. Linear:
 * ~20 ms at 1.5 M paths, where a comparison sort of that many keys takes several times that.
 */
export function rankOrder(pathDir: Uint32Array, pathCount: number, live: Uint8Array, within: Uint32Array, dirMachine: Uint8Array): Uint32Array {
	let n = 0;
	for (let p = 0; p < pathCount; p++) if (live[p]) n++;
	// Ascending sort of the inverted key gives the descending order of the key itself.
	const top = 2 * withinRange - 1;
	const bits = Math.ceil(Math.log2(top + 1));
	let ids = new Uint32Array(n);
	let keys = new Uint32Array(n);
	n = 0;
	for (let p = 0; p < pathCount; p++) {
		if (!live[p]) continue;
		ids[n] = p;
		keys[n++] = top - ((1 - dirMachine[pathDir[p]!]!) * withinRange + within[p]!);
	}
	let ids2 = new Uint32Array(n);
	let keys2 = new Uint32Array(n);
	const counts = new Uint32Array(512);
	for (let shift = 0; shift < bits; shift += 9) {
		counts.fill(0);
		for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & 511]!++;
		let sum = 0;
		for (let b = 0; b < 512; b++) {
			const c = counts[b]!;
			counts[b] = sum;
			sum += c;
		}
		for (let i = 0; i < n; i++) {
			const at = counts[(keys[i]! >>> shift) & 511]!++;
			ids2[at] = ids[i]!;
			keys2[at] = keys[i]!;
		}
		[ids, ids2] = [ids2, ids];
		[keys, keys2] = [keys2, keys];
	}
	return ids;
}
