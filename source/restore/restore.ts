/**
 * Safe restore of one file or directory from a snapshot.
 * - Default target: a new folder ./resto-restore-<short id>-<time>/ (never an existing one).
 * - Restoring where files already exist needs `overwrite: true` (the TUI asks first).
 * - While restic runs, a `.resto-incomplete` marker sits in the target; it is removed only after the
 *   restored size was verified, so a cancelled or failed restore is never presented as complete.
 * - Names with invalid UTF-8 cannot be addressed (restic lists them with U+FFFD): their parent
 *   directory is restored instead, and the result says so.
 */
import {existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {ResticClient} from '../restic/client.js';
import {literalPattern} from '../restic/argv.js';
import {ResticError} from '../restic/errors.js';

export const incompleteMarker = '.resto-incomplete';

/** `<cwd>/resto-restore-<short id>-<YYYYMMDD-HHMMSS>`. */
export function defaultRestoreTarget(snapshotId: string, now = new Date(), cwd = process.cwd()): string {
	const p = (n: number) => String(n).padStart(2, '0');
	const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
	return path.join(cwd, `resto-restore-${snapshotId.slice(0, 8)}-${stamp}`);
}

export interface RestoreRequest {
	snapshotId: string;
	/** Absolute path inside the snapshot. */
	path: string;
	target?: string;
	overwrite?: boolean;
	signal?: AbortSignal;
	onStatus?: (text: string) => void;
}

export interface RestoreResult {
	target: string;
	/** Where the restored item is on disk. */
	restoredPath: string;
	files: number;
	bytes: number;
	/** True when the parent directory was restored because the name is not addressable. */
	restoredParent: boolean;
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

/** Restore `request.path` from a snapshot, verify it, and return where it landed. */
export async function restorePath(client: ResticClient, request: RestoreRequest): Promise<RestoreResult> {
	const target = path.resolve(request.target ?? defaultRestoreTarget(request.snapshotId));
	const unaddressable = request.path.includes('\ufffd');
	const include = unaddressable ? path.posix.dirname(request.path) : request.path;
	const restoredPath = path.join(target, include);
	if (existsSync(restoredPath) && !request.overwrite) throw new RestoreConflictError(restoredPath);

	// What restic says the item holds, to verify the restore against.
	let expectedBytes = 0;
	let expectedFiles = 0;
	const parentDir = path.posix.dirname(include);
	await client.ls(
		request.snapshotId,
		{dir: include === '/' ? undefined : include, recursive: true},
		node => {
			if (node.path === include || node.path.startsWith(`${include === '/' ? '' : include}/`)) {
				if (node.type === 'file') {
					expectedBytes += node.size;
					expectedFiles++;
				} else if (node.type === 'symlink' || node.type === 'other') expectedFiles++;
			}
		},
		request.signal,
	);
	if (expectedFiles === 0 && parentDir !== include) {
		// An empty directory is fine; a missing path is not.
		let found = false;
		await client.ls(request.snapshotId, {dir: parentDir}, node => {
			if (node.path === include) found = true;
		}, request.signal);
		if (!found) throw new ResticError('not-found', `${request.path} is not in snapshot ${request.snapshotId.slice(0, 8)}`);
	}

	mkdirSync(target, {recursive: true});
	const marker = path.join(target, incompleteMarker);
	writeFileSync(marker, `restore of ${request.path} from ${request.snapshotId} started ${new Date().toISOString()}; not complete\n`);
	request.onStatus?.(`restoring ${include} into ${target}`);
	// --include takes a glob pattern: escape the literal path (names may contain [ ] * ? \).
	try {
		await client.restore(request.snapshotId, {target, include: [literalPattern(include)]}, ev => {
			if (ev.type === 'status') request.onStatus?.(`restoring: ${Math.round(ev.percentDone * 100)}% (${ev.filesRestored}/${ev.totalFiles} files)`);
		}, request.signal);
	} catch (error) {
		// restic 0.14 says "ignoring error for …: no space left on device" per write, then "There were N errors".
		if (error instanceof ResticError && /no space left on device|disk quota exceeded/i.test(`${error.message}\n${error.stderr ?? ''}`)) {
			throw new ResticError('failed', `The disk holding ${target} is full: the restore stopped part-way and is marked incomplete (${incompleteMarker}). Free some space or restore somewhere else (--target).`, {exitCode: error.exitCode, stderr: error.stderr});
		}
		throw error;
	}
	if (!existsSync(restoredPath)) {
		throw new ResticError('failed', `restic finished but ${restoredPath} was not restored`);
	}
	const onDisk = sizeOnDisk(restoredPath);
	if (onDisk.bytes !== expectedBytes) {
		throw new ResticError('failed', `restored size ${onDisk.bytes} bytes differs from the snapshot's ${expectedBytes} bytes; the restore is incomplete (marker left in ${target})`);
	}
	rmSync(marker, {force: true});
	return {target, restoredPath, files: onDisk.files, bytes: onDisk.bytes, restoredParent: unaddressable};
}

/** True when a directory holds an unfinished restore. */
export function isIncompleteRestore(target: string): boolean {
	return existsSync(path.join(target, incompleteMarker)) && statSync(target).isDirectory();
}
