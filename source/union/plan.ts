/**
 * Restore plans (pure): several paths, each from the snapshot it was marked in, restored in one run.
 * The file format of `resto restore --plan FILE.json` is `{"items": [{"snapshot": ID, "path": PATH}, …]}`.
 * Where each item goes is decided here, so the plan screen and the run agree.
 */
import path from 'node:path';

/** One marked path and the snapshot (version) it comes from. */
export interface PlanItem {
	/** Snapshot id (full, or a unique prefix of at least 8 hex digits). */
	snapshot: string;
	/** Absolute path inside the snapshot, as `restic ls --json` prints it. */
	path: string;
}

/** A plan as read from a file. */
export interface RestorePlan {
	items: PlanItem[];
}

/** Thrown for a plan file that cannot be used at all (each problem named with its item). */
export class PlanError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PlanError';
	}
}

const idPattern = /^[0-9a-f]{8,64}$/;

/** Validate a parsed plan document; every problem is reported with its item number. */
export function parsePlan(value: unknown): RestorePlan {
	const items = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as {items?: unknown}).items : undefined;
	if (!Array.isArray(items)) throw new PlanError('a plan is {"items": [{"snapshot": ID, "path": PATH}, …]}');
	if (items.length === 0) throw new PlanError('the plan has no items');
	const problems: string[] = [];
	const out: PlanItem[] = [];
	for (const [i, raw] of items.entries()) {
		const o = (raw ?? {}) as {snapshot?: unknown; path?: unknown};
		const snapshot = typeof o.snapshot === 'string' ? o.snapshot.toLowerCase() : '';
		const p = typeof o.path === 'string' ? o.path : '';
		if (!idPattern.test(snapshot)) problems.push(`item ${i + 1}: "snapshot" must be a snapshot id (8–64 hex digits)`);
		else if (!p.startsWith('/') || p.includes('\0') || p.split('/').some(c => c === '..' || c === '.')) problems.push(`item ${i + 1}: "path" must be an absolute path inside the snapshot`);
		else out.push({snapshot, path: p.length > 1 ? p.replace(/\/+$/, '') : p});
	}
	if (problems.length) throw new PlanError(problems.join('; '));
	return {items: out};
}

/** Parse a plan file's text. */
export function parsePlanText(text: string): RestorePlan {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		throw new PlanError(`not JSON: ${(error as Error).message}`);
	}
	return parsePlan(value);
}

/** Is `inner` the same path as `outer` or below it? */
export function isWithin(inner: string, outer: string): boolean {
	return outer === '/' || inner === outer || inner.startsWith(`${outer}/`);
}

/** Where a planned item lands. */
export interface PlannedItem extends PlanItem {
	/** Position in the plan. */
	index: number;
	/** Path relative to the target where it is restored. */
	relative: string;
	/** Covered by another item of the same snapshot (restored with it). */
	coveredBy?: number;
}

/**
 * Decide where each item goes below the target: at its own path, unless another item from a
 * different snapshot would land on it or around it (two versions of one file, a folder and a file in
 * it from another snapshot); then the later item in the plan goes below `<short id>/` instead, so
 * nothing in a plan overwrites another part of the same plan.
 */
export function placeItems(items: readonly PlanItem[], resolve: (id: string) => string = id => id): PlannedItem[] {
	const out: PlannedItem[] = [];
	for (const [index, item] of items.entries()) {
		const snapshot = resolve(item.snapshot);
		// Inside (or around) an item of the same snapshot: it goes where that one goes.
		const kin = out.find(o => o.snapshot === snapshot && (isWithin(item.path, o.path) || isWithin(o.path, item.path)));
		let relative: string;
		if (kin) relative = kin.relative === kin.path ? item.path : path.posix.join('/', snapshot.slice(0, 8), item.path);
		else {
			const clash = out.some(o => o.snapshot !== snapshot && (isWithin(item.path, o.relative) || isWithin(o.relative, item.path)));
			relative = clash ? path.posix.join('/', snapshot.slice(0, 8), item.path) : item.path;
		}
		out.push({...item, snapshot, index, relative});
	}
	// An item inside another item of the same snapshot and place is restored with it.
	for (const a of out) {
		const cover = out.find(o => o !== a && o.snapshot === a.snapshot && isWithin(a.relative, o.relative) && (o.relative !== a.relative || o.index < a.index));
		if (cover) {
			let top = cover;
			while (true) {
				const up = out.find(o => o !== top && o.snapshot === top.snapshot && isWithin(top.relative, o.relative) && (o.relative !== top.relative || o.index < top.index));
				if (!up) break;
				top = up;
			}
			a.coveredBy = top.index;
		}
	}
	return out;
}

/**
 * restic prints each invalid UTF-8 byte of a name as U+FFFD, so such a path cannot name the file.
 * As an include pattern, `?` matches exactly one such byte (restic matches patterns with Go's
 * filepath.Match, which steps over an invalid byte as one character), so the pattern reaches the file
 * without restoring its whole folder; names that differ only there are told apart after the restore.
 */
export function includePattern(p: string): string {
	return p.replace(/[\\*?[\]]/g, ch => `\\${ch}`).replace(/\ufffd/g, '?');
}

/**
 * Decode bytes as Go does when it writes JSON: each byte that does not start a valid UTF-8 sequence
 * becomes one U+FFFD (WHATWG decoding, Buffer#toString, may merge several into one).
 */
export function goLossyDecode(bytes: Uint8Array): string {
	let out = '';
	let i = 0;
	const n = bytes.length;
	while (i < n) {
		const b = bytes[i]!;
		if (b < 0x80) {
			out += String.fromCharCode(b);
			i++;
			continue;
		}
		let need = 0;
		let cp = 0;
		let min = 0;
		if (b >= 0xc2 && b <= 0xdf) {
			need = 1;
			cp = b & 0x1f;
			min = 0x80;
		} else if (b >= 0xe0 && b <= 0xef) {
			need = 2;
			cp = b & 0x0f;
			min = 0x800;
		} else if (b >= 0xf0 && b <= 0xf4) {
			need = 3;
			cp = b & 0x07;
			min = 0x10000;
		}
		let ok = need > 0 && i + need < n;
		if (ok) {
			for (let k = 1; k <= need; k++) {
				const c = bytes[i + k];
				if (c === undefined || (c & 0xc0) !== 0x80) {
					ok = false;
					break;
				}
				cp = (cp << 6) | (c & 0x3f);
			}
		}
		if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
		if (!ok) {
			out += '\ufffd';
			i++;
			continue;
		}
		out += String.fromCodePoint(cp);
		i += need + 1;
	}
	return out;
}
