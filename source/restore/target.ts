/**
 * Where restores land, shared by the TUI's restore dialog and `resto restore`:
 * - the default is a new folder below the configured `restoreTarget`, else below ~/resto-restore/,
 *   named `<snapshot short id>-<YYYYMMDD-HHMMSS>` (-2, -3… added at creation when taken). Never the
 *   current directory: under `npm start` that is resto's own checkout, where nobody looks for a file;
 * - a target the user typed is checked before anything runs: a folder (or one that can be created),
 *   writable, and not already holding the item (that would replace files: "original location" is
 *   the explicit way to do that);
 * - restoring to the original location is compared with the live file system first, so the user
 *   sees which files would be replaced (and which differ) before saying yes.
 */
import {accessSync, constants, existsSync, lstatSync, readFileSync, realpathSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {expandHome} from '../config/paths.js';
import type {ResticClient} from '../restic/client.js';
import {linkOnPath} from './safe-paths.js';

/** The folder new restores go below, when nothing is configured: ~/resto-restore. */
export const defaultRestoreFolderName = 'resto-restore';

/** resto's own checkout or install folder (the nearest package.json named resto above this module). */
function ownPackageRoot(): string | undefined {
	try {
		let dir = path.dirname(fileURLToPath(import.meta.url));
		for (let i = 0; i < 6; i++) {
			const pkg = path.join(dir, 'package.json');
			if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as {name?: string}).name === 'resto') return dir;
			const up = path.dirname(dir);
			if (up === dir) break;
			dir = up;
		}
	} catch {
		// No package.json to be found: nothing to stay out of.
	}
	return undefined;
}

/** `inner` is `outer` or below it. */
export function isInside(inner: string, outer: string): boolean {
	const rel = path.relative(outer, inner);
	return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The folder new restores are created in: `restoreTarget` from the config (~ expanded), else
 * ~/resto-restore. A home inside resto's own checkout (HOME pointed at it) falls back to the
 * system's temporary folder: restored files never mix with resto's source.
 */
export function restoreRoot(configured?: string, home = os.homedir()): string {
	if (configured) return path.resolve(expandHome(configured));
	const root = path.join(home, defaultRestoreFolderName);
	const own = ownPackageRoot();
	return own && isInside(root, own) ? path.join(os.tmpdir(), defaultRestoreFolderName) : root;
}

function stamp(now: Date): string {
	const p = (n: number) => String(n).padStart(2, '0');
	return `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}

/** `<root>/<short id>-<YYYYMMDD-HHMMSS>`: a new folder for one restore (created later, -2, -3… when taken). */
export function defaultRestoreTarget(snapshotId: string, options: {root?: string; now?: Date} = {}): string {
	return path.join(options.root ?? restoreRoot(), `${snapshotId.slice(0, 8)}-${stamp(options.now ?? new Date())}`);
}

/** `<root>/plan-<YYYYMMDD-HHMMSS>`: a new folder for one restore plan. */
export function defaultPlanTarget(options: {root?: string; now?: Date} = {}): string {
	return path.join(options.root ?? restoreRoot(), `plan-${stamp(options.now ?? new Date())}`);
}

/** What a target folder typed by the user would do. */
export interface TargetCheck {
	ok: boolean;
	/** The folder as it will be used (absolute, ~ expanded). */
	target: string;
	/** Where the item lands: target + its path in the snapshot. */
	landsAt: string;
	/** One line for the dialog: what happens, or why it cannot. */
	text: string;
}

/** The nearest folder above `p` (or `p` itself) that exists. */
function nearestExisting(p: string): string {
	let at = p;
	while (!lstatSync(at, {throwIfNoEntry: false})) {
		const up = path.dirname(at);
		if (up === at) break;
		at = up;
	}
	return at;
}

function writable(dir: string): boolean {
	try {
		accessSync(dir, constants.W_OK | constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/**
 * Check a target folder for restoring `item` (its absolute path in the snapshot) before anything
 * runs. `fresh`: the folder is the default new one (a taken name gets -2, -3… at creation).
 */
export function checkTarget(typed: string, item: string, options: {fresh?: boolean} = {}): TargetCheck {
	const trimmed = typed.trim();
	const target = trimmed ? path.resolve(expandHome(trimmed)) : '';
	const landsAt = target ? path.join(target, item) : '';
	const no = (text: string): TargetCheck => ({ok: false, target, landsAt, text});
	if (!target) return no('type the folder to restore into');
	const st = lstatSync(target, {throwIfNoEntry: false});
	if (!st || options.fresh) {
		const base = nearestExisting(target);
		const baseSt = statSync(base, {throwIfNoEntry: false});
		if (!baseSt?.isDirectory()) return no(`${base} is not a folder: ${target} cannot be created`);
		if (!writable(base)) return no(`${base} is not writable for you: ${target} cannot be created`);
		return {ok: true, target, landsAt, text: st ? 'the name is taken: a new folder with -2, -3… added is created' : 'a new folder, created for this restore'};
	}
	let real = target;
	if (st.isSymbolicLink()) {
		try {
			real = realpathSync(target);
		} catch {
			return no(`${target} is a symbolic link to nothing`);
		}
	}
	if (!statSync(real).isDirectory()) return no(`${target} exists and is not a folder`);
	if (!writable(real)) return no(`${target} is not writable for you`);
	const link = linkOnPath(real, item);
	if (link) return no(`${link.link} is a symbolic link: the restore would write through it`);
	if (lstatSync(path.join(real, item), {throwIfNoEntry: false})) return no(`${landsAt} already exists: restoring there would replace it (choose another folder, or o: original location)`);
	return {ok: true, target, landsAt, text: real === target ? 'an existing folder: the item is added to it' : `a link to ${real}: restoring there`};
}

/** One entry of the snapshot compared with what is on disk at its original place. */
export interface LiveEntry {
	path: string;
	type: 'file' | 'dir' | 'symlink' | 'other';
	/** missing: created; same: same size and time on disk; differs: replaced with the snapshot's; kind: a file on disk where the snapshot has a folder (or the other way round): refused; link: a symbolic link on disk: refused. */
	status: 'missing' | 'same' | 'differs' | 'kind' | 'link';
}

/** The snapshot's item compared with the live file system at its original place. */
export interface LiveComparison {
	/** Entries that exist on disk, differing ones first, then identical ones (capped at `limit`). */
	existing: LiveEntry[];
	/** Counts over every entry (not capped); folders that exist on disk are not counted. */
	counts: Record<LiveEntry['status'], number>;
	/** Why restoring to the original place is refused (a link or a file/folder clash on the way), if it is. */
	blocked?: string;
}

const statusOrder: Record<LiveEntry['status'], number> = {link: 0, kind: 1, differs: 2, same: 3, missing: 4};

/**
 * List the item (`restic ls`) and compare each entry with the disk: which files would be replaced,
 * which differ from the snapshot, which are new. Links on the way block the restore (restic 0.14
 * writes through them); the restore itself re-checks everything before it writes.
 */
export async function compareWithLive(client: ResticClient, snapshotId: string, item: string, signal?: AbortSignal, limit = 5000): Promise<LiveComparison> {
	const counts: LiveComparison['counts'] = {missing: 0, same: 0, differs: 0, kind: 0, link: 0};
	const existing: LiveEntry[] = [];
	let blocked: string | undefined;
	const onWay = linkOnPath('/', path.posix.dirname(item));
	if (onWay) blocked = `${onWay.link} is a symbolic link (to ${onWay.pointsTo}): the restore would write through it`;
	const below = `${item === '/' ? '' : item}/`;
	await client.ls(
		snapshotId,
		{dir: item === '/' ? undefined : item, recursive: true},
		node => {
			if (node.path !== item && !node.path.startsWith(below)) return;
			const type = node.type;
			const st = lstatSync(node.path, {throwIfNoEntry: false});
			let status: LiveEntry['status'];
			if (!st) status = 'missing';
			else if (st.isSymbolicLink() && type !== 'symlink') status = 'link';
			else if ((type === 'dir') !== st.isDirectory()) status = 'kind';
			else if (type === 'dir') status = 'same';
			else if (type === 'file') status = st.isFile() && st.size === node.size && Math.abs(st.mtimeMs - node.mtime) < 1000 ? 'same' : 'differs';
			else status = 'differs';
			// Folders that exist are no news: the files in them are what gets replaced.
			if (type === 'dir' && status === 'same') return;
			counts[status]++;
			if (status === 'link' && !blocked) blocked = `${node.path} is a symbolic link on disk: the restore would write through it`;
			if (status === 'kind' && !blocked) blocked = `${node.path} is ${st!.isDirectory() ? 'a folder' : 'a file'} on disk but ${type === 'dir' ? 'a folder' : 'a file'} in the snapshot`;
			if (status !== 'missing' && existing.length < limit) existing.push({path: node.path, type, status});
		},
		signal,
	);
	existing.sort((a, b) => statusOrder[a.status] - statusOrder[b.status]);
	return {existing, counts, blocked};
}
