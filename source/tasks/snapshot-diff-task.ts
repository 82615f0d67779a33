/**
 * A snapshot diff streamed from `restic diff` (or, for target "live", from the snapshot against the
 * files on disk) into a DiffTree, outside React (≤ 10 updates a second).
 */
import type {ResticClient} from '../restic/client.js';
import type {DiffChange, DiffStatistics} from '../restic/diff.js';
import {Observable} from '../store/store.js';
import {DiffTree} from '../union/diff-tree.js';
import {diffLive, type LiveDiffStatistics, type LiveExcludes} from '../union/live-diff.js';

/** The target that means the files on disk now. */
export const liveTarget = 'live';

export interface DiffTaskState {
	phase: 'running' | 'done' | 'error';
	/** Changes received so far (the tree object is reused: watch this to re-render). */
	changes: number;
	statistics?: DiffStatistics;
	live?: LiveDiffStatistics;
	/** Live diff: listing the snapshot, then walking the disk. */
	step?: 'listing' | 'walking';
	error?: string;
}

export class DiffTask extends Observable<DiffTaskState> {
	readonly tree = new DiffTree();
	private readonly controller = new AbortController();

	/** `excludesOf` gives the backup set's excludes for a snapshot's paths (live diff only). */
	constructor(client: ResticClient, source: string, target: string, excludesOf?: (paths: readonly string[]) => LiveExcludes | undefined) {
		super({phase: 'running', changes: 0});
		let count = 0;
		let last = 0;
		const onChange = (change: DiffChange) => {
			this.tree.add(change);
			count++;
			const now = Date.now();
			if (now - last >= 100) {
				last = now;
				this.set({...this.getSnapshot(), changes: count});
			}
		};
		const failed = (error: unknown) => {
			if (!this.controller.signal.aborted) this.set({phase: 'error', changes: count, error: (error as Error).message});
		};
		if (target === liveTarget) {
			const signal = this.controller.signal;
			client
				.snapshots({}, signal)
				.then(all => {
					const snap = all.find(s => s.id === source || s.id.startsWith(source));
					if (!snap) throw new Error(`snapshot ${source.slice(0, 8)} is not in the repository (forgotten?)`);
					return diffLive(client, snap, {signal, onChange, exclude: excludesOf?.(snap.paths), onProgress: p => this.set({...this.getSnapshot(), step: p.phase})});
				})
				.then(live => this.set({phase: 'done', changes: count, live}), failed);
			return;
		}
		client.diff(source, target, onChange, this.controller.signal).then(statistics => this.set({phase: 'done', changes: count, statistics}), failed);
	}

	cancel(): void {
		this.controller.abort();
	}
}
