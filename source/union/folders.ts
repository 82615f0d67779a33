/**
 * The folder structure of a FileIndex: directory string → id, and each directory's parent and a
 * deepest-first order (to sum values up the tree in one pass). Memoized per index and generation;
 * the id map alone is what the first screen needs, the tree is built on first use.
 */
import {splitPath, type FileIndex} from '../index/file-index.js';

/** Directory ids of an index by their string, and the tree they form. */
export interface Folders {
	ids: Map<string, number>;
	/** Parent directory id of each directory (-1 for the root ""). */
	parent: Int32Array;
	/** Directory ids, deepest first. */
	deepestFirst: Uint32Array;
}

/** Directory id by directory string. */
export interface DirLookup {
	get(dir: string): number | undefined;
	has(dir: string): boolean;
}

interface Memo {
	generation: number;
	dirs: number;
	map?: Map<string, number>;
	lookups: number;
	lookup: DirLookup;
	tree?: Folders;
}

/** Lookups answered by a scan before the map is built: the first screen needs only a handful. */
const scansBeforeMap = 24;

const memo = new WeakMap<FileIndex, Memo>();

function memoOf(index: FileIndex): Memo {
	const hit = memo.get(index);
	if (hit && hit.generation === index.generation && hit.dirs === index.dirs.length) return hit;
	const dirs = index.dirs;
	const fresh: Memo = {
		generation: index.generation,
		dirs: dirs.length,
		lookups: 0,
		lookup: {
			// A map of ~200 k folder strings costs tens of milliseconds; a scan of the array well under one.
			get: dir => {
				if (!fresh.map && fresh.lookups++ < scansBeforeMap) {
					const i = dirs.indexOf(dir);
					return i < 0 || i >= fresh.dirs ? undefined : i;
				}
				return mapOf(fresh, dirs).get(dir);
			},
			has: dir => fresh.lookup.get(dir) !== undefined,
		},
	};
	memo.set(index, fresh);
	return fresh;
}

function mapOf(m: Memo, dirs: readonly string[]): Map<string, number> {
	if (!m.map) {
		const ids = new Map<string, number>();
		for (let i = 0; i < m.dirs; i++) ids.set(dirs[i]!, i);
		m.map = ids;
	}
	return m.map;
}

/** Directory id by directory string ("" = the root folder); cheap to ask a few times, a map after that. */
export function dirIdsOf(index: FileIndex): DirLookup {
	return memoOf(index).lookup;
}

/** The folders of an index with parents and a deepest-first order (built once per index generation). */
export function foldersOf(index: FileIndex): Folders {
	const m = memoOf(index);
	if (m.tree) return m.tree;
	const dirs = index.dirs;
	const ids = mapOf(m, dirs);
	const parent = new Int32Array(dirs.length).fill(-1);
	const depth = new Uint16Array(dirs.length);
	let maxDepth = 0;
	for (let d = 0; d < dirs.length; d++) {
		const s = dirs[d]!;
		if (s === '') continue;
		let k = 0;
		for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 47) k++;
		depth[d] = k;
		if (k > maxDepth) maxDepth = k;
		parent[d] = ids.get(splitPath(s)[0]) ?? -1;
	}
	// Counting sort by depth, deepest first.
	const start = new Uint32Array(maxDepth + 2);
	for (let d = 0; d < dirs.length; d++) start[maxDepth - depth[d]! + 1]!++;
	for (let i = 1; i < start.length; i++) start[i]! += start[i - 1]!;
	const deepestFirst = new Uint32Array(dirs.length);
	for (let d = 0; d < dirs.length; d++) deepestFirst[start[maxDepth - depth[d]!]!++] = d;
	m.tree = {ids, parent, deepestFirst};
	return m.tree;
}

/** Add every folder's value into its parent, deepest first (values of direct children → totals below). */
export function sumUp(folders: Folders, values: Float64Array | Uint32Array): void {
	for (const d of folders.deepestFirst) {
		const up = folders.parent[d]!;
		if (up >= 0) values[up]! += values[d]!;
	}
}
