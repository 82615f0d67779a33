/**
 * Marked paths for a multi-item restore, per repository: each mark remembers the snapshot (version)
 * it was made on and what the path was there. Lives outside React so marks survive moving between
 * folders and screens, and every screen (union tree, search, snapshot tree, timelines) adds to the same
 * store; the header counts them all.
 */
import {Observable} from '../store/store.js';
import type {PlanItem} from './plan.js';

/** One mark. */
export interface Mark extends PlanItem {
	/** What the path was in that snapshot. */
	type: 'file' | 'dir' | 'symlink' | 'other';
	/** A folder: it comes back with everything below it. */
	folder: boolean;
	snapshotTime: number;
	shortId: string;
}

/** Marks per repository name, as counts (for the header on every screen). */
class MarkCounts extends Observable<ReadonlyMap<string, number>> {
	constructor() {
		super(new Map());
	}

	update(repo: string, count: number): void {
		if ((this.getSnapshot().get(repo) ?? 0) === count) return;
		const next = new Map(this.getSnapshot());
		if (count) next.set(repo, count);
		else next.delete(repo);
		this.set(next);
	}
}

/** How many marks each repository has (only repositories with marks appear). */
export const markCounts = new MarkCounts();

/** The marks of one repository, keyed by path (one version per path). */
export class MarkStore extends Observable<ReadonlyMap<string, Mark>> {
	constructor(private readonly repo = '') {
		super(new Map());
	}

	private put(next: Map<string, Mark>): void {
		this.set(next);
		if (this.repo) markCounts.update(this.repo, next.size);
	}

	/** Mark a path in a snapshot, or unmark it when it is marked already in that snapshot. */
	toggle(mark: Mark): boolean {
		const next = new Map(this.getSnapshot());
		const had = next.get(mark.path);
		if (had && had.snapshot === mark.snapshot) next.delete(mark.path);
		else next.set(mark.path, mark);
		this.put(next);
		return next.has(mark.path);
	}

	/** The mark of a path, if any (in whichever snapshot). */
	get(path: string): Mark | undefined {
		return this.getSnapshot().get(path);
	}

	remove(path: string): void {
		if (!this.getSnapshot().has(path)) return;
		const next = new Map(this.getSnapshot());
		next.delete(path);
		this.put(next);
	}

	clear(): void {
		if (this.getSnapshot().size) this.put(new Map());
	}

	/** The marks as plan items, in path order. */
	items(): Mark[] {
		return [...this.getSnapshot().values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
	}
}

const stores = new Map<string, MarkStore>();

/** The mark store of a repository (by its configured name). */
export function marksFor(repo: string): MarkStore {
	let s = stores.get(repo);
	if (!s) stores.set(repo, (s = new MarkStore(repo)));
	return s;
}

/** Clear the marks of every repository; returns how many there were. */
export function clearAllMarks(): number {
	let n = 0;
	for (const s of stores.values()) {
		n += s.getSnapshot().size;
		s.clear();
	}
	return n;
}

/** The glyph a row shows for its mark: ● marked in this version, ○ marked in another snapshot. */
export function markGlyph(mark: Mark | undefined, snapshot?: string): string {
	if (!mark) return ' ';
	// Routes may carry a short id, marks the full one.
	return snapshot === undefined || mark.snapshot.startsWith(snapshot) || snapshot.startsWith(mark.snapshot) ? '●' : '○';
}
