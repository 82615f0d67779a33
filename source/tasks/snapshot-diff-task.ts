/** A snapshot diff streamed from `restic diff` into a DiffTree, outside React (≤ 10 updates a second). */
import type {ResticClient} from '../restic/client.js';
import type {DiffStatistics} from '../restic/diff.js';
import {Observable} from '../store/store.js';
import {DiffTree} from '../union/diff-tree.js';

export interface DiffTaskState {
	phase: 'running' | 'done' | 'error';
	/** Changes received so far (the tree object is reused: watch this to re-render). */
	changes: number;
	statistics?: DiffStatistics;
	error?: string;
}

export class DiffTask extends Observable<DiffTaskState> {
	readonly tree = new DiffTree();
	private readonly controller = new AbortController();

	constructor(client: ResticClient, source: string, target: string) {
		super({phase: 'running', changes: 0});
		let count = 0;
		let last = 0;
		client
			.diff(
				source,
				target,
				change => {
					this.tree.add(change);
					count++;
					const now = Date.now();
					if (now - last >= 100) {
						last = now;
						this.set({...this.getSnapshot(), changes: count});
					}
				},
				this.controller.signal,
			)
			.then(
				statistics => this.set({phase: 'done', changes: count, statistics}),
				(error: unknown) => {
					if (!this.controller.signal.aborted) this.set({phase: 'error', changes: count, error: (error as Error).message});
				},
			);
	}

	cancel(): void {
		this.controller.abort();
	}
}
