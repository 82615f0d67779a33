/**
 * The state behind the search screen, outside React: the repository's index (built in the background),
 * the query, and the newest results. Each keystroke cancels the previous search; while the index grows
 * the current query is re-run at most twice a second.
 */
import type {ResticClient} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import type {FindResult} from '../restic/parse.js';
import type {FileIndex, Timeline} from '../index/file-index.js';
import type {IndexProgress, RepoIndexer} from '../index/indexer.js';
import {IncrementalSearch, prepareSearch, SearchAborted, type SearchFilters, type SearchHit} from '../index/search.js';
import {Observable} from '../store/store.js';

export interface SearchState {
	query: string;
	mode: 'index' | 'find';
	hits: SearchHit[];
	/** Real matches (every tier above scattered letters); a lower bound while `totalExact` is false. */
	total: number;
	/** Scattered-letter matches, counted apart and listed after the real ones. */
	looser: number;
	/** False while the hits are shown and every match is still being counted. */
	totalExact: boolean;
	/** Paths inside machine-made trees (node_modules, .cache…) are left out. */
	hideMachine: boolean;
	ms: number;
	searching: boolean;
	progress: IndexProgress;
	error?: string;
	/** Results of restic find mode: a path, the snapshots holding it (oldest first), and the size in the newest (the version Enter opens). */
	findResults?: FindModeResult[];
}

/** One path of restic find mode. */
export interface FindModeResult {
	path: string;
	type: string;
	/** Snapshot ids holding the path, oldest first: the last is the one Enter and ^O use. */
	snapshots: string[];
	/** Size in the last of those snapshots. */
	size: number;
}

export class SearchTask extends Observable<SearchState> {
	readonly indexer: RepoIndexer;
	private engine: IncrementalSearch | undefined;
	private warmup: AbortController | undefined;
	private engineIndex: FileIndex | undefined;
	private unsubscribe: (() => void) | undefined;
	private rerunTimer: NodeJS.Timeout | undefined;
	private lastGeneration = -1;
	private findController: AbortController | undefined;
	private findTimer: NodeJS.Timeout | undefined;

	/** `indexer` is the repository's own (RepoModel.indexer()): the index outlives the screen. */
	constructor(
		indexer: RepoIndexer,
		private readonly client: ResticClient,
		private readonly options: {limit?: number; filters?: SearchFilters; machineTrees?: readonly string[]} = {},
	) {
		super({query: '', mode: 'index', hits: [], total: 0, looser: 0, totalExact: true, hideMachine: false, ms: 0, searching: false, progress: indexer.getSnapshot()});
		this.indexer = indexer;
	}

	/** Start (or join) indexing and follow its progress. */
	start(): void {
		this.unsubscribe = this.indexer.subscribe(() => {
			this.patch({progress: this.indexer.getSnapshot()});
			// New snapshots became searchable: refresh the results, but not on every progress tick.
			if (this.indexer.index.generation !== this.lastGeneration && !this.rerunTimer && this.getSnapshot().mode === 'index') {
				this.rerunTimer = setTimeout(() => {
					this.rerunTimer = undefined;
					void this.runQuery();
				}, 500);
			}
		});
		this.indexer.update().catch((error: unknown) => {
			if (!(error instanceof ResticError && error.kind === 'canceled')) this.patch({error: (error as Error).message});
		});
	}

	/** Stop following; the indexer keeps going only while someone needs it. */
	stop(): void {
		this.unsubscribe?.();
		clearTimeout(this.rerunTimer);
		clearTimeout(this.findTimer);
		this.engine?.cancel();
		this.warmup?.abort();
		this.findController?.abort();
		this.indexer.cancel();
	}

	private patch(p: Partial<SearchState>): void {
		this.set({...this.getSnapshot(), ...p});
	}

	setQuery(query: string): void {
		this.patch({query});
		if (this.getSnapshot().mode === 'find') this.scheduleFind();
		else void this.runQuery();
	}

	/** Show or leave out paths inside machine-made trees. */
	toggleMachine(): void {
		this.patch({hideMachine: !this.getSnapshot().hideMachine});
		if (this.getSnapshot().mode === 'index') void this.runQuery();
	}

	toggleMode(): void {
		const mode = this.getSnapshot().mode === 'index' ? 'find' : 'index';
		this.findController?.abort();
		this.patch({mode, hits: [], findResults: undefined, total: 0, looser: 0, totalExact: true, error: undefined});
		if (mode === 'find') this.scheduleFind();
		else void this.runQuery();
	}

	get index(): FileIndex {
		return this.indexer.index;
	}

	timeline(hit: SearchHit): Timeline | undefined {
		if (hit.pathId >= this.index.pathCount) return undefined;
		return this.index.timeline(hit.pathId);
	}

	private async runQuery(): Promise<void> {
		const index = this.indexer.index;
		if (this.engineIndex !== index) {
			this.engine?.cancel();
			this.engine = new IncrementalSearch(index, {machineTrees: this.options.machineTrees});
			this.engineIndex = index;
		}
		this.lastGeneration = index.generation;
		const query = this.getSnapshot().query;
		if (!query.trim()) {
			this.engine!.cancel();
			this.patch({hits: [], total: 0, looser: 0, totalExact: true, searching: false});
			// Nothing typed yet: get the index ready so the first keystroke is as quick as the rest.
			this.warmup?.abort();
			this.warmup = new AbortController();
			void prepareSearch(index, this.warmup.signal, this.options.machineTrees);
			return;
		}
		this.warmup?.abort();
		this.patch({searching: true});
		try {
			const hideMachine = this.getSnapshot().hideMachine;
			const current = () => this.getSnapshot().query === query && this.getSnapshot().hideMachine === hideMachine;
			const result = await this.engine!.run(query, {
				limit: this.options.limit ?? 200,
				filters: {...this.options.filters, hideMachine},
				// The ranked hits come first; the exact counts follow (unless typing goes on).
				onFinal: final => {
					if (current()) this.patch({hits: final.hits, total: final.total, looser: final.looser, totalExact: true, ms: final.ms});
				},
			});
			if (!current()) return;
			this.patch({hits: result.hits, total: result.total, looser: result.looser, totalExact: result.totalExact, ms: result.ms, searching: false, error: undefined});
		} catch (error) {
			if (error instanceof SearchAborted) return;
			this.patch({searching: false, error: (error as Error).message});
		}
	}

	/** Snapshot times known to the index (restic find's results are ordered by them). */
	private snapshotTimes(): Map<string, number> {
		return new Map(this.index.snapshots.map(s => [s.id, s.time]));
	}

	/** restic find mode: restic's own glob semantics, run after a short pause in typing. */
	private scheduleFind(): void {
		clearTimeout(this.findTimer);
		this.findController?.abort();
		const query = this.getSnapshot().query.trim();
		if (!query) {
			this.patch({findResults: [], searching: false});
			return;
		}
		this.findTimer = setTimeout(() => {
			const controller = new AbortController();
			this.findController = controller;
			this.patch({searching: true, error: undefined});
			const started = Date.now();
			const failed = (error: unknown) => {
				if (controller.signal.aborted) return;
				this.patch({searching: false, error: (error as Error).message});
			};
			this.client
				.find([query], {}, controller.signal)
				.then(async (results: FindResult[]) => {
					let times = this.snapshotTimes();
					// restic 0.14 lists snapshots in id order: their times say which version is the newest.
					if (results.some(r => !times.has(r.snapshot))) times = new Map((await this.client.snapshots({}, controller.signal)).map(s => [s.id, s.time]));
					if (controller.signal.aborted) return;
					this.patch({findResults: groupFindResults(results, times), total: 0, looser: 0, ms: Date.now() - started, searching: false});
				}, failed)
				.catch(failed);
		}, 400);
	}
}

/**
 * restic find's results per path: the snapshots holding it, oldest first, and the size in the newest
 * of them (the version Enter opens and ^O restores). Snapshots the index does not know yet sort by
 * restic's order (restic lists them oldest first).
 */
export function groupFindResults(results: readonly FindResult[], times: ReadonlyMap<string, number>): FindModeResult[] {
	const byPath = new Map<string, {result: FindModeResult; newest: number}>();
	for (const [order, r] of results.entries()) {
		const time = times.get(r.snapshot) ?? order;
		for (const m of r.matches) {
			let e = byPath.get(m.path);
			if (!e) {
				e = {result: {path: m.path, type: m.type, snapshots: [], size: m.size}, newest: -Infinity};
				byPath.set(m.path, e);
			}
			e.result.snapshots.push(r.snapshot);
			if (time >= e.newest) {
				e.newest = time;
				e.result.size = m.size;
			}
		}
	}
	const rank = (id: string) => times.get(id) ?? results.findIndex(r => r.snapshot === id);
	return [...byPath.values()].map(({result}) => ({...result, snapshots: [...result.snapshots].sort((a, b) => rank(a) - rank(b))}));
}
