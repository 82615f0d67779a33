/**
 * Opening a cache file that anything could have replaced: a directory, a FIFO (opening one for reading
 * blocks until a writer appears, which hangs resto), a symbolic link (dangling or not), another user's
 * file (which could feed resto a forged file list) or an unreadable one. lstat comes first, the open
 * never blocks and never follows a link, and the opened file must be the one that was checked.
 */
import {closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync, statSync, type Stats} from 'node:fs';

/** What is at a cache path. */
export type GuardedOpen =
	| {state: 'missing'}
	| {state: 'open'; fd: number; size: number}
	| {
			state: 'unusable';
			/** Why, as the end of a sentence: "is a FIFO (named pipe)". */
			reason: string;
			/** True when the thing there is resto's own (a regular file of this user) and may be replaced. */
			ours: boolean;
	  };

/** "a directory", "a FIFO (named pipe)"…: what a non-regular file is. */
export function describeKind(st: Stats, file: string): string {
	if (st.isDirectory()) return 'is a directory';
	if (st.isFIFO()) return 'is a FIFO (named pipe)';
	if (st.isSocket()) return 'is a socket';
	if (st.isBlockDevice() || st.isCharacterDevice()) return 'is a device';
	if (st.isSymbolicLink()) {
		let to = '?';
		try {
			to = readlinkSync(file);
		} catch {
			// Unreadable link: the kind is still known.
		}
		// stat follows the link without opening its target (so a FIFO there cannot block).
		let dangling = true;
		try {
			dangling = statSync(file, {throwIfNoEntry: false}) === undefined;
		} catch {
			// A loop or an unreadable target: as good as dangling.
		}
		return `is a symbolic link to ${to}${dangling ? ', which does not exist' : ''}`;
	}
	return 'is not a regular file';
}

/** The uid of this process, or undefined where there is none (Windows). */
const myUid = (): number | undefined => process.getuid?.();

/**
 * Check what is at `file` and open it for reading only if it is a regular file of this user that can
 * be read. Never blocks, never follows a link, never throws for what is found there.
 */
export function guardedOpen(file: string): GuardedOpen {
	let st: Stats;
	try {
		st = lstatSync(file);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' || code === 'ENOTDIR') return {state: 'missing'};
		return {state: 'unusable', reason: `cannot be looked at (${code ?? (error as Error).message})`, ours: false};
	}
	if (!st.isFile()) return {state: 'unusable', reason: describeKind(st, file), ours: false};
	const uid = myUid();
	if (uid !== undefined && st.uid !== uid) return {state: 'unusable', reason: `belongs to another user (uid ${st.uid}), so it is not trusted`, ours: false};
	let fd: number;
	try {
		fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') return {state: 'missing'};
		const why = code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)' : code === 'ELOOP' ? 'is a symbolic link' : `cannot be opened (${code ?? (error as Error).message})`;
		return {state: 'unusable', reason: why, ours: code === 'EACCES' || code === 'EPERM'};
	}
	const now = fstatSync(fd);
	if (!now.isFile() || now.ino !== st.ino || now.dev !== st.dev) {
		closeSync(fd);
		return {state: 'unusable', reason: 'was replaced while being opened', ours: false};
	}
	return {state: 'open', fd, size: now.size};
}

/** The first `n` bytes of an open file (fewer if it is shorter). */
export function readHead(fd: number, n: number): Buffer {
	const buf = Buffer.alloc(n);
	const got = readSync(fd, buf, 0, n, 0);
	return buf.subarray(0, got);
}
