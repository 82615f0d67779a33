/**
 * The file-system side of a safe restore: fresh folders, symlink checks on every path a restore will
 * write, and moving a verified restore from its private staging folder into place without following
 * links. restic 0.14 follows symlinks that already exist in its target (a link named like a restored
 * file, or a linked sub-folder, is written through), so restic only ever writes into a folder that
 * resto has just created and that nobody else has touched; these functions do the rest.
 *
 * What is not covered: another process swapping a checked folder for a link between the check and
 * the rename (Node has no openat/renameat); the move re-checks each path right before it renames.
 */
import {lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmdirSync, unlinkSync, type Stats} from 'node:fs';
import path from 'node:path';

/** Thrown when a path the restore would write goes through (or is) a symbolic link. */
export class RestoreLinkError extends Error {
	constructor(
		/** The link on disk. */
		readonly link: string,
		/** What it points to (as stored in the link). */
		readonly pointsTo: string,
		/** The path the restore would write. */
		readonly wouldWrite: string,
	) {
		super(`${link} is a symbolic link to ${pointsTo}: restoring ${wouldWrite} would write through it, outside the restore folder. Nothing was restored; remove the link or restore into a new folder.`);
		this.name = 'RestoreLinkError';
	}
}

/** Thrown when the restore target cannot be written (read-only file system, permissions). */
export class RestoreTargetError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RestoreTargetError';
	}
}

/** lstat, or undefined where nothing is (a string path or raw bytes: names need not be valid UTF-8). */
function lstatOrUndefined(p: string | Buffer): Stats | undefined {
	try {
		return lstatSync(p);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
		throw error;
	}
}

function readlinkOr(p: string): string {
	try {
		return readlinkSync(p);
	} catch {
		return '(unreadable link)';
	}
}

/** Turn a write failure on `dir` into a message a user can act on; other errors pass through. */
export function targetWriteError(error: unknown, dir: string): unknown {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'EROFS') return new RestoreTargetError(`cannot restore into ${dir}: it is on a read-only file system. Choose a writable folder (resto restore --target DIR).`);
	if (code === 'EACCES' || code === 'EPERM') return new RestoreTargetError(`cannot restore into ${dir}: permission denied (the folder is read-only for you). Choose a writable folder (resto restore --target DIR).`);
	if (code === 'ENOSPC' || code === 'EDQUOT') return new RestoreTargetError(`cannot restore into ${dir}: the disk is full.`);
	return error;
}

/**
 * mkdir -p that reports the real cause: Node's recursive mkdir says ENOENT when the deepest existing
 * folder is read-only, so each missing folder is created on its own and the error names that folder.
 */
export function makeFolders(dir: string): void {
	const missing: string[] = [];
	let current = dir;
	while (!lstatSync(current, {throwIfNoEntry: false})) {
		missing.push(current);
		const up = path.dirname(current);
		if (up === current) break;
		current = up;
	}
	for (const folder of missing.reverse()) {
		try {
			mkdirSync(folder);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
			throw targetWriteError(error, path.dirname(folder));
		}
	}
}

/**
 * Create a new folder named `base`, or `base-2`, `base-3`… when that name is taken: each attempt is an
 * exclusive mkdir, so two restores started in the same second never share a folder.
 */
export function createFreshFolder(base: string): string {
	const parent = path.dirname(base);
	makeFolders(parent);
	for (let n = 1; n < 10_000; n++) {
		const candidate = n === 1 ? base : `${base}-${n}`;
		try {
			mkdirSync(candidate);
			return candidate;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
			throw targetWriteError(error, parent);
		}
	}
	throw new RestoreTargetError(`could not find a free folder name next to ${base}`);
}

/**
 * The first symbolic link on the way from `root` (trusted, not checked) to `root/rel`, including
 * `root/rel` itself; undefined when there is none. Stops at the first component that does not exist.
 */
export function linkOnPath(root: string, rel: string): {link: string; pointsTo: string} | undefined {
	let current = root;
	for (const part of rel.split('/').filter(Boolean)) {
		current = path.join(current, part);
		const st = lstatOrUndefined(current);
		if (!st) return undefined;
		if (st.isSymbolicLink()) return {link: current, pointsTo: readlinkOr(current)};
		if (!st.isDirectory()) return undefined;
	}
	return undefined;
}

/**
 * Check every path a restore will write (`rels`, relative to `root`, parents before children as
 * restic lists them) and throw RestoreLinkError at the first one that is or goes through a link.
 * A folder found missing is remembered, so nothing below it is looked up again.
 */
export function assertNoLinks(root: string, rels: Iterable<string>): void {
	const missing = new Set<string>();
	const checked = new Set<string>();
	for (const rel of rels) {
		const parent = path.posix.dirname(rel);
		if (missing.has(parent)) {
			missing.add(rel);
			continue;
		}
		if (checked.has(parent)) {
			// Only the leaf is new.
			const leaf = path.join(root, rel);
			const st = lstatOrUndefined(leaf);
			if (!st) missing.add(rel);
			else if (st.isSymbolicLink()) throw new RestoreLinkError(leaf, readlinkOr(leaf), leaf);
			else if (st.isDirectory()) checked.add(rel);
			continue;
		}
		const found = linkOnPath(root, rel);
		if (found) throw new RestoreLinkError(found.link, found.pointsTo, path.join(root, rel));
		const st = lstatOrUndefined(path.join(root, rel));
		if (!st) missing.add(rel);
		else if (st.isDirectory()) checked.add(rel);
	}
}

function kind(st: Stats): string {
	if (st.isDirectory()) return 'a folder';
	if (st.isFile()) return 'a file';
	if (st.isSymbolicLink()) return 'a symbolic link';
	return 'a special file';
}

/** Paths below a restore are handled as bytes: names need not be valid UTF-8. */
type RawPath = Buffer;
const slash = Buffer.from('/');
const joinRaw = (dir: RawPath, name: RawPath): RawPath => Buffer.concat([dir, slash, name]);
const shown = (p: RawPath): string => p.toString();

function readlinkRaw(p: RawPath): string {
	try {
		return readlinkSync(p, {encoding: 'buffer'}).toString();
	} catch {
		return '(unreadable link)';
	}
}

/**
 * Move `from` (inside the staging folder) to `to`, never following a link at or below `to`:
 * - nothing at `to`: one rename of the whole subtree (rename replaces names, it never writes through them);
 * - a folder onto a folder: merged entry by entry;
 * - a file onto an existing file: replaced only with `overwrite` (rename swaps the name atomically);
 * - a link at `to`, or a folder onto a file and vice versa: refused.
 */
function moveOne(from: RawPath, to: RawPath, overwrite: boolean): void {
	const src = lstatSync(from);
	const dst = lstatOrUndefined(to);
	if (!dst) {
		renameSync(from, to);
		return;
	}
	if (dst.isSymbolicLink()) throw new RestoreLinkError(shown(to), readlinkRaw(to), shown(to));
	if (src.isDirectory() && dst.isDirectory()) {
		for (const name of readdirSync(from, {encoding: 'buffer'})) moveOne(joinRaw(from, name), joinRaw(to, name), overwrite);
		return;
	}
	if (!overwrite) throw new RestoreTargetError(`${shown(to)} already exists; restore into a new folder, or allow overwriting (--overwrite)`);
	if (src.isDirectory() !== dst.isDirectory()) throw new RestoreTargetError(`${shown(to)} is ${kind(dst)} on disk but ${kind(src)} in the snapshot: not replaced. Move it away or restore into a new folder.`);
	renameSync(from, to);
}

/**
 * Move the restored `rel` from `staging/rel` to `target/rel`. The folders above it that already exist
 * in the target are entered (after checking they are real folders), the first missing one is moved
 * over whole. `rel` "/" merges the whole staging folder except the names in `skip` (resto's markers).
 */
export function moveIntoPlace(staging: string, target: string, rel: string, overwrite: boolean, skip: ReadonlySet<string>): void {
	const parts = rel.split('/').filter(Boolean);
	if (parts.length === 0) {
		for (const name of readdirSync(staging, {encoding: 'buffer'})) {
			if (!skip.has(name.toString())) moveOne(joinRaw(Buffer.from(staging), name), joinRaw(Buffer.from(target), name), overwrite);
		}
		return;
	}
	let from = staging;
	let to = target;
	for (const [i, part] of parts.entries()) {
		from = path.join(from, part);
		to = path.join(to, part);
		const dst = lstatOrUndefined(to);
		if (dst?.isSymbolicLink()) throw new RestoreLinkError(to, readlinkOr(to), path.join(target, rel));
		if (!dst) {
			renameSync(from, to);
			return;
		}
		if (i < parts.length - 1 && !dst.isDirectory()) throw new RestoreTargetError(`${to} is ${kind(dst)}, but the snapshot has a folder there: not replaced. Move it away or restore into a new folder.`);
	}
	moveOne(Buffer.from(from), Buffer.from(to), overwrite);
}

/**
 * Remove what is left of a staging folder after its content was moved out: only empty folders and
 * the files named in `ours` (resto's own markers). Anything else stays; returns false then.
 */
export function removeEmptyTree(dir: string | RawPath, ours: ReadonlySet<string>): boolean {
	const raw = Buffer.isBuffer(dir) ? dir : Buffer.from(dir);
	let empty = true;
	for (const name of readdirSync(raw, {encoding: 'buffer'})) {
		const p = joinRaw(raw, name);
		const st = lstatSync(p);
		if (st.isDirectory()) {
			if (!removeEmptyTree(p, ours)) empty = false;
		} else if (st.isFile() && ours.has(name.toString())) unlinkSync(p);
		else empty = false;
	}
	if (empty) rmdirSync(raw);
	return empty;
}
