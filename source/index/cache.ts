/**
 * On-disk cache of a FileIndex: one file per repository id under the XDG cache dir (0600 in a 0700 dir),
 * holding interned strings, versions and one bitset per snapshot. A header records every length and a
 * SHA-256 of the body: a truncated or corrupt file is detected and never trusted.
 * The cache holds file names and sizes only: never a password.
 */
import {createHash} from 'node:crypto';
import {readFileSync, rmSync, statSync} from 'node:fs';
import path from 'node:path';
import {restoPaths, writePrivateFile} from '../config/paths.js';
import {Bitset, FileIndex, type IndexedSnapshot} from './file-index.js';

const magic = 'RESTO-INDEX 2\n';

interface Header {
	repoId: string;
	snapshots: IndexedSnapshot[];
	counts: {dirs: number; names: number; paths: number; versions: number};
	sections: Array<{name: string; bytes: number}>;
	sha256: string;
}

/** The cache file of a repository. */
export function cacheFile(repoId: string, dir = path.join(restoPaths().cache, 'index')): string {
	if (!/^[0-9a-f]{64}$/.test(repoId)) throw new TypeError('bad repository id');
	return path.join(dir, `${repoId}.idx`);
}

function bytesOf(view: ArrayBufferView): Buffer {
	return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** Serialise the complete snapshots of an index (partial listings are never written). */
export function serialize(index: FileIndex, repoId: string): Buffer {
	const keep = index.snapshots.map((s, slot) => ({s, slot})).filter(x => x.s.complete);
	const sections: Array<{name: string; data: Buffer}> = [
		{name: 'dirs', data: Buffer.from(index.dirs.join('\0'), 'utf8')},
		{name: 'names', data: Buffer.from(index.names.join('\0'), 'utf8')},
		{name: 'pathDir', data: bytesOf(index.pathDir.view())},
		{name: 'pathName', data: bytesOf(index.pathName.view())},
		{name: 'pathLastVer', data: bytesOf(index.pathLastVer.view())},
		{name: 'verPath', data: bytesOf(index.verPath.view())},
		{name: 'verPrev', data: bytesOf(index.verPrev.view())},
		{name: 'verSize', data: bytesOf(index.verSize.view())},
		{name: 'verMtime', data: bytesOf(index.verMtime.view())},
		{name: 'verType', data: bytesOf(index.verType.view())},
		...keep.map(x => ({name: `bits:${x.s.id}`, data: bytesOf(index.bits[x.slot]!.words)})),
	];
	const hash = createHash('sha256');
	for (const s of sections) hash.update(s.data);
	const header: Header = {
		repoId,
		snapshots: keep.map(x => x.s),
		counts: {dirs: index.dirs.length, names: index.names.length, paths: index.pathCount, versions: index.versionCount},
		sections: sections.map(s => ({name: s.name, bytes: s.data.length})),
		sha256: hash.digest('hex'),
	};
	const head = Buffer.from(`${magic}${JSON.stringify(header)}\n`, 'utf8');
	return Buffer.concat([head, ...sections.map(s => s.data)]);
}

/** Why a cache could not be used. */
export class CacheError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CacheError';
	}
}

function copyTyped<T extends Uint32Array | Int32Array | Float64Array | Uint8Array>(make: (buf: ArrayBuffer) => T, data: Buffer): T {
	// Copy into a fresh, aligned buffer: sections sit at arbitrary offsets in the file.
	const ab = new ArrayBuffer(data.length);
	new Uint8Array(ab).set(data);
	return make(ab);
}

/** Parse and verify a cache file's bytes. Throws CacheError for anything truncated, corrupt or foreign. */
export function deserialize(buf: Buffer, repoId: string): FileIndex {
	if (buf.subarray(0, magic.length).toString('utf8') !== magic) throw new CacheError('not a resto index file');
	const nl = buf.indexOf(10, magic.length);
	if (nl < 0) throw new CacheError('truncated header');
	let header: Header;
	try {
		header = JSON.parse(buf.subarray(magic.length, nl).toString('utf8')) as Header;
	} catch {
		throw new CacheError('corrupt header');
	}
	if (header.repoId !== repoId) throw new CacheError('cache belongs to another repository');
	let offset = nl + 1;
	const total = header.sections.reduce((n, s) => n + s.bytes, 0);
	if (buf.length !== offset + total) throw new CacheError(`size mismatch (${buf.length} bytes, expected ${offset + total})`);
	const hash = createHash('sha256');
	const parts = new Map<string, Buffer>();
	for (const s of header.sections) {
		const data = buf.subarray(offset, offset + s.bytes);
		hash.update(data);
		parts.set(s.name, data);
		offset += s.bytes;
	}
	if (hash.digest('hex') !== header.sha256) throw new CacheError('checksum mismatch');
	const index = new FileIndex();
	const strings = (name: string, count: number) => {
		const text = parts.get(name)!.toString('utf8');
		const list = count === 0 ? [] : text.split('\0');
		if (list.length !== count) throw new CacheError(`${name}: expected ${count} entries`);
		return list;
	};
	// Assigned, not spread: a million arguments would overflow the stack.
	index.dirs = strings('dirs', header.counts.dirs);
	index.names = strings('names', header.counts.names);
	const setGrow = <T extends Uint32Array | Int32Array | Float64Array | Uint8Array>(target: {data: T; length: number}, values: T, expected: number) => {
		if (values.length !== expected) throw new CacheError('section length mismatch');
		target.data = values;
		target.length = values.length;
	};
	setGrow(index.pathDir, copyTyped(b => new Uint32Array(b), parts.get('pathDir')!), header.counts.paths);
	setGrow(index.pathName, copyTyped(b => new Uint32Array(b), parts.get('pathName')!), header.counts.paths);
	setGrow(index.pathLastVer, copyTyped(b => new Int32Array(b), parts.get('pathLastVer')!), header.counts.paths);
	setGrow(index.verPath, copyTyped(b => new Uint32Array(b), parts.get('verPath')!), header.counts.versions);
	setGrow(index.verPrev, copyTyped(b => new Int32Array(b), parts.get('verPrev')!), header.counts.versions);
	setGrow(index.verSize, copyTyped(b => new Float64Array(b), parts.get('verSize')!), header.counts.versions);
	setGrow(index.verMtime, copyTyped(b => new Float64Array(b), parts.get('verMtime')!), header.counts.versions);
	setGrow(index.verType, copyTyped(b => new Uint8Array(b), parts.get('verType')!), header.counts.versions);
	for (const s of header.snapshots) {
		const bits = parts.get(`bits:${s.id}`);
		if (!bits) throw new CacheError(`missing snapshot ${s.id}`);
		index.snapshots.push({...s, complete: true});
		index.bits.push(new Bitset(copyTyped(b => new Uint32Array(b), bits)));
	}
	index.generation++;
	return index;
}

/** Load the cached index of a repository: undefined when there is none; a bad file is removed. */
export function loadCache(repoId: string, dir?: string): {index?: FileIndex; problem?: string} {
	const file = cacheFile(repoId, dir);
	let buf: Buffer;
	try {
		buf = readFileSync(file);
	} catch {
		return {};
	}
	try {
		return {index: deserialize(buf, repoId)};
	} catch (error) {
		rmSync(file, {force: true});
		return {problem: `discarded the index cache ${file}: ${(error as Error).message}; rebuilding`};
	}
}

/** Write the cache atomically (temp file + rename), 0600 in a 0700 directory. */
export function saveCache(index: FileIndex, repoId: string, dir?: string): {file: string; bytes: number} {
	const file = cacheFile(repoId, dir);
	const data = serialize(index, repoId);
	writePrivateFile(file, data);
	return {file, bytes: statSync(file).size};
}
