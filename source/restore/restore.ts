/**
 * Safe restore of one file or directory from a snapshot.
 * - Default target: a new folder ~/resto-restore/<short id>-<time>/ or below the configured
 *   `restoreTarget` (see target.ts; never an existing one: an exclusive mkdir, with -2, -3… added
 *   when two restores start in the same second).
 * - Restoring to the original location (restoreToOriginal) is its own function: the TUI lists what
 *   it would replace and asks first; it stages next to the item and moves over without following links.
 * - restic writes only into a folder nobody else can have put links in: a new (or empty private)
 *   target, else a fresh staging folder inside the target whose verified result is moved into
 *   place without following symbolic links, and any link on a path the restore writes is
 *   refused before restic runs (restic 0.14 writes through existing links). A target that is itself
 *   a link is resolved once, explicitly, and reported.
 * - Restoring where files already exist needs `overwrite: true` (the TUI asks first).
 * - While restic runs, a `.resto-incomplete` marker sits in the target; it is removed only after the
 *   restored size was verified, so a cancelled or failed restore is never presented as complete.
 * - Names with invalid UTF-8 cannot be addressed (restic lists them with U+FFFD): their parent
 *   directory is restored instead, and the result says so.
 */
import {closeSync, constants, existsSync, lstatSync, mkdtempSync, openSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, unlinkSync, writeSync} from 'node:fs';
import path from 'node:path';
import type {ResticClient} from '../restic/client.js';
import {literalPattern} from '../restic/argv.js';
import {ResticError} from '../restic/errors.js';
import {defaultRestoreTarget} from './target.js';
import {assertNoLinks, createFreshFolder, makeFolders, moveIntoPlace, removeEmptyTree, RestoreLinkError, RestoreTargetError, targetWriteError} from './safe-paths.js';

export {RestoreLinkError, RestoreTargetError} from './safe-paths.js';

export const incompleteMarker = '.resto-incomplete';

export {defaultRestoreTarget} from './target.js';

export interface RestoreRequest {
	snapshotId: string;
	/** Absolute path inside the snapshot. */
	path: string;
	/** Where to restore; default a new folder below ~/resto-restore (see defaultRestoreTarget). */
	target?: string;
	/** `target` names a folder to create (never an existing one): `-2`, `-3`… is added when it is taken. */
	newFolder?: boolean;
	overwrite?: boolean;
	signal?: AbortSignal;
	onStatus?: (text: string) => void;
	/** Told the folder restic writes into once it exists (a new folder may have got -2, -3… added). */
	onTarget?: (target: string) => void;
}

export interface RestoreResult {
	target: string;
	/** Where the restored item is on disk. */
	restoredPath: string;
	files: number;
	bytes: number;
	/** True when the parent directory was restored because the name is not addressable. */
	restoredParent: boolean;
	/** Full paths of the restored files (and links), at most `pathLimit`; `files` counts them all. */
	paths: string[];
}

/** How many restored paths a result lists (the count covers the rest). */
export const pathLimit = 2000;

/** Full paths of what a restore put at `p` (files, links, empty folders), at most `limit`, as the names read. */
function listRestored(p: string, limit = pathLimit): string[] {
	const out: string[] = [];
	const walk = (at: Buffer) => {
		if (out.length >= limit) return;
		const st = lstatSync(at);
		if (!st.isDirectory()) {
			out.push(at.toString());
			return;
		}
		const names = readdirSync(at, {encoding: 'buffer'}).filter(n => n.toString() !== incompleteMarker);
		if (names.length === 0 && out.length < limit) out.push(`${at.toString()}/`);
		for (const name of names.sort(Buffer.compare)) walk(Buffer.concat([at, Buffer.from('/'), name]));
	};
	walk(Buffer.from(p));
	return out;
}

/** Thrown when the restore would replace existing files and overwrite was not allowed. */
export class RestoreConflictError extends Error {
	constructor(readonly existing: string) {
		super(`${existing} already exists; restore into a new folder, or allow overwriting (--overwrite)`);
		this.name = 'RestoreConflictError';
	}
}

/** Files and bytes below a path. Names are read as raw bytes: they may not be valid UTF-8. */
function sizeOnDisk(p: string | Buffer): {files: number; bytes: number} {
	const st = lstatSync(p);
	if (!st.isDirectory()) return {files: 1, bytes: st.isFile() ? st.size : 0};
	let files = 0;
	let bytes = 0;
	const base = Buffer.isBuffer(p) ? p : Buffer.from(p);
	for (const entry of readdirSync(base, {encoding: 'buffer'})) {
		if (entry.toString() === incompleteMarker) continue;
		const sub = sizeOnDisk(Buffer.concat([base, Buffer.from('/'), entry]));
		files += sub.files;
		bytes += sub.bytes;
	}
	return {files, bytes};
}

/** Write resto's marker file without following a link that may sit at its name. */
function writeMarker(file: string, text: string): void {
	const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
	try {
		writeSync(fd, text);
	} finally {
		closeSync(fd);
	}
}

/** Remove a marker only if it is resto's regular file (never a link or folder of that name). */
function removeMarker(file: string): void {
	if (lstatSync(file, {throwIfNoEntry: false})?.isFile()) unlinkSync(file);
}

/** Staging folders are named briefly: their path adds to restored paths near PATH_MAX (4096 bytes). */
const stagingPrefix = '.resto-';

/** Empty, owned by this user and writable by nobody else: no one can have put a link in it. */
function isPrivateEmptyFolder(dir: string): boolean {
	const st = lstatSync(dir);
	return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0 && readdirSync(dir).length === 0;
}

/** Remove a staging folder of this restore, recognised by the marker written into it on creation. */
function removeStaging(staging: string): void {
	if (lstatSync(path.join(staging, incompleteMarker), {throwIfNoEntry: false})?.isFile()) rmSync(staging, {recursive: true, force: true});
}

/**
 * The folder to restore into. A new folder (the default) is created with an exclusive mkdir, adding
 * -2, -3… when the name is taken. A given target that is a symbolic link is resolved once, here, and
 * everything afterwards happens below the resolved folder (which the result reports).
 */
function prepareTarget(request: RestoreRequest): {target: string; created: boolean; note?: string} {
	if (request.target === undefined || request.newFolder) {
		return {target: createFreshFolder(path.resolve(request.target ?? defaultRestoreTarget(request.snapshotId))), created: true};
	}
	const given = path.resolve(request.target);
	const st = lstatSync(given, {throwIfNoEntry: false});
	if (st?.isSymbolicLink()) {
		let real: string;
		try {
			real = realpathSync(given);
		} catch {
			throw new RestoreTargetError(`the target ${given} is a symbolic link to ${readlinkSync(given)}, which does not exist`);
		}
		if (!statSync(real).isDirectory()) throw new RestoreTargetError(`the target ${given} is a symbolic link to ${real}, which is not a folder`);
		return {target: real, created: false, note: `the target ${given} is a symbolic link: restoring into ${real}`};
	}
	if (st && !st.isDirectory()) throw new RestoreTargetError(`the target ${given} exists and is not a folder`);
	if (!st) {
		makeFolders(given);
		return {target: given, created: true};
	}
	return {target: given, created: false};
}

/** Is `include` already a folder (or a link) in the given target? Never for a new folder. */
function existingFolderAt(request: RestoreRequest, include: string): boolean {
	if (request.target === undefined || request.newFolder) return false;
	let base = path.resolve(request.target);
	try {
		base = realpathSync(base);
	} catch {
		return false;
	}
	const st = lstatSync(path.join(base, include), {throwIfNoEntry: false});
	return st !== undefined && (st.isDirectory() || st.isSymbolicLink());
}

/** What the snapshot holds at `include` (bytes, files) and the relative paths a restore of it writes. */
async function expectedOf(client: ResticClient, snapshotId: string, include: string, checkBelow: boolean, signal: AbortSignal | undefined, asked: string): Promise<{expectedBytes: number; expectedFiles: number; writes: string[]}> {
	let expectedBytes = 0;
	let expectedFiles = 0;
	const writes: string[] = [];
	const parts = include.split('/').filter(Boolean);
	for (let i = 1; i <= parts.length; i++) writes.push(parts.slice(0, i).join('/'));
	const parentDir = path.posix.dirname(include);
	const below = `${include === '/' ? '' : include}/`;
	await client.ls(
		snapshotId,
		{dir: include === '/' ? undefined : include, recursive: true},
		node => {
			if (node.path === include || node.path.startsWith(below)) {
				if (checkBelow && node.path !== include) writes.push(node.path.slice(1));
				if (node.type === 'file') {
					expectedBytes += node.size;
					expectedFiles++;
				} else if (node.type === 'symlink' || node.type === 'other') expectedFiles++;
			}
		},
		signal,
	);
	if (expectedFiles === 0 && parentDir !== include) {
		// An empty directory is fine; a missing path is not.
		let found = false;
		await client.ls(
			snapshotId,
			{dir: parentDir},
			node => {
				if (node.path === include) found = true;
			},
			signal,
		);
		if (!found) throw new ResticError('not-found', `${asked} is not in snapshot ${snapshotId.slice(0, 8)}`);
	}
	return {expectedBytes, expectedFiles, writes};
}

/** restic restore of one path (a literal --include: names may hold [ ] * ? \\) into `staging`, with progress. */
async function restoreInto(client: ResticClient, request: Pick<RestoreRequest, 'snapshotId' | 'signal' | 'onStatus'>, staging: string, include: string): Promise<void> {
	await client.restore(
		request.snapshotId,
		{target: staging, include: [literalPattern(include)]},
		ev => {
			if (ev.type === 'status') request.onStatus?.(`restoring: ${Math.round(ev.percentDone * 100)}% (${ev.filesRestored}/${ev.totalFiles} files)`);
		},
		request.signal,
	);
}

/**
 * Restore `request.path` from a snapshot, verify it, and return where it landed. restic writes only
 * into a fresh private staging folder inside the target; the verified result is then moved into
 * place without following links (see safe-paths.ts), after every path it will take was checked.
 */
export async function restorePath(client: ResticClient, request: RestoreRequest): Promise<RestoreResult> {
	const unaddressable = request.path.includes('\ufffd');
	const include = unaddressable ? path.posix.dirname(request.path) : request.path;

	// What restic says the item holds, to verify the restore against, and every path it will write.
	// Paths below the restored item need checking only when it already exists on disk as a folder
	// (nothing can be below a missing one): a big restore into a new place keeps no path list.
	const {expectedBytes, writes} = await expectedOf(client, request.snapshotId, include, existingFolderAt(request, include), request.signal, request.path);

	const {target, created, note} = prepareTarget(request);
	request.onTarget?.(target);
	if (note) request.onStatus?.(note);
	const restoredPath = path.join(target, include);
	// Refuse before restic runs: a link on any path this restore writes, or (without overwrite) an existing item.
	assertNoLinks(target, writes);
	if (!request.overwrite && lstatSync(restoredPath, {throwIfNoEntry: false})) throw new RestoreConflictError(restoredPath);

	const marker = path.join(target, incompleteMarker);
	// A folder that is new (or empty, ours, and writable by nobody else) holds no links: restic can
	// write into it directly. Anything else gets a fresh staging folder, moved into place afterwards.
	const direct = created || isPrivateEmptyFolder(target);
	let staging: string;
	try {
		writeMarker(marker, `restore of ${request.path} from ${request.snapshotId} started ${new Date().toISOString()}; not complete\n`);
		staging = direct ? target : mkdtempSync(path.join(target, stagingPrefix));
		if (!direct) writeMarker(path.join(staging, incompleteMarker), `staging folder of a resto restore of ${request.path}; safe to delete\n`);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new RestoreLinkError(marker, readlinkSync(marker), marker);
		throw targetWriteError(error, target);
	}
	const discard = () => {
		if (!direct) removeStaging(staging);
	};
	request.onStatus?.(`restoring ${include} into ${target}`);
	try {
		await restoreInto(client, request, staging, include);
	} catch (error) {
		discard();
		// restic 0.14 says "ignoring error for …: no space left on device" per write, then "There were N errors".
		if (error instanceof ResticError && /no space left on device|disk quota exceeded/i.test(`${error.message}\n${error.stderr ?? ''}`)) {
			throw new ResticError('failed', `The disk holding ${target} is full: the restore stopped part-way and is marked incomplete (${incompleteMarker}). Free some space or restore somewhere else (--target).`, {exitCode: error.exitCode, stderr: error.stderr});
		}
		throw error;
	}
	const staged = path.join(staging, include);
	if (!lstatSync(staged, {throwIfNoEntry: false})) {
		discard();
		throw new ResticError('failed', `restic finished but ${restoredPath} was not restored`);
	}
	// Only what this restore wrote is counted: files already in the target are not part of it.
	const onDisk = sizeOnDisk(staged);
	if (onDisk.bytes !== expectedBytes) {
		discard();
		throw new ResticError('failed', `restored size ${onDisk.bytes} bytes differs from the snapshot's ${expectedBytes} bytes; the restore is incomplete (marker left in ${target})`);
	}
	if (!direct) {
		try {
			moveIntoPlace(staging, target, include, request.overwrite === true, new Set([incompleteMarker]));
		} catch (error) {
			discard();
			const why = error instanceof RestoreLinkError || error instanceof RestoreTargetError ? error.message : `could not move the restored files into place: ${(error as Error).message}`;
			throw new RestoreTargetError(`${why} (the restore is incomplete: marker left in ${target})`);
		}
		removeEmptyTree(staging, new Set([incompleteMarker]));
	}
	removeMarker(marker);
	return {target, restoredPath, files: onDisk.files, bytes: onDisk.bytes, restoredParent: unaddressable, paths: listRestored(restoredPath)};
}

/** True when a directory holds an unfinished restore. */
export function isIncompleteRestore(target: string): boolean {
	return existsSync(path.join(target, incompleteMarker)) && statSync(target).isDirectory();
}

/**
 * Put `request.path` back where it was when the snapshot was taken, replacing what is there (the TUI
 * lists what that replaces and asks first). restic writes into a fresh private staging folder next
 * to the item (same file system, so the move is a rename); the verified result is moved over without
 * following links, and every path it writes was checked for links before restic ran. A stop or a
 * failure before the move leaves the original files untouched (the staging folder is removed).
 */
export async function restoreToOriginal(client: ResticClient, request: Omit<RestoreRequest, 'target' | 'newFolder' | 'overwrite'>): Promise<RestoreResult> {
	const unaddressable = request.path.includes('\ufffd');
	const include = unaddressable ? path.posix.dirname(request.path) : request.path;
	if (include === '/') throw new RestoreTargetError('restoring a whole snapshot over / is not offered: restore it into a folder');
	const existsAsFolder = lstatSync(include, {throwIfNoEntry: false})?.isDirectory() === true;
	const {expectedBytes, writes} = await expectedOf(client, request.snapshotId, include, existsAsFolder, request.signal, request.path);
	assertNoLinks('/', writes);
	// Staging goes into the nearest existing folder above the item: same file system, so moving is renaming.
	let base = path.dirname(include);
	while (!lstatSync(base, {throwIfNoEntry: false})) base = path.dirname(base);
	if (!lstatSync(base).isDirectory()) throw new RestoreTargetError(`${base} is not a folder: ${include} cannot be restored there`);
	let staging: string;
	try {
		staging = mkdtempSync(path.join(base, stagingPrefix));
		writeMarker(path.join(staging, incompleteMarker), `staging folder of a resto restore of ${request.path} to its original location; safe to delete\n`);
	} catch (error) {
		throw targetWriteError(error, base);
	}
	const discard = () => rmSync(staging, {recursive: true, force: true});
	request.onStatus?.(`restoring ${include} to its original location`);
	try {
		await restoreInto(client, request, staging, include);
	} catch (error) {
		discard();
		throw error;
	}
	const staged = path.join(staging, include);
	if (!lstatSync(staged, {throwIfNoEntry: false})) {
		discard();
		throw new ResticError('failed', `restic finished but ${include} was not restored; nothing at the original location was changed`);
	}
	const onDisk = sizeOnDisk(staged);
	if (onDisk.bytes !== expectedBytes) {
		discard();
		throw new ResticError('failed', `restored size ${onDisk.bytes} bytes differs from the snapshot's ${expectedBytes} bytes; nothing at the original location was changed`);
	}
	const paths = listRestored(staged).map(p => p.slice(staging.length));
	try {
		moveIntoPlace(staging, '/', include, true, new Set([incompleteMarker]));
	} catch (error) {
		discard();
		const why = error instanceof RestoreLinkError || error instanceof RestoreTargetError ? error.message : `could not move the restored files into place: ${(error as Error).message}`;
		throw new RestoreTargetError(`${why} (files moved before this point were replaced; the rest were not)`);
	}
	discard();
	return {target: '/', restoredPath: include, files: onDisk.files, bytes: onDisk.bytes, restoredParent: unaddressable, paths};
}
