/** XDG base directories for resto. Every directory resto creates is 0700, every file 0600. */
import {chmodSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function base(envName: string, fallback: string): string {
	const value = process.env[envName];
	// The XDG spec says relative values are invalid and must be ignored.
	return value && path.isAbsolute(value) ? value : path.join(os.homedir(), fallback);
}

/** Where resto keeps things. Computed on each call so tests can change the environment. */
export function restoPaths(): {config: string; cache: string; state: string; data: string} {
	return {
		config: path.join(base('XDG_CONFIG_HOME', '.config'), 'resto'),
		cache: path.join(base('XDG_CACHE_HOME', '.cache'), 'resto'),
		state: path.join(base('XDG_STATE_HOME', '.local/state'), 'resto'),
		data: path.join(base('XDG_DATA_HOME', '.local/share'), 'resto'),
	};
}

/** The config file: $RESTO_CONFIG or <XDG config>/resto/config.yaml. */
export function configFilePath(): string {
	return process.env.RESTO_CONFIG || path.join(restoPaths().config, 'config.yaml');
}

/**
 * mkdir -p with mode 0700 on every directory resto creates (and on the leaf even if it existed). Only
 * for resto's own directories (cache, state, drills): never for a directory a user named.
 */
export function ensurePrivateDir(dir: string): string {
	mkdirSync(dir, {recursive: true, mode: 0o700});
	chmodSync(dir, 0o700);
	return dir;
}

/**
 * Write a 0600 file atomically (temp file + rename), creating its directory 0700. Only a regular file
 * is ever replaced: a directory, link, FIFO or device at `file` is not resto's, and is left alone.
 */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
	ensurePrivateDir(path.dirname(file));
	const existing = lstatSync(file, {throwIfNoEntry: false});
	if (existing && !existing.isFile()) throw new Error(`${file} is ${existing.isDirectory() ? 'a directory' : existing.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}, not a file resto wrote: left alone`);
	const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
	try {
		// Exclusive: never opens (or writes through) something already at the temporary name.
		writeFileSync(tmp, data, {mode: 0o600, flag: 'wx'});
		renameSync(tmp, file);
	} catch (error) {
		// A full disk leaves a partial temp file: remove it, or it keeps the space taken for good
		// (but not when the name was already taken: that file is not ours).
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') rmSync(tmp, {force: true});
		throw error;
	}
}

/** Expand a leading ~ to the home directory. */
export function expandHome(p: string): string {
	if (p === '~') return os.homedir();
	if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
	return p;
}
