/**
 * A snapshot diff as a tree: the changed paths of `restic diff` (or any change list) arranged by
 * folder, with added / removed / changed / metadata-only counts of everything below each folder.
 * Pure: no restic, no fs.
 */
import type {DiffChange} from '../restic/diff.js';

/** Counts of changed entries (files and folders) below a folder. */
export interface DiffCounts {
	added: number;
	removed: number;
	/** Content or type changed. */
	changed: number;
	/** Only metadata (mode, mtime, owner) changed. */
	metadata: number;
}

/** One row of a folder in the diff tree. */
export interface DiffRow {
	path: string;
	name: string;
	/** The change of this path itself (undefined for a folder that only holds changes). */
	change?: DiffChange;
	/** Has changed entries below it. */
	hasChildren: boolean;
	/** Counts below it (zero for files). */
	below: DiffCounts;
}

const zero = (): DiffCounts => ({added: 0, removed: 0, changed: 0, metadata: 0});

function parentOf(p: string): string {
	const i = p.lastIndexOf('/');
	return i <= 0 ? '/' : p.slice(0, i);
}

function bucket(c: DiffChange): keyof DiffCounts {
	if (c.kind === 'added') return 'added';
	if (c.kind === 'removed') return 'removed';
	return c.content || c.typeChanged ? 'changed' : 'metadata';
}

/** The diff of two snapshots arranged by folder. */
export class DiffTree {
	private readonly changes = new Map<string, DiffChange>();
	private readonly below = new Map<string, DiffCounts>();
	private readonly kids = new Map<string, Set<string>>();
	readonly total: DiffCounts = zero();

	constructor(changes: Iterable<DiffChange> = []) {
		for (const c of changes) this.add(c);
	}

	/** Add one change (as restic streams them). */
	add(c: DiffChange): void {
		if (this.changes.has(c.path)) return;
		this.changes.set(c.path, c);
		const key = bucket(c);
		this.total[key]++;
		let child = c.path;
		// Every ancestor counts it, and knows the child on the way down to it.
		for (;;) {
			const up = parentOf(child);
			let counts = this.below.get(up);
			if (!counts) this.below.set(up, (counts = zero()));
			counts[key]++;
			let set = this.kids.get(up);
			if (!set) this.kids.set(up, (set = new Set()));
			set.add(child);
			if (up === '/') break;
			child = up;
		}
	}

	/** Counts below a folder. */
	countsBelow(folder: string): DiffCounts {
		return this.below.get(normal(folder)) ?? zero();
	}

	/** The change of one path, if it changed itself. */
	changeOf(p: string): DiffChange | undefined {
		return this.changes.get(normal(p));
	}

	/** Rows of a folder: folders holding changes first, then by name. */
	list(folder: string): DiffRow[] {
		const set = this.kids.get(normal(folder));
		if (!set) return [];
		const rows: DiffRow[] = [...set].map(p => ({
			path: p,
			name: p.slice(p.lastIndexOf('/') + 1),
			change: this.changes.get(p),
			hasChildren: this.kids.has(p),
			below: this.below.get(p) ?? zero(),
		}));
		return rows.sort((a, b) => Number(b.hasChildren) - Number(a.hasChildren) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	}

	/** Every folder holding changes with its counts, in path order. */
	folders(): Array<{path: string} & DiffCounts> {
		return [...this.below.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, c]) => ({path, ...c}));
	}

	/** Every change, in path order. */
	all(): DiffChange[] {
		return [...this.changes.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
	}
}

function normal(p: string): string {
	if (p === '' || p === '/') return '/';
	return p.replace(/\/+$/, '');
}
