/**
 * Which demo repository resto made, so every subcommand sees it (`resto repos`, `resto snapshots`,
 * `--repo demo`) until `resto demo --remove`. A small JSON file in resto's XDG state directory; the
 * default demo directory counts as registered when it holds a finished demo (made by an older resto).
 */
import {existsSync, readFileSync, rmdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {restoPaths, writePrivateFile} from '../config/paths.js';
import {demoDirectory, demoExists, demoHome} from './demo.js';

/** A registered demo: where it is and how to open it. */
export interface DemoRegistration {
	dir: string;
	repository: string;
	passwordFile: string;
	/** The demo's own home directory (what its snapshots back up). */
	home: string;
}

/** The registration file. */
export function demoRegistryFile(): string {
	return path.join(restoPaths().state, 'demo.json');
}

/** The demo of a directory (the layout ensureDemoRepository creates). */
export function demoIn(dir: string): DemoRegistration {
	return {dir, repository: path.join(dir, 'repo'), passwordFile: path.join(dir, 'password'), home: demoHome(dir)};
}

/** Remember the demo in `dir` (the newest `resto demo` wins). */
export function registerDemo(dir: string): DemoRegistration {
	const demo = demoIn(path.resolve(dir));
	writePrivateFile(demoRegistryFile(), `${JSON.stringify(demo, null, 2)}\n`);
	return demo;
}

/**
 * The demo resto made, if it still exists: the registered one, else a finished demo in the default
 * directory. A demo directory removed by hand is simply no longer listed.
 */
export function registeredDemo(): DemoRegistration | undefined {
	try {
		const raw = JSON.parse(readFileSync(demoRegistryFile(), 'utf8')) as Partial<DemoRegistration>;
		if (typeof raw.dir === 'string' && path.isAbsolute(raw.dir) && demoExists(raw.dir)) return demoIn(raw.dir);
	} catch {
		// no (or an unreadable) registration: fall back to the default directory
	}
	return demoExists(demoDirectory()) ? demoIn(demoDirectory()) : undefined;
}

/** What `resto demo` puts in a demo directory: removing the demo removes exactly these. */
const demoEntries = ['repo', 'home', 'password', '.resto-demo-incomplete', '.resto-demo'];

/**
 * Remove the registered demo and its registration. Only a directory carrying resto's demo marker is
 * touched, and in it only what `resto demo` made (repo/, home/, the password): anything else someone
 * put there stays, and so does the directory then. Returns the demo's directory, or undefined when
 * there was none.
 */
export function removeDemo(): string | undefined {
	const demo = registeredDemo();
	rmSync(demoRegistryFile(), {force: true});
	if (!demo || !existsSync(path.join(demo.dir, '.resto-demo'))) return undefined;
	for (const entry of demoEntries) rmSync(path.join(demo.dir, entry), {recursive: true, force: true});
	try {
		rmdirSync(demo.dir);
	} catch {
		// not empty: someone else's files stay where they are
	}
	return demo.dir;
}
