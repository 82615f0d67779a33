/**
 * On-disk cache of a FileIndex: one file per repository id under the XDG cache dir (0600 in a 0700 dir),
 * holding interned strings, versions and one bitset per snapshot. A header records every length and a
 * SHA-256 of the body: a truncated or corrupt file is detected and never trusted.
 * The cache holds file names and sizes only: never a password.
 */
import {createHash} from 'node:crypto';
import {closeSync, fstatSync, lstatSync, readSync, statSync, unlinkSync} from 'node:fs';
import path from 'node:path';
import {restoPaths, writePrivateFile} from '../config/paths.js';
import {Bitset, FileIndex, type IndexedSnapshot} from './file-index.js';
import {guardedOpen, readHead} from './guarded-file.js';

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
	// A section read into a buffer of its own is used in place.
	if (data.byteOffset === 0 && data.buffer instanceof ArrayBuffer && data.buffer.byteLength === data.length) return make(data.buffer);
	// Otherwise copy into a fresh, aligned buffer: sections sit at arbitrary offsets in the file.
	const ab = new ArrayBuffer(data.length);
	new Uint8Array(ab).set(data);
	return make(ab);
}

/** Parse and verify a cache file's bytes. Throws CacheError for anything truncated, corrupt or foreign. */
export function deserialize(buf: Buffer, repoId: string): FileIndex {
	const {header, bodyStart} = parseHeader(buf, repoId);
	const total = header.sections.reduce((n, s) => n + s.bytes, 0);
	if (buf.length !== bodyStart + total) throw new CacheError(`size mismatch (${buf.length} bytes, expected ${bodyStart + total})`);
	let offset = bodyStart;
	const parts = new Map<string, Buffer>();
	for (const s of header.sections) {
		parts.set(s.name, buf.subarray(offset, offset + s.bytes));
		offset += s.bytes;
	}
	return build(header, parts);
}

/** The header at the start of `head` (which must hold at least the whole header line). */
function parseHeader(head: Buffer, repoId: string): {header: Header; bodyStart: number} {
	if (head.subarray(0, magic.length).toString('utf8') !== magic) throw new CacheError('not a resto index file');
	const nl = head.indexOf(10, magic.length);
	if (nl < 0) throw new CacheError('truncated header');
	let header: Header;
	try {
		header = JSON.parse(head.subarray(magic.length, nl).toString('utf8')) as Header;
	} catch {
		throw new CacheError('corrupt header');
	}
	if (header.repoId !== repoId) throw new CacheError('cache belongs to another repository');
	return {header, bodyStart: nl + 1};
}

/**
 * Read a cache file section by section, each into a buffer of its own: the typed arrays are then
 * used in place (no copy), and the file is never held whole next to them. Verified like deserialize.
 * `fd` was opened by guardedOpen (a regular file of this user); the caller closes it.
 */
function readCacheFile(fd: number, size: number, repoId: string): FileIndex {
	// The header line: read until its newline (it grows with the number of snapshots).
	let head = Buffer.alloc(0);
	let nl = -1;
	while (nl < 0 && head.length < size) {
		const chunk = Buffer.alloc(Math.min(1 << 16, size - head.length));
		const got = readSync(fd, chunk, 0, chunk.length, head.length);
		if (got <= 0) break;
		head = Buffer.concat([head, chunk.subarray(0, got)]);
		nl = head.indexOf(10, magic.length);
	}
	const {header, bodyStart} = parseHeader(head, repoId);
	const total = header.sections.reduce((n, s) => n + s.bytes, 0);
	if (size !== bodyStart + total) throw new CacheError(`size mismatch (${size} bytes, expected ${bodyStart + total})`);
	let offset = bodyStart;
	const parts = new Map<string, Buffer>();
	for (const s of header.sections) {
		const part = Buffer.from(new ArrayBuffer(s.bytes));
		let done = 0;
		while (done < s.bytes) {
			const got = readSync(fd, part, done, s.bytes - done, offset + done);
			if (got <= 0) throw new CacheError('truncated section');
			done += got;
		}
		parts.set(s.name, part);
		offset += s.bytes;
	}
	return build(header, parts);
}

/** Verify the sections' checksum and turn them into an index. */
function build(header: Header, parts: Map<string, Buffer>): FileIndex {
	const hash = createHash('sha256');
	for (const s of header.sections) hash.update(parts.get(s.name)!);
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
	setGrow(
		index.pathDir,
		copyTyped(b => new Uint32Array(b), parts.get('pathDir')!),
		header.counts.paths,
	);
	setGrow(
		index.pathName,
		copyTyped(b => new Uint32Array(b), parts.get('pathName')!),
		header.counts.paths,
	);
	setGrow(
		index.pathLastVer,
		copyTyped(b => new Int32Array(b), parts.get('pathLastVer')!),
		header.counts.paths,
	);
	setGrow(
		index.verPath,
		copyTyped(b => new Uint32Array(b), parts.get('verPath')!),
		header.counts.versions,
	);
	setGrow(
		index.verPrev,
		copyTyped(b => new Int32Array(b), parts.get('verPrev')!),
		header.counts.versions,
	);
	setGrow(
		index.verSize,
		copyTyped(b => new Float64Array(b), parts.get('verSize')!),
		header.counts.versions,
	);
	setGrow(
		index.verMtime,
		copyTyped(b => new Float64Array(b), parts.get('verMtime')!),
		header.counts.versions,
	);
	setGrow(
		index.verType,
		copyTyped(b => new Uint8Array(b), parts.get('verType')!),
		header.counts.versions,
	);
	for (const s of header.snapshots) {
		const bits = parts.get(`bits:${s.id}`);
		if (!bits) throw new CacheError(`missing snapshot ${s.id}`);
		index.snapshots.push({...s, complete: true});
		index.bits.push(new Bitset(copyTyped(b => new Uint32Array(b), bits)));
	}
	index.generation++;
	return index;
}

/** The snapshot ids a repository's cache holds, from its header alone (undefined: no usable cache). */
export function cachedSnapshotIds(repoId: string, dir?: string): string[] | undefined {
	// Opened as loadCache opens it: never blocks on a FIFO, never follows a link.
	const opened = guardedOpen(cacheFile(repoId, dir));
	if (opened.state !== 'open') return undefined;
	try {
		const head = readHead(opened.fd, Math.min(opened.size, 1 << 22));
		return parseHeader(head, repoId).header.snapshots.map(s => s.id);
	} catch {
		return undefined;
	} finally {
		closeSync(opened.fd);
	}
}

/** What every resto index file starts with, whatever its format version. */
const ownPrefix = 'RESTO-INDEX ';

/** Cache paths found unusable in this process, with why: reported once, then skipped quietly. */
const unusable = new Map<string, string>();

function leftAlone(file: string, reason: string): string {
	return `the index cache ${file} ${reason}: left alone, and the index is kept in memory only this session (move it away to let resto cache again)`;
}

/** Remember an unusable cache path; the message the first time, undefined after. */
function markUnusable(file: string, reason: string): string | undefined {
	if (unusable.has(file)) return undefined;
	unusable.set(file, reason);
	return leftAlone(file, reason);
}

/** Is the open file one resto wrote (any format version), or empty (a crash before the first byte)? */
function looksOurs(fd: number, size: number): boolean {
	return size === 0 || readHead(fd, ownPrefix.length).toString('latin1') === ownPrefix;
}

/**
 * Load the cached index of a repository: undefined when there is none. A damaged file of resto's is
 * removed and rebuilt; anything else at the path (a directory, FIFO, link, another user's or an
 * unreadable file, a file resto did not write) is reported once and left alone, and never blocks.
 */
export function loadCache(repoId: string, dir?: string): {index?: FileIndex; problem?: string} {
	const file = cacheFile(repoId, dir);
	if (unusable.has(file)) return {};
	const opened = guardedOpen(file);
	if (opened.state === 'missing') return {};
	if (opened.state === 'unusable') return {problem: markUnusable(file, opened.reason)};
	const {fd, size} = opened;
	try {
		return {index: readCacheFile(fd, size, repoId)};
	} catch (error) {
		if (!looksOurs(fd, size)) return {problem: markUnusable(file, 'is not a resto index file')};
		// Ours but damaged: remove it if it is still the file that was read (another resto may have replaced it).
		const now = lstatSync(file, {throwIfNoEntry: false});
		if (now?.isFile() && now.ino === fstatSync(fd).ino) unlinkSync(file);
		return {problem: `discarded the index cache ${file}: ${(error as Error).message}; rebuilding`};
	} finally {
		closeSync(fd);
	}
}

/**
 * Write the cache atomically (temp file + rename), 0600 in a 0700 directory, replacing only a file
 * resto wrote. A path found unusable is skipped (`skipped` says why; reported once, by the first
 * call that found it, as a thrown CacheError or loadCache's problem).
 */
export function saveCache(index: FileIndex, repoId: string, dir?: string): {file: string; bytes: number; skipped?: string} {
	const file = cacheFile(repoId, dir);
	const known = unusable.get(file);
	if (known) return {file, bytes: 0, skipped: known};
	const opened = guardedOpen(file);
	if (opened.state === 'unusable' && !opened.ours) throw new CacheError(markUnusable(file, opened.reason)!);
	if (opened.state === 'open') {
		const ours = looksOurs(opened.fd, opened.size);
		closeSync(opened.fd);
		if (!ours) throw new CacheError(markUnusable(file, 'is not a resto index file')!);
	}
	const data = serialize(index, repoId);
	try {
		writePrivateFile(file, data);
	} catch (error) {
		// A full disk is worth retrying next time; a cache directory that cannot be made is not.
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EROFS') throw new CacheError(markUnusable(file, `cannot be written (${(error as Error).message})`) ?? (error as Error).message);
		throw error;
	}
	return {file, bytes: statSync(file).size};
}
