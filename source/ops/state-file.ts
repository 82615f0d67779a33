/** Small JSON state files of the operations features, under <XDG state>/resto/ (0600 in a 0700 directory). */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {restoPaths, writePrivateFile} from '../config/paths.js';

/** Read a JSON state file, or `fallback` when it is missing or unreadable. */
export function readPrivateJson<T>(name: string, fallback: T): T {
	try {
		return JSON.parse(readFileSync(path.join(restoPaths().state, name), 'utf8')) as T;
	} catch {
		return fallback;
	}
}

/** Write a JSON state file atomically. */
export function writePrivateJson(name: string, value: unknown): void {
	writePrivateFile(path.join(restoPaths().state, name), `${JSON.stringify(value, null, 2)}\n`);
}
