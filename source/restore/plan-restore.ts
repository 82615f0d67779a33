/**
 * Run a restore plan: several paths, each from its own snapshot, in one run with one `restic restore`
 * per snapshot (an --include per path).
 *
 * - restic writes only into a fresh staging folder inside the target (nothing there can be a symlink
 *   planted beforehand); each item is verified there against `restic ls` (sizes, file count) and only
 *   then moved into place. The way into place is walked with lstat, and a symlink on it is refused, so
 *   a restore never writes through a link to outside the target.
 * - A path whose name is not valid UTF-8 (restic prints U+FFFD for each bad byte) is included with a
 *   pattern (`?` per bad byte) and found in the staging folder by decoding names as restic does, so the
 *   restored name has the original bytes.
 * - Per-item results: a forgotten snapshot, a path not in its snapshot, an existing file without
 *   overwrite, a full disk or a size mismatch fail that item (or that snapshot's items) and say why;
 *   the others still restore. A `.resto-incomplete` marker stays in the target unless every item made it.
 */
import {lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {ResticClient} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import type {Snapshot} from '../restic/parse.js';
import {goLossyDecode, includePattern, isWithin, placeItems, type PlannedItem, type RestorePlan} from '../union/plan.js';
import {incompleteMarker} from './restore.js';
import {assertNoLinks, createFreshFolder, makeFolders, moveIntoPlace, targetWriteError} from './safe-paths.js';
import {defaultPlanTarget} from './target.js';

/** Progress of a plan run. */
export interface PlanProgress {
	phase: 'checking' | 'restoring' | 'verifying' | 'moving' | 'done';
	snapshotsDone: number;
	snapshotsTotal: number;
	/** Short id of the snapshot being restored. */
	snapshot?: string;
	text: string;
}

/** The outcome of one item. */
export interface PlanItemResult {
	index: number;
	snapshot: string;
	path: string;
	status: 'restored' | 'failed' | 'skipped';
	/** Where it is (or would have been) on disk. Names with invalid UTF-8 are shown with U+FFFD. */
	destination: string;
	files: number;
	bytes: number;
	/** Something was at the destination and was replaced (overwrite). */
	replaced: boolean;
	error?: string;
	/** Files whose restored size differs from the snapshot's. */
	mismatches?: Array<{path: string; expected: number; restored: number}>;
}

export interface PlanRunResult {
	target: string;
	items: PlanItemResult[];
	ok: boolean;
}

export interface PlanRunOptions {
	target?: string;
	/** Where the default new folder is created (restoreRoot: the configured restoreTarget or ~/resto-restore). */
	root?: string;
	overwrite?: boolean;
	signal?: AbortSignal;
	onProgress?: (p: PlanProgress) => void;
	/** Snapshots already known (saves a `restic snapshots`). */
	snapshots?: Snapshot[];
}

/** A planned item with where it lands and whether something is there already (for the plan screen). */
export interface PlanPreviewItem extends PlannedItem {
	destination: string;
	/** Something exists at the destination (replaced only with overwrite). */
	replaces: boolean;
	/** Why the item cannot run (its snapshot is gone). */
	problem?: string;
}

export {defaultPlanTarget} from './target.js';

function resolveIds(plan: RestorePlan, snapshots: Snapshot[]): {resolve: (id: string) => string; problems: Map<string, string>} {
	const problems = new Map<string, string>();
	const full = new Map<string, string>();
	for (const item of plan.items) {
		if (full.has(item.snapshot) || problems.has(item.snapshot)) continue;
		const matches = snapshots.filter(s => s.id.startsWith(item.snapshot));
		if (matches.length === 1) full.set(item.snapshot, matches[0]!.id);
		else problems.set(item.snapshot, matches.length === 0 ? `snapshot ${item.snapshot.slice(0, 8)} is no longer in the repository (forgotten or pruned since the plan was made)` : `snapshot prefix ${item.snapshot} is ambiguous`);
	}
	return {resolve: id => full.get(id) ?? id, problems};
}

function exists(p: string | Buffer): boolean {
	try {
		lstatSync(p);
		return true;
	} catch {
		return false;
	}
}

/** Where each item goes and what it would replace. */
export async function previewPlan(client: ResticClient, plan: RestorePlan, options: {target: string; snapshots?: Snapshot[]; signal?: AbortSignal}): Promise<PlanPreviewItem[]> {
	const snapshots = options.snapshots ?? (await client.snapshots(undefined, options.signal));
	const {resolve, problems} = resolveIds(plan, snapshots);
	const target = path.resolve(options.target);
	return placeItems(plan.items, resolve).map(item => {
		const destination = path.join(target, item.relative);
		const problem = problems.get(plan.items[item.index]!.snapshot);
		return {...item, destination, replaces: item.coveredBy === undefined && exists(destination), ...(problem ? {problem} : {})};
	});
}

/** The nearest ancestor-or-self of `p` that restic can address by name (no U+FFFD in it). */
function addressable(p: string): string {
	const i = p.indexOf('\ufffd');
	if (i < 0) return p;
	const cut = p.lastIndexOf('/', i);
	return cut <= 0 ? '/' : p.slice(0, cut);
}

/** What the snapshot holds at and below `p`: file sizes by path (as restic prints them). */
async function expectedBelow(client: ResticClient, snapshotId: string, p: string, signal?: AbortSignal): Promise<{found: boolean; files: Map<string, number>; others: number}> {
	const files = new Map<string, number>();
	let found = false;
	let others = 0;
	const dir = addressable(p);
	await client.ls(
		snapshotId,
		{dir: dir === '/' ? undefined : dir, recursive: true},
		node => {
			if (!isWithin(node.path, p)) return;
			found = true;
			if (node.type === 'file') files.set(node.path, (files.get(node.path) ?? 0) + node.size);
			else if (node.type !== 'dir') others++;
		},
		signal,
	);
	return {found, files, others};
}

/** The staged paths (raw bytes) whose names decode to `p`'s components (several when names differ only in bad bytes). */
function stagedMatches(staging: Buffer, p: string): Buffer[] {
	let current: Buffer[] = [staging];
	for (const part of p.split('/').filter(Boolean)) {
		const next: Buffer[] = [];
		for (const dir of current) {
			if (!part.includes('\ufffd')) {
				const candidate = Buffer.concat([dir, Buffer.from(`/${part}`)]);
				if (exists(candidate)) next.push(candidate);
				continue;
			}
			let names: Buffer[];
			try {
				names = readdirSync(dir, {encoding: 'buffer'});
			} catch {
				continue;
			}
			for (const name of names) if (goLossyDecode(name) === part) next.push(Buffer.concat([dir, Buffer.from('/'), name]));
		}
		current = next;
	}
	return current.filter(c => c !== staging);
}

/** Regular files below a staged path, keyed by their snapshot path (decoded as restic prints names). */
function stagedFiles(staging: Buffer, p: Buffer, into: Map<string, number>): {files: number; bytes: number} {
	const st = lstatSync(p);
	if (!st.isDirectory()) {
		const key = goLossyDecode(p.subarray(staging.length));
		if (st.isFile()) into.set(key, (into.get(key) ?? 0) + st.size);
		return {files: 1, bytes: st.isFile() ? st.size : 0};
	}
	let files = 0;
	let bytes = 0;
	for (const name of readdirSync(p, {encoding: 'buffer'})) {
		const sub = stagedFiles(staging, Buffer.concat([p, Buffer.from('/'), name]), into);
		files += sub.files;
		bytes += sub.bytes;
	}
	return {files, bytes};
}

/**
 * Remove from the staging folder what restic restored beyond the plan: a `?` in an include pattern
 * also matches a name with another character there. Keeps the matches and the folders above them.
 */
function prune(dir: Buffer, keep: readonly Buffer[]): void {
	for (const name of readdirSync(dir, {encoding: 'buffer'})) {
		const p = Buffer.concat([dir, Buffer.from('/'), name]);
		if (keep.some(k => k.equals(p))) continue;
		const prefix = Buffer.concat([p, Buffer.from('/')]);
		if (keep.some(k => k.length > prefix.length && k.subarray(0, prefix.length).equals(prefix))) prune(p, keep);
		else rmSync(p, {recursive: true, force: true});
	}
}

const fullDisk = /no space left on device|disk quota exceeded/i;

/** Restore every item of a plan; never throws for a per-item problem (see each item's status). */
export async function runRestorePlan(client: ResticClient, plan: RestorePlan, options: PlanRunOptions = {}): Promise<PlanRunResult> {
	const progress = (p: PlanProgress) => options.onProgress?.(p);
	progress({phase: 'checking', snapshotsDone: 0, snapshotsTotal: 0, text: 'checking the plan against the repository'});
	const snapshots = options.snapshots ?? (await client.snapshots(undefined, options.signal));
	const {resolve, problems} = resolveIds(plan, snapshots);
	const planned = placeItems(plan.items, resolve);
	let target = path.resolve(options.target ?? defaultPlanTarget({root: options.root}));
	// A default target is a new folder, never an existing one (two plans in one second get -2).
	if (options.target === undefined) target = createFreshFolder(target);
	const results: PlanItemResult[] = planned.map(item => ({index: item.index, snapshot: item.snapshot, path: item.path, status: 'restored', destination: path.join(target, item.relative), files: 0, bytes: 0, replaced: false}));
	const fail = (i: number, error: string, status: 'failed' | 'skipped' = 'failed') => {
		results[i]!.status = status;
		results[i]!.error = error;
	};
	for (const item of planned) {
		const problem = problems.get(plan.items[item.index]!.snapshot);
		if (problem) fail(item.index, problem);
		else if (item.coveredBy === undefined && !options.overwrite && !item.path.includes('\ufffd') && exists(results[item.index]!.destination)) {
			fail(item.index, `${results[item.index]!.destination} already exists; allow overwriting (--overwrite) or pick another target`, 'skipped');
		}
	}
	const groups = new Map<string, PlannedItem[]>();
	for (const item of planned) {
		if (item.coveredBy !== undefined || results[item.index]!.error) continue;
		groups.set(item.snapshot, [...(groups.get(item.snapshot) ?? []), item]);
	}
	if (groups.size > 0) {
		try {
			makeFolders(target);
			writeFileSync(path.join(target, incompleteMarker), `restore plan of ${plan.items.length} items started ${new Date().toISOString()}; not complete\n`);
		} catch (error) {
			const e = targetWriteError(error, target) as Error;
			for (const items of groups.values()) for (const item of items) fail(item.index, e.message);
			groups.clear();
		}
	}
	let done = 0;
	let canceled = false;
	for (const [snapshotId, items] of groups) {
		const short = snapshotId.slice(0, 8);
		if (canceled || options.signal?.aborted) {
			canceled = true;
			for (const item of items) fail(item.index, 'canceled before it started');
			continue;
		}
		// What each item holds in the snapshot, to verify against.
		const expected = new Map<number, {files: Map<string, number>; others: number}>();
		try {
			for (const item of items) {
				const e = await expectedBelow(client, snapshotId, item.path, options.signal);
				if (!e.found) fail(item.index, `${item.path} is not in snapshot ${short}`);
				else expected.set(item.index, e);
			}
		} catch (error) {
			for (const item of items) if (!results[item.index]!.error) fail(item.index, (error as Error).message);
			if (options.signal?.aborted) canceled = true;
			continue;
		}
		const runnable = items.filter(item => expected.has(item.index));
		if (runnable.length === 0) continue;
		progress({phase: 'restoring', snapshotsDone: done, snapshotsTotal: groups.size, snapshot: short, text: `restoring ${runnable.length} item${runnable.length === 1 ? '' : 's'} from ${short}`});
		let staging: string;
		try {
			staging = mkdtempSync(path.join(target, '.resto-staging-'));
		} catch (error) {
			const message = fullDisk.test((error as Error).message) ? `the disk holding ${target} is full` : (error as Error).message;
			for (const item of runnable) fail(item.index, message);
			continue;
		}
		const stagingBuf = Buffer.from(staging);
		try {
			try {
				await client.restore(snapshotId, {target: staging, include: runnable.map(i => includePattern(i.path))}, undefined, options.signal);
			} catch (error) {
				const text = `${(error as Error).message}\n${error instanceof ResticError ? (error.stderr ?? '') : ''}`;
				if (options.signal?.aborted) canceled = true;
				const message = fullDisk.test(text) ? `the disk holding ${target} is full: nothing of snapshot ${short} was put in place (free some space or pick another target)` : canceled ? 'canceled' : (error as Error).message;
				for (const item of runnable) fail(item.index, message);
				continue;
			}
			progress({phase: 'verifying', snapshotsDone: done, snapshotsTotal: groups.size, snapshot: short, text: `verifying what came from ${short}`});
			const moving: Array<{item: PlannedItem; found: Buffer[]}> = [];
			for (const item of runnable) {
				const r = results[item.index]!;
				const found = stagedMatches(stagingBuf, item.path);
				if (found.length === 0) {
					fail(item.index, `restic restored nothing for ${item.path}`);
					continue;
				}
				const staged = new Map<string, number>();
				let files = 0;
				let bytes = 0;
				for (const f of found) {
					const s = stagedFiles(stagingBuf, f, staged);
					files += s.files;
					bytes += s.bytes;
				}
				const want = expected.get(item.index)!;
				const mismatches: NonNullable<PlanItemResult['mismatches']> = [];
				for (const [p, size] of want.files) {
					const got = staged.get(p) ?? -1;
					if (got !== size) mismatches.push({path: p, expected: size, restored: got});
				}
				r.files = files;
				r.bytes = bytes;
				if (mismatches.length) {
					r.mismatches = mismatches.slice(0, 20);
					fail(item.index, `${mismatches.length} file${mismatches.length === 1 ? '' : 's'} restored with the wrong size (or missing)`);
					continue;
				}
				moving.push({item, found});
			}
			// Only the verified items stay in the staging folder, then each goes into place through
			// moveIntoPlace (merges into existing folders, never follows a link, replaces only with overwrite).
			prune(
				stagingBuf,
				moving.flatMap(m => m.found),
			);
			for (const {item, found} of moving) {
				const r = results[item.index]!;
				progress({phase: 'moving', snapshotsDone: done, snapshotsTotal: groups.size, snapshot: short, text: `putting ${item.path} in place`});
				try {
					// Moved already, with an item next to it in the same folder.
					if (!found.every(f => exists(f))) continue;
					let root = target;
					if (item.relative !== item.path) {
						assertNoLinks(target, [`/${short}`]);
						root = path.join(target, short);
						makeFolders(root);
					}
					r.replaced = !item.path.includes('\ufffd') && exists(path.join(root, item.path));
					moveIntoPlace(staging, root, addressable(item.path), Boolean(options.overwrite), new Set());
				} catch (error) {
					const e = targetWriteError(error, target) as Error;
					r.replaced = false;
					fail(item.index, fullDisk.test(e.message) ? `the disk holding ${target} is full` : e.message);
				}
			}
		} finally {
			rmSync(staging, {recursive: true, force: true});
		}
		done++;
	}
	// Items inside another item of the same snapshot came with it.
	for (const item of planned) {
		if (item.coveredBy === undefined) continue;
		const cover = results[item.coveredBy]!;
		const r = results[item.index]!;
		if (r.error) continue;
		if (cover.status !== 'restored') fail(item.index, `part of item ${item.coveredBy + 1}, which failed: ${cover.error}`);
		else {
			const p = Buffer.from(r.destination);
			if (exists(p)) {
				const s = stagedFiles(p, p, new Map());
				r.files = s.files;
				r.bytes = s.bytes;
			}
			r.error = undefined;
		}
	}
	const ok = results.every(r => r.status === 'restored');
	if (ok && groups.size > 0) rmSync(path.join(target, incompleteMarker), {force: true});
	progress({phase: 'done', snapshotsDone: done, snapshotsTotal: groups.size, text: ok ? `restored ${results.length} item${results.length === 1 ? '' : 's'} into ${target}` : 'finished with errors'});
	return {target, items: results, ok};
}
