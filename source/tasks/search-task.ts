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
	total: number;
	/** False while the hits are shown and every match is still being counted. */
	totalExact: boolean;
	ms: number;
	searching: boolean;
	progress: IndexProgress;
	error?: string;
	/** Results of restic find mode: path → snapshots. */
	findResults?: Array<{path: string; type: string; snapshots: string[]; size: number}>;
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
		private readonly options: {limit?: number; filters?: SearchFilters} = {},
	) {
		super({query: '', mode: 'index', hits: [], total: 0, totalExact: true, ms: 0, searching: false, progress: indexer.getSnapshot()});
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

	toggleMode(): void {
		const mode = this.getSnapshot().mode === 'index' ? 'find' : 'index';
		this.findController?.abort();
		this.patch({mode, hits: [], findResults: undefined, total: 0, totalExact: true, error: undefined});
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
			this.engine = new IncrementalSearch(index);
			this.engineIndex = index;
		}
		this.lastGeneration = index.generation;
		const query = this.getSnapshot().query;
		if (!query.trim()) {
			this.engine!.cancel();
			this.patch({hits: [], total: 0, totalExact: true, searching: false});
			// Nothing typed yet: get the index ready so the first keystroke is as quick as the rest.
			this.warmup?.abort();
			this.warmup = new AbortController();
			void prepareSearch(index, this.warmup.signal);
			return;
		}
		this.warmup?.abort();
		this.patch({searching: true});
		try {
			const result = await this.engine!.run(query, {
				limit: this.options.limit ?? 200,
				filters: this.options.filters,
				// The ranked hits come first; the count of every match follows (unless typing goes on).
				onTotal: total => {
					if (this.getSnapshot().query === query) this.patch({total, totalExact: true});
				},
			});
			if (this.getSnapshot().query !== query) return;
			this.patch({hits: result.hits, total: result.total, totalExact: result.totalExact !== false, ms: result.ms, searching: false, error: undefined});
		} catch (error) {
			if (error instanceof SearchAborted) return;
			this.patch({searching: false, error: (error as Error).message});
		}
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
			this.client.find([query], {}, controller.signal).then(
				(results: FindResult[]) => {
					if (controller.signal.aborted) return;
					const byPath = new Map<string, {path: string; type: string; snapshots: string[]; size: number}>();
					for (const r of results) {
						for (const m of r.matches) {
							const e = byPath.get(m.path) ?? {path: m.path, type: m.type, snapshots: [], size: m.size};
							e.snapshots.push(r.snapshot);
							byPath.set(m.path, e);
						}
					}
					this.patch({findResults: [...byPath.values()], total: byPath.size, ms: Date.now() - started, searching: false});
				},
				(error: unknown) => {
					if (controller.signal.aborted) return;
					this.patch({searching: false, error: (error as Error).message});
				},
			);
		}, 400);
	}
}
