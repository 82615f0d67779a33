/**
 * Marked paths for a multi-item restore, per repository: each mark remembers the snapshot (version)
 * it was made on. Lives outside React so marks survive moving between folders and screens.
 */
import {Observable} from '../store/store.js';
import type {PlanItem} from './plan.js';

/** One mark. */
export interface Mark extends PlanItem {
	/** What the user saw: a folder or a file, and when that snapshot was taken. */
	folder: boolean;
	snapshotTime: number;
	shortId: string;
}

/** The marks of one repository, keyed by path (one version per path). */
export class MarkStore extends Observable<ReadonlyMap<string, Mark>> {
	constructor() {
		super(new Map());
	}

	/** Mark a path in a snapshot, or unmark it when it is marked already in that snapshot. */
	toggle(mark: Mark): boolean {
		const next = new Map(this.getSnapshot());
		const had = next.get(mark.path);
		if (had && had.snapshot === mark.snapshot) next.delete(mark.path);
		else next.set(mark.path, mark);
		this.set(next);
		return next.has(mark.path);
	}

	remove(path: string): void {
		const next = new Map(this.getSnapshot());
		next.delete(path);
		this.set(next);
	}

	clear(): void {
		this.set(new Map());
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
	if (!s) stores.set(repo, (s = new MarkStore()));
	return s;
}
