/**
 * Running a query: the strict tiers straight from the candidate index (names and folders holding a
 * term, then their paths), and one scan that places every remaining path in a looser tier and makes
 * the exact counts. Work is cut into slices that yield to the event loop and stop when superseded.
 */
import {typeNames, type EntryType, type FileIndex} from '../file-index.js';
import {parseQuery} from './fold.js';
import {matchPositions} from './highlight.js';
import {defaultMachineTrees, preparedFor, type Prepared} from './prepared.js';
import {TermCache, type TermTables} from './terms.js';
import {countedTier, machineOfKey, maxTerms, rankKey, strictTier, Tier, tierNames, tierOfKey, type TierName} from './tiers.js';
import {TopK} from './top-k.js';

export interface SearchFilters {
	hosts?: readonly string[];
	pathPrefix?: string;
	type?: EntryType;
	/** Epoch ms: only snapshots taken at or after. */
	since?: number;
	/** Epoch ms: only snapshots taken at or before. */
	until?: number;
	/** Leave out paths inside machine-made trees (node_modules, .cache, …). */
	hideMachine?: boolean;
}

export interface SearchHit {
	pathId: number;
	path: string;
	/** Ranking key: bigger ranks first (tier, then user before machine-made, then depth, length, recency). */
	score: number;
	tier: TierName;
	/** Inside a machine-made tree. */
	machine: boolean;
	type: EntryType;
	/** Newest snapshot time containing the path. */
	newest: number;
	/** Indices (UTF-16 code units) of matched characters in `path`, for highlighting. */
	positions: number[];
	/** Where the part below the snapshot's backup root starts in `path` (path.slice(0, rootEnd - 1) is the root). */
	rootEnd: number;
}

export interface SearchResult {
	query: string;
	hits: SearchHit[];
	/** Real matches (every tier above scattered letters); a lower bound while `totalExact` is false. */
	total: number;
	/** Matches by scattered letters only, counted apart (0 while `totalExact` is false). */
	looser: number;
	/** False when the strict hits came first and the scan (exact counts, looser hits) is still going on. */
	totalExact: boolean;
	scanned: number;
	ms: number;
}

export class SearchAborted extends Error {
	constructor() {
		super('search aborted');
		this.name = 'SearchAborted';
	}
}

export const yieldToLoop = (): Promise<void> => new Promise<void>(resolve => setImmediate(resolve));

/** Cooperative time slicing: `pause()` yields once the slice is used up, and throws when aborted. */
export class Slicer {
	private start = performance.now();
	constructor(
		private readonly sliceMs: number,
		private readonly signal?: AbortSignal,
	) {}
	readonly pause = async (): Promise<void> => {
		if (this.signal?.aborted) throw new SearchAborted();
		if (performance.now() - this.start < this.sliceMs) return;
		await yieldToLoop();
		if (this.signal?.aborted) throw new SearchAborted();
		this.start = performance.now();
	};
}

/** The query's terms: folded, each once, at most maxTerms. */
export function queryTerms(query: string): string[] {
	return [...new Set(parseQuery(query))].slice(0, maxTerms);
}

/** Per path: 1 when it passes the filters (undefined: no filter applies). */
async function filterOf(prepared: Prepared, filters: SearchFilters, pause: () => Promise<void>): Promise<Uint8Array | undefined> {
	const index = prepared.index;
	const bySnapshot = Boolean(filters.hosts?.length) || filters.since !== undefined || filters.until !== undefined;
	const prefix = filters.pathPrefix ? filters.pathPrefix.replace(/\/+$/, '') : undefined;
	const wantType = filters.type === undefined ? -1 : typeNames.indexOf(filters.type);
	if (!bySnapshot && prefix === undefined && wantType < 0 && !filters.hideMachine) return undefined;
	const count = prepared.pathCount;
	let allowed: Uint8Array;
	if (bySnapshot) {
		allowed = new Uint8Array(count);
		const verPath = index.verPath.data;
		for (const [slot, s] of index.snapshots.entries()) {
			if (filters.hosts?.length && !filters.hosts.includes(s.hostname)) continue;
			if (filters.since !== undefined && s.time < filters.since) continue;
			if (filters.until !== undefined && s.time > filters.until) continue;
			await pause();
			index.bits[slot]!.forEach(index.versionCount, v => {
				const p = verPath[v]!;
				if (p < count) allowed[p] = 1;
			});
		}
	} else allowed = new Uint8Array(count).fill(1);
	await pause();
	const pathDir = index.pathDir.data;
	const pathName = index.pathName.data;
	let dirOk: Uint8Array | undefined;
	if (prefix !== undefined || filters.hideMachine) {
		dirOk = new Uint8Array(prepared.dirCount);
		for (let d = 0; d < prepared.dirCount; d++) {
			const dir = index.dirs[d]!;
			const under = prefix === undefined || dir === prefix || dir.startsWith(`${prefix}/`);
			dirOk[d] = under && !(filters.hideMachine && prepared.dirMachine[d]) ? 1 : 0;
		}
	}
	const lastVer = index.pathLastVer.data;
	const verType = index.verType.data;
	for (let p = 0; p < count; p++) {
		if (!allowed[p]) continue;
		const d = pathDir[p]!;
		// The prefix itself is a match too ("/home/a/taxes" under --path /home/a/taxes).
		if (dirOk && !dirOk[d] && !(prefix !== undefined && `${index.dirs[d]}/${index.names[pathName[p]!]}` === prefix && !(filters.hideMachine && prepared.dirMachine[d]))) allowed[p] = 0;
		else if (wantType >= 0 && verType[lastVer[p]!] !== wantType) allowed[p] = 0;
	}
	return allowed;
}

/** Counts of one query's matches by tier, and the ranked best. */
interface Tally {
	strict: number;
	spread: number;
	scattered: number;
	top: TopK;
}

/** How many paths the strict lookup of a term visits (its names' paths and its folders' paths). */
function candidateCount(t: TermTables, nameStart: Uint32Array, dirStart: Uint32Array): number {
	let s = 0;
	for (let i = 0; i < t.nameList.length; i++) {
		const n = t.nameList[i]!;
		s += nameStart[n + 1]! - nameStart[n]!;
	}
	for (let i = 0; i < t.dirList.length; i++) {
		const d = t.dirList[i]!;
		s += dirStart[d + 1]! - dirStart[d]!;
	}
	return s;
}

/** The working state of rankStrict, handed to its synchronous chunks. */
interface StrictState {
	rarest: TermTables;
	others: TermTables[];
	allowed: Uint8Array | undefined;
	pathDir: Uint32Array;
	pathName: Uint32Array;
	pathWithin: Uint32Array;
	dirMachine: Uint8Array;
	byName: {start: Uint32Array; paths: Uint32Array};
	byDir: {start: Uint32Array; paths: Uint32Array};
	top: TopK;
	strict: number;
	/** Visit only the names of this tier (0: every name). */
	onlyTier: number;
}

/** Rank path p (folder d, name n), whose rarest term has tier `tier`, if every other term is strict there too. */
function strictVisit(st: StrictState, p: number, d: number, n: number, tier: number): void {
	if (st.allowed !== undefined && st.allowed[p] === 0) return;
	let min = tier;
	let sum = tier;
	const others = st.others.length;
	for (let t = 0; t < others; t++) {
		const tt = st.others[t]!.strictAt(d, n);
		if (tt === 0) return;
		if (tt < min) min = tt;
		sum += tt;
	}
	st.strict++;
	const key = rankKey(min, 1 - st.dirMachine[d]!, sum, st.pathWithin[p]!);
	if (st.top.admits(key, p)) st.top.offer(key, p);
}

/** Paths of the rarest term's names, from nameList[from], about `budget` paths; returns where to go on. */
function strictNames(st: StrictState, from: number, budget: number): number {
	const {nameList, nameTier} = st.rarest;
	const {start, paths} = st.byName;
	const pathDir = st.pathDir;
	const only = st.onlyTier;
	let i = from;
	for (; i < nameList.length && budget > 0; i++) {
		const n = nameList[i]!;
		const tier = nameTier[n]!;
		if (only !== 0 && tier !== only) {
			budget--;
			continue;
		}
		const end = start[n + 1]!;
		for (let j = start[n]!; j < end; j++) {
			const p = paths[j]!;
			strictVisit(st, p, pathDir[p]!, n, tier);
		}
		budget -= end - start[n]! + 1;
	}
	return i;
}

/** Paths of the rarest term's folders whose names lack it, like strictNames. */
function strictDirs(st: StrictState, from: number, budget: number): number {
	const {dirList, nameTier} = st.rarest;
	const {start, paths} = st.byDir;
	const pathName = st.pathName;
	let i = from;
	for (; i < dirList.length && budget > 0; i++) {
		const d = dirList[i]!;
		const end = start[d + 1]!;
		for (let j = start[d]!; j < end; j++) {
			const p = paths[j]!;
			const n = pathName[p]!;
			// Paths whose name holds the term were visited with the names.
			if (nameTier[n] === 0) strictVisit(st, p, d, n, Tier.folder);
		}
		budget -= end - start[d]! + 1;
	}
	return i;
}

/** A filled term with at most this many candidate paths leads a query without filling its other terms. */
const fewCandidates = 100_000;

/** A tier with at most this many paths is visited through its names' path lists, not walked. */
export const defaultSmallTier = 4096;

/**
 * The strict tiers of one term, no filter, strictest first, each tier found the cheaper way: a small
 * tier through its names' (or folders') path lists; a big one by walking the paths in ranking order
 * (Prepared.order) until the list has what it still needs of that tier, which takes a few thousand
 * steps where visiting every path of the tier takes hundreds of thousands. Name tiers are counted
 * exactly from their names' list lengths; a walked folder tier only as far as it was walked.
 */
function walkTiers(st: StrictState, order: Uint32Array, limit: number, smallTier: number): void {
	const {nameList, nameTier, dirList, dirHas} = st.rarest;
	const {start} = st.byName;
	const total = [0, 0, 0, 0, 0, 0];
	for (let i = 0; i < nameList.length; i++) {
		const n = nameList[i]!;
		total[nameTier[n]!]! += start[n + 1]! - start[n]!;
	}
	const pathName = st.pathName;
	const pathDir = st.pathDir;
	for (const tier of [Tier.whole, Tier.prefix, Tier.substring]) {
		const need = limit - st.top.size;
		if (need <= 0) {
			st.strict += total[tier]!;
			continue;
		}
		if (total[tier]! <= Math.max(need, smallTier)) {
			st.onlyTier = tier;
			strictNames(st, 0, Number.POSITIVE_INFINITY);
			continue;
		}
		let found = 0;
		for (let i = 0; i < order.length && found < need; i++) {
			const p = order[i]!;
			if (nameTier[pathName[p]!] !== tier) continue;
			found++;
			const key = rankKey(tier, 1 - st.dirMachine[pathDir[p]!]!, tier, st.pathWithin[p]!);
			if (st.top.admits(key, p)) st.top.offer(key, p);
		}
		st.strict += total[tier]!;
	}
	const need = limit - st.top.size;
	if (need <= 0) return;
	const dirStart = st.byDir.start;
	let dirPaths = 0;
	for (let i = 0; i < dirList.length && dirPaths <= smallTier; i++) dirPaths += dirStart[dirList[i]! + 1]! - dirStart[dirList[i]!]!;
	if (dirPaths <= Math.max(need, smallTier)) {
		strictDirs(st, 0, Number.POSITIVE_INFINITY);
		return;
	}
	let found = 0;
	for (let i = 0; i < order.length && found < need; i++) {
		const p = order[i]!;
		const d = pathDir[p]!;
		if (dirHas[d] !== 1 || nameTier[pathName[p]!] !== 0) continue;
		found++;
		st.strict++;
		const key = rankKey(Tier.folder, 1 - st.dirMachine[d]!, Tier.folder, st.pathWithin[p]!);
		if (st.top.admits(key, p)) st.top.offer(key, p);
	}
}

/**
 * The strict tiers only (whole name … folder), found through the candidate index: the names and
 * folders holding the rarest term, then their paths. Every strict path is found and counted; since
 * any strict path outranks every looser one, this list is the final one whenever it is full.
 */
async function rankStrict(prepared: Prepared, tables: readonly TermTables[], limit: number, allowed: Uint8Array | undefined, pause: () => Promise<void>, smallTier = defaultSmallTier): Promise<Tally> {
	const {byName, byDir, pathWithin, dirMachine} = prepared;
	const pathDir = prepared.index.pathDir.data;
	const pathName = prepared.index.pathName.data;
	const size = (t: TermTables) => candidateCount(t, byName.start, byDir.start);
	// The rarest of the filled terms leads; the others are asked path by path (strictAt). Unfilled
	// ones are filled first unless a filled term already has few candidates.
	const rarestOf = () => {
		let best: TermTables | undefined;
		let bestSize = Infinity;
		for (const t of tables) {
			if (!t.filled) continue;
			const s = size(t);
			if (s < bestSize) [best, bestSize] = [t, s];
		}
		return {best, bestSize};
	};
	const found = rarestOf();
	let best = found.best;
	const bestSize = found.bestSize;
	if (!best || bestSize > fewCandidates) {
		for (const t of tables) if (!t.filled) await t.fill(undefined, pause);
		best = rarestOf().best;
	}
	const rarest = best!;
	const others = tables.filter(t => t !== rarest);
	const st: StrictState = {
		rarest,
		others,
		allowed,
		pathDir,
		pathName,
		pathWithin,
		dirMachine,
		byName,
		byDir,
		top: new TopK(limit),
		strict: 0,
		onlyTier: 0,
	};
	if (tables.length === 1 && allowed === undefined) {
		walkTiers(st, prepared.order, limit, smallTier);
		await pause();
		return {strict: st.strict, spread: 0, scattered: 0, top: st.top};
	}
	// Synchronous chunks (a hot loop inside an async function runs several times slower), with a
	// pause between them. One term: its tiers in order (whole, prefix, substring names, then folders),
	// stopping once the list is full and the next tier cannot enter it (then `strict` is a lower bound).
	const single = tables.length === 1;
	const maxWithin = rankKey(0, 0, 0, 2 ** 32 - 1);
	const cannotEnter = (tier: number) => single && st.top.size === limit && !st.top.admits(rankKey(tier, 1, tier, 0) + maxWithin, -1);
	const names = rarest.nameList.length;
	for (const tier of single ? [Tier.whole, Tier.prefix, Tier.substring] : [0]) {
		if (cannotEnter(tier)) break;
		st.onlyTier = single ? tier : 0;
		for (let from = 0; from < names;) {
			await pause();
			from = strictNames(st, from, 16_384);
		}
	}
	const dirs = rarest.dirList.length;
	if (!cannotEnter(Tier.folder)) {
		for (let from = 0; from < dirs;) {
			await pause();
			from = strictDirs(st, from, 16_384);
		}
	}
	const {strict, top} = st;
	return {strict, spread: 0, scattered: 0, top};
}

/**
 * Every tier: place each candidate path (all live paths, or an earlier query's matches) in its tier,
 * count, and rank when `rank`. Returns the matches too, to narrow the next keystroke.
 */
async function scanAll(prepared: Prepared, tables: readonly TermTables[], cache: TermCache, candidates: Uint32Array | undefined, limit: number, rank: boolean, allowed: Uint8Array | undefined, pause: () => Promise<void>): Promise<Tally & {matches: Uint32Array; scanned: number}> {
	await pause();
	// The scan reads every term's tables whole.
	for (const t of tables) if (!t.filled) await t.fill(undefined, pause);
	cache.ready(tables);
	const count = candidates ? candidates.length : prepared.pathCount;
	const st: ScanState = {
		tables,
		candidates,
		allowed,
		rank,
		pathCount: prepared.pathCount,
		pathLive: prepared.pathLive,
		pathWithin: prepared.pathWithin,
		dirMachine: prepared.dirMachine,
		pathDir: prepared.index.pathDir.data,
		pathName: prepared.index.pathName.data,
		matches: cache.scratch(count),
		matched: 0,
		strict: 0,
		spread: 0,
		scattered: 0,
		top: new TopK(rank ? limit : 0),
	};
	for (let from = 0; from < count; from += 8192) {
		await pause();
		scanRange(st, from, Math.min(count, from + 8192));
	}
	return {strict: st.strict, spread: st.spread, scattered: st.scattered, top: st.top, matches: st.matches.slice(0, st.matched), scanned: count};
}

/** The working state of scanAll, handed to its synchronous chunks. */
interface ScanState {
	tables: readonly TermTables[];
	candidates: Uint32Array | undefined;
	allowed: Uint8Array | undefined;
	rank: boolean;
	pathCount: number;
	pathLive: Uint8Array;
	pathWithin: Uint32Array;
	dirMachine: Uint8Array;
	pathDir: Uint32Array;
	pathName: Uint32Array;
	matches: Uint32Array;
	matched: number;
	strict: number;
	spread: number;
	scattered: number;
	top: TopK;
}

/** Place candidates [from, to) in their tiers (a plain synchronous loop: V8 optimises it far better). */
function scanRange(st: ScanState, from: number, to: number): void {
	const {tables, candidates, allowed, pathLive, pathDir, pathName, matches} = st;
	const termCount = tables.length;
	for (let i = from; i < to; i++) {
		const p = candidates ? candidates[i]! : i;
		if (p >= st.pathCount || pathLive[p] === 0 || (allowed !== undefined && allowed[p] === 0)) continue;
		const d = pathDir[p]!;
		const n = pathName[p]!;
		let min: number = Tier.whole;
		let sum = 0;
		for (let t = 0; t < termCount; t++) {
			const tt = tables[t]!.tier(d, n);
			if (tt < min) min = tt;
			if (min < 0) break;
			sum += tt;
		}
		if (min < 0) continue;
		matches[st.matched++] = p;
		if (min >= strictTier) st.strict++;
		else if (min >= countedTier) st.spread++;
		else st.scattered++;
		if (st.rank) {
			const key = rankKey(min, 1 - st.dirMachine[d]!, sum, st.pathWithin[p]!);
			if (st.top.admits(key, p)) st.top.offer(key, p);
		}
	}
}

/** Ranked (key, path) pairs as hits with display paths and highlight positions. */
function hitsOf(prepared: Prepared, terms: readonly string[], top: TopK): SearchHit[] {
	const index = prepared.index;
	const verType = index.verType.data;
	const lastVer = index.pathLastVer.data;
	return top.sorted().map(({score, id: p}) => {
		const path = index.path(p);
		const d = index.pathDir.data[p]!;
		const relStart = prepared.dirRelStart[d]!;
		// A path right in the root: its folder is the root, the part below starts after the '/'.
		const rootEnd = relStart === index.dirs[d]!.length ? relStart + 1 : relStart;
		return {pathId: p, path, score, tier: tierNames[tierOfKey(score)]!, machine: machineOfKey(score), type: typeNames[verType[lastVer[p]!]!]!, newest: prepared.pathNewest[p]!, positions: matchPositions(terms, path, relStart), rootEnd};
	});
}

export interface SearchOptions {
	limit?: number;
	filters?: SearchFilters;
	signal?: AbortSignal;
	/** Only scan these path ids (a previous, less specific query's matches). */
	candidates?: Uint32Array;
	/** Time slice before yielding to the event loop. */
	sliceMs?: number;
	/** Folder names whose trees rank after the user's own files (config `search.machineTrees`). */
	machineTrees?: readonly string[];
}

/**
 * The full ranking of a query over the index (every path placed in its tier, exact counts). Resolves
 * with the best `limit` hits and the ids of every match; rejects with SearchAborted when `signal` fires.
 */
export async function search(index: FileIndex, query: string, options: SearchOptions = {}): Promise<SearchResult & {matches: Uint32Array}> {
	const started = performance.now();
	// Yield once first: keystrokes that arrive in the same tick supersede this query before it runs.
	await yieldToLoop();
	if (options.signal?.aborted) throw new SearchAborted();
	const terms = queryTerms(query);
	if (terms.length === 0) return {query, hits: [], total: 0, looser: 0, totalExact: true, scanned: 0, ms: performance.now() - started, matches: new Uint32Array(0)};
	const slicer = new Slicer(options.sliceMs ?? 8, options.signal);
	const prepared = await preparedFor(index, slicer.pause, options.machineTrees ?? defaultMachineTrees);
	const cache = new TermCache();
	const tables: TermTables[] = [];
	for (const t of terms) tables.push(await cache.get(t, prepared, slicer.pause));
	const allowed = await filterOf(prepared, options.filters ?? {}, slicer.pause);
	const tally = await scanAll(prepared, tables, cache, options.candidates, options.limit ?? 50, true, allowed, slicer.pause);
	const hits = hitsOf(prepared, terms, tally.top);
	return {query, hits, total: tally.strict + tally.spread, looser: tally.scattered, totalExact: true, scanned: tally.scanned, ms: performance.now() - started, matches: tally.matches};
}

/**
 * Build the per-index data ahead of the first keystroke (folded names, roots, the candidate index),
 * in slices, so the first keystroke after an index loads or grows does not pay for it. Stops quietly
 * when `signal` fires.
 */
export async function prepareSearch(index: FileIndex, signal?: AbortSignal, machineTrees: readonly string[] = defaultMachineTrees): Promise<void> {
	const slicer = new Slicer(8, signal);
	try {
		await preparedFor(index, slicer.pause, machineTrees);
	} catch (error) {
		if (!(error instanceof SearchAborted)) throw error;
	}
}

/** The earlier match lists kept for narrowing, at most this many path ids in all (4 bytes each). */
const stackBudget = 4_000_000;

/** Whether every match of `terms` is a match of `base` (each base term lies inside some term). */
const narrows = (base: readonly string[], terms: readonly string[]) => base.length > 0 && base.every(b => terms.some(t => t.includes(b)));

/**
 * Keystroke-by-keystroke searching over one index, one query at a time: a new query cancels the
 * previous one. Strict hits come straight from the candidate index; when they fill the list it is
 * final at once and the exact counts follow (onFinal). Otherwise one scan of the previous query's
 * matches (a query that extends another only narrows it) ranks the looser tiers too.
 */
export class IncrementalSearch {
	private stack: Array<{terms: string[]; filtersKey: string; prepared: Prepared; matches: Uint32Array}> = [];
	private controller: AbortController | undefined;
	private readonly terms = new TermCache();
	private filterCache: {key: string; prepared: Prepared; allowed: Uint8Array | undefined} | undefined;
	/** Time slice before yielding to the event loop (0 yields at every opportunity: tests). */
	private readonly sliceMs: number;
	private readonly machineTrees: readonly string[];
	/** Tiers bigger than this are walked in ranking order (tests set 0 to walk every tier). */
	private readonly smallTier: number;

	constructor(
		private readonly index: FileIndex,
		options: {sliceMs?: number; machineTrees?: readonly string[]; smallTier?: number} = {},
	) {
		this.sliceMs = options.sliceMs ?? 8;
		this.machineTrees = options.machineTrees ?? defaultMachineTrees;
		this.smallTier = options.smallTier ?? defaultSmallTier;
	}

	/**
	 * Run a query, cancelling the previous one; rejects with SearchAborted if superseded. When the
	 * result comes before the scan (`totalExact` false: the strict hits, their count a lower bound),
	 * `onFinal` gets the final hits (the same ones, with looser ones after them when the strict ones
	 * did not fill the list) and exact counts, unless a newer query came first.
	 */
	async run(query: string, options: {limit?: number; filters?: SearchFilters; onFinal?: (result: SearchResult) => void} = {}): Promise<SearchResult> {
		this.controller?.abort();
		const controller = new AbortController();
		this.controller = controller;
		const started = performance.now();
		await yieldToLoop();
		if (controller.signal.aborted) throw new SearchAborted();
		const terms = queryTerms(query);
		const limit = options.limit ?? 50;
		if (terms.length === 0) return {query, hits: [], total: 0, looser: 0, totalExact: true, scanned: 0, ms: performance.now() - started};
		const slicer = new Slicer(this.sliceMs, controller.signal);
		const prepared = await preparedFor(this.index, slicer.pause, this.machineTrees);
		const tables: TermTables[] = [];
		// Several terms: one filled term can lead, the others are only checked on its candidates.
		for (const t of terms) tables.push(await this.terms.get(t, prepared, slicer.pause, terms.length > 1));
		const filtersKey = JSON.stringify(options.filters ?? {});
		if (this.filterCache?.key !== filtersKey || this.filterCache.prepared !== prepared) {
			const allowed = await filterOf(prepared, options.filters ?? {}, slicer.pause);
			this.filterCache = {key: filtersKey, prepared, allowed};
		}
		const allowed = this.filterCache.allowed;
		// Narrow from the latest earlier query whose matches hold all of this one's.
		while (this.stack.length > 0) {
			const top = this.stack.at(-1)!;
			if (top.prepared === prepared && top.filtersKey === filtersKey && narrows(top.terms, terms)) break;
			this.stack.pop();
		}
		const candidates = this.stack.at(-1)?.matches;
		const scan = async (rank: boolean) => {
			const tally = await scanAll(prepared, tables, this.terms, candidates, limit, rank, allowed, slicer.pause);
			this.stack.push({terms, filtersKey, prepared, matches: tally.matches});
			// Keep the newest lists within budget: an older one is only needed again after backspacing.
			let kept = this.stack.reduce((n, e) => n + e.matches.length, 0);
			while (this.stack.length > 1 && kept > stackBudget) kept -= this.stack.shift()!.matches.length;
			return tally;
		};
		const strict = await rankStrict(prepared, tables, limit, allowed, slicer.pause, this.smallTier);
		if (strict.strict > 0) {
			// The strict hits are shown at once: when they fill the list it is final (any strict path
			// outranks every looser one); otherwise looser hits only follow below them.
			const full = strict.strict >= limit;
			const first: SearchResult = {query, hits: hitsOf(prepared, terms, strict.top), total: strict.strict, looser: 0, totalExact: false, scanned: 0, ms: performance.now() - started};
			scan(!full).then(
				tally => {
					if (controller.signal.aborted) return;
					const hits = full ? first.hits : hitsOf(prepared, terms, tally.top);
					options.onFinal?.({...first, hits, total: tally.strict + tally.spread, looser: tally.scattered, totalExact: true, scanned: tally.scanned, ms: performance.now() - started});
				},
				() => undefined,
			);
			return first;
		}
		const tally = await scan(true);
		return {query, hits: hitsOf(prepared, terms, tally.top), total: tally.strict + tally.spread, looser: tally.scattered, totalExact: true, scanned: tally.scanned, ms: performance.now() - started};
	}

	cancel(): void {
		this.controller?.abort();
	}
}
