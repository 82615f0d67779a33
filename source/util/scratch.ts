/**
 * Scratch directories that do not pile up. Each is named after the resto process that made it
 * (`<prefix><pid>-XXXXXX`) and removed by it when done; a resto killed with SIGKILL cannot do that, so every
 * new one first removes those of processes that no longer exist. Nothing else is touched: only directories
 * with the prefix and that name shape, owned by this user, not links, and (when `isOurs` says so) holding
 * resto's marker.
 */
import {lstatSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import path from 'node:path';

/** Whether a process with this PID exists (one we may not signal exists too). */
function processExists(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Remove the scratch directories under `parent` left by resto processes that are gone. */
export function sweepScratchDirs(parent: string, prefix: string, isOurs: (dir: string) => boolean = () => true): void {
	let names: string[];
	try {
		names = readdirSync(parent);
	} catch {
		return;
	}
	const uid = process.getuid?.();
	for (const name of names) {
		if (!name.startsWith(prefix)) continue;
		const match = /^(\d+)-[A-Za-z0-9]{6}$/.exec(name.slice(prefix.length));
		if (!match) continue;
		const pid = Number(match[1]);
		if (pid === process.pid || processExists(pid)) continue;
		const dir = path.join(parent, name);
		const st = lstatSync(dir, {throwIfNoEntry: false});
		if (!st?.isDirectory() || (uid !== undefined && st.uid !== uid) || !isOurs(dir)) continue;
		try {
			rmSync(dir, {recursive: true, force: true});
		} catch {
			// Still in use by something, or not removable: left for a later sweep.
		}
	}
}

/** A new private scratch directory under `parent` (which must exist), after sweeping dead ones. */
export function makeScratchDir(parent: string, prefix: string, isOurs?: (dir: string) => boolean): string {
	sweepScratchDirs(parent, prefix, isOurs);
	return mkdtempSync(path.join(parent, `${prefix}${process.pid}-`));
}
