/**
 * Temporary directories of a test file, removed when the file ends (test/helpers/setup-file.ts), passed or
 * failed: a test that throws half-way leaves nothing behind either.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();

/** Create a temp dir under the OS temp dir; it is removed when the test file ends. */
export function tempDir(prefix = 'resto-test-'): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
	made.add(dir);
	return dir;
}

/** Make every directory under `dir` writable and searchable again (tests chmod some to 000). */
function unlock(dir: string): void {
	try {
		chmodSync(dir, 0o700);
		for (const name of readdirSync(dir)) {
			const p = path.join(dir, name);
			if (lstatSync(p).isDirectory()) unlock(p);
		}
	} catch {
		// Gone, or not ours: rmSync reports what it cannot remove.
	}
}

/** Unmount whatever a failed test left mounted under `dir` (tests mount small tmpfs to fill a disk). */
function unmountUnder(dir: string): void {
	let mounts: string[];
	try {
		// Fields are octal-escaped (\040 for a space); deepest first.
		mounts = readFileSync('/proc/self/mounts', 'utf8')
			.split('\n')
			.map(line => (line.split(' ')[1] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
			.filter(m => m.startsWith(`${dir}/`))
			.sort((a, b) => b.length - a.length);
	} catch {
		return;
	}
	for (const m of mounts) spawnSync('umount', ['-l', m], {stdio: 'ignore'});
}

/** Remove a tree, also one with unreadable or read-only directories or a mount left in it. */
export function removeTree(dir: string): void {
	try {
		rmSync(dir, {recursive: true, force: true});
	} catch {
		unmountUnder(dir);
		unlock(dir);
		rmSync(dir, {recursive: true, force: true});
	}
}

/** Remove every tempDir() of this test file. */
export function removeTempDirs(): void {
	for (const dir of made) {
		made.delete(dir);
		try {
			removeTree(dir);
		} catch (error) {
			// The run's teardown tries again and names what stays (test/helpers/global-setup.ts).
			console.warn(`could not remove ${dir}: ${(error as Error).message}`);
		}
	}
}
