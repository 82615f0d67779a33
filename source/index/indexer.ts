/**
 * Builds and refreshes a repository's FileIndex: reopens the on-disk cache, drops forgotten snapshots,
 * then streams `restic ls` for each new snapshot, newest first, reporting progress. The index is
 * searchable the whole time. A listing that fails or is cancelled is dropped, never cached as complete.
 */
import type {ResticClient} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import type {Snapshot} from '../restic/parse.js';
import {Observable} from '../store/store.js';
import {loadCache, saveCache} from './cache.js';
import {FileIndex} from './file-index.js';

export interface IndexProgress {
	phase: 'idle' | 'loading' | 'listing' | 'saving' | 'done' | 'error' | 'canceled';
	snapshotsDone: number;
	snapshotsTotal: number;
	/** Entries listed in this run. */
	entries: number;
	entriesPerSecond: number;
	etaSeconds?: number;
	current?: string;
	fromCache: number;
	/** Snapshots of this run whose root tree was already indexed (no `restic ls`). */
	shared?: number;
	message?: string;
	warning?: string;
	startedAt: number;
}

export class RepoIndexer extends Observable<IndexProgress> {
	index = new FileIndex();
	repoId: string | undefined;
	private running: Promise<FileIndex> | undefined;
	private controller: AbortController | undefined;

	constructor(
		private readonly client: ResticClient,
		private readonly options: {cacheDir?: string; saveEveryMs?: number; notifyMs?: number} = {},
	) {
		super({phase: 'idle', snapshotsDone: 0, snapshotsTotal: 0, entries: 0, entriesPerSecond: 0, fromCache: 0, shared: 0, startedAt: Date.now()});
	}

	/** Bring the index up to date (joins a run in progress). */
	update(signal?: AbortSignal): Promise<FileIndex> {
		// A canceled run may still be stopping restic (leave search, reopen it at once): joining it
		// would end the new request as "canceled" with nothing indexed. Start afresh after it.
		if (!this.running || this.controller?.signal.aborted) {
			const previous = this.running?.catch(() => undefined);
			const controller = new AbortController();
			this.controller = controller;
			const run: Promise<FileIndex> = (async () => {
				await previous;
				return this.run(controller.signal);
			})().finally(() => {
				if (this.running === run) this.running = undefined;
			});
			this.running = run;
		}
		if (signal) signal.addEventListener('abort', () => this.cancel(), {once: true});
		return this.running;
	}

	/** Stop listing (SIGINT to restic). */
	cancel(): void {
		this.controller?.abort();
	}

	private patch(p: Partial<IndexProgress>): void {
		this.set({...this.getSnapshot(), ...p});
	}

	private async run(signal: AbortSignal): Promise<FileIndex> {
		const startedAt = Date.now();
		this.patch({phase: 'loading', startedAt, entries: 0, shared: 0, message: undefined, warning: undefined});
		try {
			// The snapshot list and the repository id (which names the cache) are asked for side by side:
			// two restic start-ups at once instead of one after the other.
			const listing = this.client.snapshots({}, signal);
			listing.catch(() => undefined); // awaited below; a failure of repoId() must not leave it unhandled
			this.repoId ??= await this.client.repoId(signal);
			if (this.index.snapshots.length === 0) {
				const loaded = loadCache(this.repoId, this.options.cacheDir);
				if (loaded.index) this.index = loaded.index;
				if (loaded.problem) this.patch({warning: loaded.problem});
			}
			const snapshots = await listing;
			const ids = new Set(snapshots.map(s => s.id));
			const forgotten = this.index.retain(ids);
			const have = new Set(this.index.snapshots.filter(s => s.complete).map(s => s.id));
			// Newest first: the files people look for are usually recent.
			const todo = snapshots.filter(s => !have.has(s.id)).sort((a, b) => b.time - a.time);
			const fromCache = have.size;
			this.patch({phase: 'listing', snapshotsTotal: snapshots.length, snapshotsDone: fromCache, fromCache});
			let entries = 0;
			let lastSave = Date.now();
			let lastNotify = 0;
			let dirty = forgotten > 0;
			const perSnapshot: number[] = [];
			for (const snap of todo) {
				const slot = this.index.beginSnapshot(snap);
				const snapStart = entries;
				this.patch({current: snap.shortId});
				// An unchanged source backed up again has the same root tree: its listing is known, no restic.
				if (this.index.shareTree(slot)) {
					this.index.completeSnapshot(slot);
					dirty = true;
					this.patch({snapshotsDone: this.getSnapshot().snapshotsDone + 1, shared: (this.getSnapshot().shared ?? 0) + 1});
					continue;
				}
				try {
					await this.client.ls(
						snap.id,
						{},
						node => {
							this.index.add(slot, node);
							entries++;
							if ((entries & 1023) === 0) {
								const now = Date.now();
								if (now - lastNotify >= (this.options.notifyMs ?? 100)) {
									lastNotify = now;
									this.progress(entries, startedAt, perSnapshot, todo.length, snap);
								}
							}
						},
						signal,
					);
				} catch (error) {
					// Never keep half a snapshot: its listing is dropped and redone next time.
					this.index.dropSnapshot(snap.id);
					if (error instanceof ResticError && error.kind === 'invalid-id') {
						// Forgotten while we were listing it: skip it.
						this.patch({warning: `snapshot ${snap.shortId} disappeared while indexing (forgotten?); skipped`});
						continue;
					}
					throw error;
				}
				this.index.completeSnapshot(slot);
				dirty = true;
				perSnapshot.push(entries - snapStart);
				this.progress(entries, startedAt, perSnapshot, todo.length, snap);
				this.patch({snapshotsDone: this.getSnapshot().snapshotsDone + 1});
				if (Date.now() - lastSave > (this.options.saveEveryMs ?? 15_000)) {
					this.save();
					lastSave = Date.now();
					dirty = false;
				}
			}
			if (dirty) this.save();
			this.patch({phase: 'done', current: undefined, etaSeconds: 0});
			return this.index;
		} catch (error) {
			const canceled = signal.aborted || (error instanceof ResticError && error.kind === 'canceled');
			this.patch({phase: canceled ? 'canceled' : 'error', message: canceled ? 'indexing canceled' : (error as Error).message, current: undefined});
			throw error;
		}
	}

	private progress(entries: number, startedAt: number, perSnapshot: number[], todo: number, _snap: Snapshot): void {
		const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
		const rate = entries / seconds;
		const avg = perSnapshot.length ? perSnapshot.reduce((a, b) => a + b, 0) / perSnapshot.length : undefined;
		const remaining = avg === undefined ? undefined : Math.max(0, avg * todo - entries);
		this.patch({entries, entriesPerSecond: Math.round(rate), etaSeconds: remaining === undefined ? undefined : remaining / Math.max(1, rate)});
	}

	private save(): void {
		if (!this.repoId) return;
		this.patch({phase: 'saving'});
		try {
			saveCache(this.index, this.repoId, this.options.cacheDir);
		} catch (error) {
			// A full disk must not break searching: the index stays in memory, the next run retries.
			this.patch({warning: `could not save the index cache: ${(error as Error).message}`});
		}
		this.patch({phase: 'listing'});
	}
}
