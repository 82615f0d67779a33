/**
 * Disk usage from the index (like ncdu, without restic): bytes of the files below each folder of a
 * snapshot, the largest folders and files, and which folders grew most between two snapshots.
 */
import type {FileIndex, IndexedSnapshot} from '../index/file-index.js';
import {foldersOf, sumUp} from './folders.js';

/** Bytes and files below each directory id of one snapshot (totals, recursive). */
export interface FolderSizes {
	snapshot: IndexedSnapshot;
	bytes: Float64Array;
	files: Uint32Array;
	/** Largest files of the snapshot (path id, bytes), largest first. */
	largestFiles: Array<{pathId: number; bytes: number}>;
}

/** A folder or file with its size. */
export interface SizedPath {
	path: string;
	type: 'dir' | 'file';
	bytes: number;
	files: number;
}

/** Find a snapshot slot by id or unique prefix ("latest" = newest); throws a plain Error otherwise. */
export function slotOf(index: FileIndex, id: string): number {
	if (id === 'latest') {
		let best = -1;
		for (const [i, s] of index.snapshots.entries()) if (best < 0 || s.time > index.snapshots[best]!.time) best = i;
		if (best < 0) throw new Error('the index holds no snapshot');
		return best;
	}
	const matches = index.snapshots.flatMap((s, i) => (s.id.startsWith(id.toLowerCase()) ? [i] : []));
	if (matches.length === 0) throw new Error(`no snapshot ${id} in the index (forgotten, or not indexed yet?)`);
	if (matches.length > 1) throw new Error(`snapshot prefix ${id} is ambiguous`);
	return matches[0]!;
}

/** Sum file sizes up the folder tree of one snapshot. */
export function folderSizes(index: FileIndex, snapshotId: string, topFiles = 20): FolderSizes {
	const slot = slotOf(index, snapshotId);
	const folders = foldersOf(index);
	const bytes = new Float64Array(index.dirs.length);
	const files = new Uint32Array(index.dirs.length);
	const verPath = index.verPath.data;
	const verSize = index.verSize.data;
	const verType = index.verType.data;
	const pathDir = index.pathDir.data;
	// Largest files: a small sorted list, replaced only when a bigger file comes along.
	const top: Array<{pathId: number; bytes: number}> = [];
	let floor = -1;
	index.bits[slot]!.forEach(index.versionCount, v => {
		if (verType[v] !== 0) return;
		const p = verPath[v]!;
		const size = verSize[v]!;
		const d = pathDir[p]!;
		bytes[d]! += size;
		files[d]!++;
		if (topFiles > 0 && (top.length < topFiles || size > floor)) {
			top.push({pathId: p, bytes: size});
			top.sort((a, b) => b.bytes - a.bytes);
			if (top.length > topFiles) top.pop();
			floor = top.at(-1)!.bytes;
		}
	});
	sumUp(folders, bytes);
	sumUp(folders, files);
	return {snapshot: index.snapshots[slot]!, bytes, files, largestFiles: top};
}

/** The folder to start at: the deepest folder that holds everything (the backup root, usually). */
export function commonRoot(index: FileIndex, sizes: FolderSizes): string {
	const {ids} = foldersOf(index);
	let at = '';
	for (;;) {
		const kids = childFolders(index, at).filter(k => (sizes.files[ids.get(k)!] ?? 0) > 0);
		const here = sizes.files[ids.get(at)!] ?? 0;
		if (kids.length !== 1 || sizes.files[ids.get(kids[0]!)!] !== here) return at === '' ? '/' : at;
		at = kids[0]!;
	}
}

/** Child folders (by full path) of a folder that has an id. */
function childFolders(index: FileIndex, folder: string): string[] {
	const {ids} = foldersOf(index);
	const prefix = `${folder}/`;
	const out: string[] = [];
	// Folders are few next to paths, and this only runs for a handful of levels.
	for (const dir of ids.keys()) if (dir.startsWith(prefix) && !dir.includes('/', prefix.length)) out.push(dir);
	return out;
}

/** The entries directly inside `folder` in that snapshot, largest first (folders with their totals). */
export function childrenBySize(index: FileIndex, sizes: FolderSizes, folder: string): SizedPath[] {
	const {ids} = foldersOf(index);
	const key = folder === '/' ? '' : folder.replace(/\/+$/, '');
	const d = ids.get(key);
	if (d === undefined) return [];
	const slot = index.snapshots.indexOf(sizes.snapshot);
	const bits = index.bits[slot]!;
	const out: SizedPath[] = [];
	const pathDir = index.pathDir.data;
	const verPrev = index.verPrev.data;
	for (let p = 0; p < index.pathCount; p++) {
		if (pathDir[p] !== d) continue;
		let v = index.pathLastVer.data[p]!;
		while (v >= 0 && !bits.has(v)) v = verPrev[v]!;
		if (v < 0) continue;
		const full = index.path(p);
		const sub = ids.get(full);
		if (index.verType.data[v] === 1) out.push({path: full, type: 'dir', bytes: sub === undefined ? 0 : sizes.bytes[sub]!, files: sub === undefined ? 0 : sizes.files[sub]!});
		else if (index.verType.data[v] === 0) out.push({path: full, type: 'file', bytes: index.verSize.data[v]!, files: 1});
	}
	return out.sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
}

/** What `resto du` shows: the folder's entries by size and the snapshot's largest files. */
export interface DuReport {
	snapshot: IndexedSnapshot;
	folder: string;
	totalBytes: number;
	totalFiles: number;
	folders: SizedPath[];
	entries: SizedPath[];
	files: SizedPath[];
}

/**
 * Largest entries of a snapshot: `entries` are the children of `folder` (default: the common root)
 * by size, `folders` the largest folders anywhere below it that are not just a wrapper around one
 * child (a folder whose single sub-folder holds ≥ 90 % of it is left out, its sub-folder stands for it),
 * `files` the largest files.
 */
export function largest(index: FileIndex, snapshotId: string, options: {folder?: string; top?: number} = {}): DuReport {
	const top = options.top ?? 20;
	const sizes = folderSizes(index, snapshotId, top);
	const {ids, parent} = foldersOf(index);
	const folder = options.folder ?? commonRoot(index, sizes);
	const key = folder === '/' ? '' : folder.replace(/\/+$/, '');
	const d = ids.get(key);
	const totalBytes = d === undefined ? 0 : sizes.bytes[d]!;
	const totalFiles = d === undefined ? 0 : sizes.files[d]!;
	const biggestChild = new Float64Array(index.dirs.length);
	for (let c = 0; c < parent.length; c++) {
		const up = parent[c]!;
		if (up >= 0 && sizes.bytes[c]! > biggestChild[up]!) biggestChild[up] = sizes.bytes[c]!;
	}
	const inside = (dir: string) => key === '' || dir === key || dir.startsWith(`${key}/`);
	const candidates: SizedPath[] = [];
	for (const [dir, id] of ids) {
		const b = sizes.bytes[id]!;
		if (b === 0 || !inside(dir) || biggestChild[id]! >= 0.9 * b) continue;
		candidates.push({path: dir || '/', type: 'dir', bytes: b, files: sizes.files[id]!});
	}
	candidates.sort((a, b) => b.bytes - a.bytes);
	return {
		snapshot: sizes.snapshot,
		folder: key || '/',
		totalBytes,
		totalFiles,
		folders: candidates.slice(0, top),
		entries: childrenBySize(index, sizes, key || '/').slice(0, Math.max(top, 50)),
		files: sizes.largestFiles.map(f => ({path: index.path(f.pathId), type: 'file' as const, bytes: f.bytes, files: 1})),
	};
}

/** A folder's growth between two snapshots. */
export interface Growth {
	path: string;
	before: number;
	after: number;
	delta: number;
	filesBefore: number;
	filesAfter: number;
}

/**
 * Folders that grew most from snapshot `a` to `b`: by bytes added below them, leaving out folders
 * whose growth is ≥ 90 % that of one sub-folder (the sub-folder is where it happened).
 */
export function grew(index: FileIndex, a: string, b: string, top = 20): {before: IndexedSnapshot; after: IndexedSnapshot; totalDelta: number; folders: Growth[]} {
	const sa = folderSizes(index, a, 0);
	const sb = folderSizes(index, b, 0);
	const {ids, parent} = foldersOf(index);
	const delta = new Float64Array(index.dirs.length);
	for (let d = 0; d < delta.length; d++) delta[d] = sb.bytes[d]! - sa.bytes[d]!;
	const biggestChild = new Float64Array(index.dirs.length);
	for (let c = 0; c < parent.length; c++) {
		const up = parent[c]!;
		if (up >= 0 && delta[c]! > biggestChild[up]!) biggestChild[up] = delta[c]!;
	}
	const out: Growth[] = [];
	for (const [dir, id] of ids) {
		const g = delta[id]!;
		if (g <= 0 || biggestChild[id]! >= 0.9 * g) continue;
		out.push({path: dir || '/', before: sa.bytes[id]!, after: sb.bytes[id]!, delta: g, filesBefore: sa.files[id]!, filesAfter: sb.files[id]!});
	}
	out.sort((x, y) => y.delta - x.delta || (x.path < y.path ? -1 : 1));
	const root = ids.get('');
	return {before: sa.snapshot, after: sb.snapshot, totalDelta: root === undefined ? 0 : delta[root]!, folders: out.slice(0, top)};
}
