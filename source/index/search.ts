/**
 * Search over a FileIndex. Semantics (deliberate): the query is split into terms at spaces; each term
 * must appear in the path as an fzf-style subsequence, case- and accent-insensitive, so both
 * "tax 2023 pdf" and "tax2023pdf" find …/taxes/2023/return-final.pdf. Ranking: term inside the base name >
 * in the directory; contiguous > scattered; word-start > mid-word; shorter names > longer; newer > older.
 * Regex/glob characters have no special meaning here (use restic find mode for globs).
 *
 * The scan is chunked: it yields to the event loop every few milliseconds and stops as soon as its
 * AbortSignal fires, so typing never waits for a search and a stale query is abandoned.
 */
import type {FileIndex, EntryType} from './file-index.js';
import {typeNames} from './file-index.js';

/** Lower-case and strip accents: "Café" → "cafe". Keeps one output char per input char where possible. */
export function fold(text: string): string {
	// Fast path: plain ASCII only needs lower-casing.
	// eslint-disable-next-line no-control-regex
	if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
	return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** Fold with a map from each folded code unit back to its index in the original string. */
export function foldWithMap(text: string): {folded: string; map: number[]} {
	let folded = '';
	const map: number[] = [];
	let i = 0;
	for (const ch of text) {
		const f = fold(ch);
		for (let k = 0; k < f.length; k++) map.push(i);
		folded += f;
		i += ch.length;
	}
	return {folded, map};
}

export interface SearchFilters {
	hosts?: readonly string[];
	pathPrefix?: string;
	type?: EntryType;
	/** Epoch ms: only snapshots taken at or after. */
	since?: number;
	/** Epoch ms: only snapshots taken at or before. */
	until?: number;
}

export interface SearchHit {
	pathId: number;
	path: string;
	score: number;
	type: EntryType;
	/** Newest snapshot time containing the path. */
	newest: number;
	/** Indices (UTF-16 code units) of matched characters in `path`, for highlighting. */
	positions: number[];
}

export interface SearchResult {
	query: string;
	hits: SearchHit[];
	/** Matches before the limit was applied. */
	total: number;
	scanned: number;
	ms: number;
}

/** Split a query into folded terms; empty terms vanish. */
export function parseQuery(query: string): string[] {
	return fold(query)
		.split(/\s+/)
		.filter(t => t.length > 0)
		.map(t => t.slice(0, 200));
}

const isBoundary = (c: number) => c === 47 /* / */ || c === 45 || c === 95 || c === 46 || c === 32 || c === 40 || c === 91;

/** How many leading chars of `term` match greedily as a subsequence of `text` (from `start`). */
export function greedyPrefix(term: string, text: string): number {
	let k = 0;
	for (let i = 0; i < text.length && k < term.length; i++) if (text.charCodeAt(i) === term.charCodeAt(k)) k++;
	return k;
}

/** Smallest k such that term[k..] is a subsequence of text (greedy from the end). */
export function suffixNeed(term: string, text: string): number {
	let k = term.length;
	for (let i = text.length - 1; i >= 0 && k > 0; i--) if (text.charCodeAt(i) === term.charCodeAt(k - 1)) k--;
	return k;
}

/**
 * How tightly `term` sits in `text`: greedily cut it into the longest pieces that occur in order.
 * One piece is a substring; "tax2023pdf" in "taxes/2023/return.pdf" is 3 pieces. Returns the piece
 * count, or 0 when the term is not a subsequence at all.
 */
export function pieces(term: string, text: string, from = 0): number {
	let pos = from;
	let i = 0;
	let count = 0;
	while (i < term.length) {
		let len = term.length - i;
		let at = -1;
		for (; len > 0; len--) {
			at = text.indexOf(term.slice(i, i + len), pos);
			if (at >= 0) break;
		}
		if (len === 0) return 0;
		pos = at + len;
		i += len;
		count++;
	}
	return count;
}

const piecesScore = (n: number) => Math.max(8, 45 - 10 * (n - 1));

/** Score of a term against a folded base name when it matches entirely inside it; -1 if it does not. */
function nameScore(term: string, name: string): number {
	const at = name.indexOf(term);
	if (at >= 0) {
		let s = 100;
		if (at === 0 || isBoundary(name.charCodeAt(at - 1))) s += 40;
		if (term.length === name.length) s += 30;
		else if (at === 0 && isBoundary(name.charCodeAt(term.length))) s += 15;
		return s;
	}
	if (suffixNeed(term, name) === 0) return piecesScore(pieces(term, name)) - 15;
	return -1;
}

function dirScore(term: string, dir: string): number {
	const at = dir.indexOf(term);
	if (at < 0) return 5;
	return at === 0 || isBoundary(dir.charCodeAt(at - 1)) ? 45 : 35;
}

/** Positions of a greedy, contiguous-preferring match of each term in the folded path. */
function matchPositions(terms: readonly string[], original: string): number[] {
	const {folded, map} = foldWithMap(original);
	const nameStart = folded.lastIndexOf('/') + 1;
	const marks = new Set<number>();
	for (const term of terms) {
		// Prefer a contiguous occurrence in the base name, then in the path, then a subsequence.
		let at = folded.indexOf(term, nameStart);
		if (at < 0) at = folded.lastIndexOf(term);
		if (at >= 0) {
			for (let k = 0; k < term.length; k++) marks.add(map[at + k]!);
			continue;
		}
		// Subsequence ending as late as possible (so it favours the base name).
		let k = term.length - 1;
		const found: number[] = [];
		for (let i = folded.length - 1; i >= 0 && k >= 0; i--) {
			if (folded.charCodeAt(i) === term.charCodeAt(k)) {
				found.push(map[i]!);
				k--;
			}
		}
		for (const p of found) marks.add(p);
	}
	return [...marks].sort((a, b) => a - b);
}

const foldCaches = new WeakMap<FileIndex, FoldCache>();

/** The fold cache of an index, shared by every search over it. */
export function foldCacheFor(index: FileIndex): FoldCache {
	let cache = foldCaches.get(index);
	if (!cache) {
		cache = new FoldCache(index);
		foldCaches.set(index, cache);
	}
	return cache;
}

/**
 * A 32-bit summary of which characters a folded string contains (a–z one bit each, digits in five
 * pairs, everything else one bit). A path can only match a query whose mask it covers: a cheap test
 * that skips most paths before any string work.
 */
export function charMask(text: string): number {
	let m = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c >= 97 && c <= 122) m |= 1 << (c - 97);
		else if (c >= 48 && c <= 57) m |= 1 << (26 + ((c - 48) >> 1));
		else m |= 1 << 31;
	}
	return m;
}

/** Folded strings of an index, computed once per string and reused across queries. */
export class FoldCache {
	private dirs: string[] = [];
	private names: string[] = [];
	private dirMaskArr: Int32Array<ArrayBufferLike> = new Int32Array(0);
	private nameMaskArr: Int32Array<ArrayBufferLike> = new Int32Array(0);
	private nameLenArr: Uint16Array<ArrayBufferLike> = new Uint16Array(0);
	private dirMasked = 0;
	private nameMasked = 0;
	constructor(private readonly index: FileIndex) {}

	/** Every folded directory (computed on first use, pausing as it goes). */
	async dirStrings(pause: () => Promise<void>): Promise<readonly string[]> {
		for (let d = this.dirs.length; d < this.index.dirs.length; d++) {
			if ((d & 4095) === 0) await pause();
			this.dir(d);
		}
		return this.dirs;
	}

	get dirCount(): number {
		return this.index.dirs.length;
	}

	get nameCount(): number {
		return this.index.names.length;
	}

	/**
	 * Character masks of every directory and name, and name lengths (extended as the index grows).
	 * Typed arrays on purpose: reading a string's length from a 500 k-entry string array costs a cache
	 * miss per path, which was the single largest cost of a scan.
	 */
	async masks(pause: () => Promise<void> = async () => undefined): Promise<{dir: Int32Array<ArrayBufferLike>; name: Int32Array<ArrayBufferLike>; nameLen: Uint16Array<ArrayBufferLike>}> {
		const grow = (arr: Int32Array<ArrayBufferLike>, need: number): Int32Array<ArrayBufferLike> => {
			if (arr.length >= need) return arr;
			const next = new Int32Array(Math.max(need, arr.length * 2));
			next.set(arr);
			return next;
		};
		this.dirMaskArr = grow(this.dirMaskArr, this.index.dirs.length);
		for (; this.dirMasked < this.index.dirs.length; this.dirMasked++) {
			if ((this.dirMasked & 4095) === 0) await pause();
			this.dirMaskArr[this.dirMasked] = charMask(this.dir(this.dirMasked));
		}
		this.nameMaskArr = grow(this.nameMaskArr, this.index.names.length);
		if (this.nameLenArr.length < this.index.names.length) {
			const next = new Uint16Array(this.nameMaskArr.length);
			next.set(this.nameLenArr);
			this.nameLenArr = next;
		}
		for (; this.nameMasked < this.index.names.length; this.nameMasked++) {
			if ((this.nameMasked & 4095) === 0) await pause();
			this.nameMaskArr[this.nameMasked] = charMask(this.name(this.nameMasked));
			this.nameLenArr[this.nameMasked] = Math.min(65535, this.index.names[this.nameMasked]!.length);
		}
		return {dir: this.dirMaskArr, name: this.nameMaskArr, nameLen: this.nameLenArr};
	}
	dir(d: number): string {
		let f = this.dirs[d];
		if (f === undefined) {
			const raw = this.index.dirs[d]!;
			f = fold(raw);
			this.dirs[d] = f === raw ? raw : f;
		}
		return f;
	}
	name(n: number): string {
		let f = this.names[n];
		if (f === undefined) {
			const raw = this.index.names[n]!;
			f = fold(raw);
			this.names[n] = f === raw ? raw : f;
		}
		return f;
	}
}

/** Versions allowed by host/date filters, as a per-path flag; undefined when no snapshot filter applies. */
function allowedPaths(index: FileIndex, filters: SearchFilters): Uint8Array | undefined {
	if (!filters.hosts?.length && filters.since === undefined && filters.until === undefined) return undefined;
	const allowed = new Uint8Array(index.pathCount);
	const verPath = index.verPath.data;
	for (const [slot, s] of index.snapshots.entries()) {
		if (filters.hosts?.length && !filters.hosts.includes(s.hostname)) continue;
		if (filters.since !== undefined && s.time < filters.since) continue;
		if (filters.until !== undefined && s.time > filters.until) continue;
		index.bits[slot]!.forEach(index.versionCount, v => {
			allowed[verPath[v]!] = 1;
		});
	}
	return allowed;
}

export interface SearchOptions {
	limit?: number;
	filters?: SearchFilters;
	signal?: AbortSignal;
	/** Only scan these path ids (incremental narrowing from a previous, less specific query). */
	candidates?: Uint32Array;
	/** Time slice before yielding to the event loop. */
	sliceMs?: number;
	fold?: FoldCache;
}

export class SearchAborted extends Error {
	constructor() {
		super('search aborted');
		this.name = 'SearchAborted';
	}
}

/** The k best (score, id) pairs, kept in a min-heap so a scan never sorts all its matches. */
class TopK {
	private scores: number[] = [];
	private ids: number[] = [];
	constructor(private readonly k: number) {}
	/** Higher score wins; on a tie the lower id (earlier path) wins. */
	private better(sa: number, ia: number, sb: number, ib: number): boolean {
		return sa > sb || (sa === sb && ia < ib);
	}
	/** Whether a candidate with this score would enter the list now. */
	admits(score: number, id: number): boolean {
		return this.k > 0 && (this.scores.length < this.k || this.better(score, id, this.scores[0]!, this.ids[0]!));
	}
	offer(score: number, id: number): void {
		if (this.k === 0) return;
		const n = this.scores.length;
		if (n < this.k) {
			this.scores.push(score);
			this.ids.push(id);
			this.up(n);
		} else if (this.better(score, id, this.scores[0]!, this.ids[0]!)) {
			this.scores[0] = score;
			this.ids[0] = id;
			this.down(0);
		}
	}
	private swap(a: number, b: number): void {
		[this.scores[a], this.scores[b]] = [this.scores[b]!, this.scores[a]!];
		[this.ids[a], this.ids[b]] = [this.ids[b]!, this.ids[a]!];
	}
	private up(i: number): void {
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!this.better(this.scores[parent]!, this.ids[parent]!, this.scores[i]!, this.ids[i]!)) break;
			this.swap(i, parent);
			i = parent;
		}
	}
	private down(i: number): void {
		const n = this.scores.length;
		for (;;) {
			let worst = i;
			for (const c of [2 * i + 1, 2 * i + 2]) if (c < n && this.better(this.scores[worst]!, this.ids[worst]!, this.scores[c]!, this.ids[c]!)) worst = c;
			if (worst === i) return;
			this.swap(i, worst);
			i = worst;
		}
	}
	sorted(): Array<{score: number; id: number}> {
		return this.scores.map((score, i) => ({score, id: this.ids[i]!})).sort((a, b) => b.score - a.score || a.id - b.id);
	}
}

const unknown = -32768;

/** Cooperative time slicing: `pause()` yields to the event loop once the slice is used up, and throws when aborted. */
class Slicer {
	private start = performance.now();
	constructor(
		private readonly sliceMs: number,
		private readonly signal?: AbortSignal,
	) {}
	readonly pause = async (): Promise<void> => {
		if (performance.now() - this.start < this.sliceMs) return;
		await yieldToLoop();
		if (this.signal?.aborted) throw new SearchAborted();
		this.start = performance.now();
	};
}

/**
 * Per-term results over the unique directories and names of an index, kept across keystrokes: in
 * "tax 2023 pdf" the terms "tax" and "2023" are not recomputed while "pdf" is typed, and a term that
 * extends a remembered one ("invo" after "inv") inherits every "cannot match" it already proved.
 */
interface TermMemo {
	term: string;
	/** Greedy prefix of the term matched in the directory (+ its trailing '/'); -1 unknown. */
	dirK: Int16Array;
	/** Score when the whole term matches inside the directory; `unknown` until computed. */
	dirFull: Int16Array;
	/** nameScore, -1 when the term is not a subsequence of the name; `unknown` until computed. */
	nameScore: Int16Array;
	/** suffixNeed of the term in the name; 255 until computed. */
	nameNeed: Uint8Array;
	/** Where the greedy match of the whole term ended in the directory (valid when dirK is the full length). */
	dirPos: Int32Array;
	/** Character mask of the term (names and directories lacking one of its characters cannot match). */
	mask: number;
}

const termMemos = new WeakMap<FoldCache, {dirs: number; names: number; memos: TermMemo[]}>();
const memoLimit = 6;

async function memoFor(fold: FoldCache, term: string, pause: () => Promise<void>): Promise<TermMemo> {
	const dirs = fold.dirCount;
	const names = fold.nameCount;
	let entry = termMemos.get(fold);
	if (!entry || entry.dirs !== dirs || entry.names !== names) {
		// The index grew: memos are per directory/name id, start again.
		entry = {dirs, names, memos: []};
		termMemos.set(fold, entry);
	}
	const found = entry.memos.findIndex(m => m.term === term);
	if (found >= 0) {
		const [m] = entry.memos.splice(found, 1);
		entry.memos.push(m!);
		return m!;
	}
	const memo: TermMemo = {term, dirK: new Int16Array(dirs).fill(-1), dirFull: new Int16Array(dirs).fill(unknown), nameScore: new Int16Array(names).fill(unknown), nameNeed: new Uint8Array(names).fill(255), dirPos: new Int32Array(dirs), mask: charMask(term) & ~(1 << 31)};
	// Inherit from the longest remembered prefix: a name or directory that cannot hold "inv" cannot hold "invo".
	let base: TermMemo | undefined;
	for (const m of entry.memos) if (term.startsWith(m.term) && m.term.length < term.length && (!base || m.term.length > base.term.length)) base = m;
	if (base) {
		const len = base.term.length;
		for (let from = 0; from < names; from += 65_536) {
			await pause();
			const to = Math.min(names, from + 65_536);
			for (let n = from; n < to; n++) if (base.nameScore[n] === -1) memo.nameScore[n] = -1;
		}
		const dirNames = await fold.dirStrings(pause);
		for (let d = 0; d < dirs; d++) {
			if ((d & 8191) === 0) await pause();
			const k = base.dirK[d]!;
			if (k < 0) continue;
			// A greedy match that stopped inside the shorter term stops at the same place in the longer;
			// one that consumed it all continues from where it ended.
			if (k < len) memo.dirK[d] = k;
			else if (base.dirPos[d]! >= 0) {
				const text = dirNames[d]!;
				let i = base.dirPos[d]!;
				let kk = len;
				for (; i < text.length && kk < term.length; i++) if (text.charCodeAt(i) === term.charCodeAt(kk)) kk++;
				memo.dirPos[d] = kk === term.length ? i : -1;
				if (kk < term.length && term.charCodeAt(kk) === 47) kk++;
				memo.dirK[d] = kk;
			}
		}
	}
	// Remembered only once complete (an aborted build is simply dropped).
	if (termMemos.get(fold) === entry && !entry.memos.some(m => m.term === term)) {
		entry.memos.push(memo);
		if (entry.memos.length > memoLimit) entry.memos.shift();
	}
	return memo;
}

const yieldToLoop = () => new Promise<void>(resolve => setImmediate(resolve));

/**
 * Search the index. Resolves with ranked, deduplicated hits (one per path) and the ids of every match
 * (for narrowing the next keystroke); rejects with SearchAborted when `signal` fires.
 */
export async function search(index: FileIndex, query: string, options: SearchOptions = {}): Promise<SearchResult & {matches: Uint32Array}> {
	const started = performance.now();
	// Yield once first: keystrokes that arrive in the same tick supersede this query before it scans.
	await yieldToLoop();
	if (options.signal?.aborted) throw new SearchAborted();
	const terms = parseQuery(query);
	const limit = options.limit ?? 50;
	const filters = options.filters ?? {};
	const foldCache = options.fold ?? foldCacheFor(index);
	const slicer = new Slicer(options.sliceMs ?? 8, options.signal);
	const {pathNewest, pathAlive} = await index.derivedDataAsync(slicer.pause);
	const allowed = allowedPaths(index, filters);
	const prefix = filters.pathPrefix ? filters.pathPrefix.replace(/\/+$/, '') : undefined;
	const wantType = filters.type === undefined ? -1 : typeNames.indexOf(filters.type);
	const pathDir = index.pathDir.data;
	const pathName = index.pathName.data;
	const lastVer = index.pathLastVer.data;
	const verType = index.verType.data;
	const count = options.candidates ? options.candidates.length : index.pathCount;
	const newestTime = index.snapshots.reduce((m, s) => Math.max(m, s.time), 0);
	const oldestTime = index.snapshots.reduce((m, s) => Math.min(m, s.time), newestTime);
	const span = Math.max(1, newestTime - oldestTime);

	// Per-term memo of directory/name results: most paths share directories and many share names.
	// Typed-array memos: most paths share directories, many share names.
	const masks = await foldCache.masks(slicer.pause);
	const termMemos: TermMemo[] = [];
	for (const t of terms) termMemos.push(await memoFor(foldCache, t, slicer.pause));
	const dirK = termMemos.map(m => m.dirK);
	const nameNeed = termMemos.map(m => m.nameNeed);
	const dirFull = termMemos.map(m => m.dirFull);
	const nameMemo = termMemos.map(m => m.nameScore);
	const dirPos = termMemos.map(m => m.dirPos);
	const termMasks = termMemos.map(m => m.mask);
	const matchBuf = new Uint32Array(count);
	let matchCount = 0;
	const top = new TopK(terms.length === 0 ? 0 : limit);

	const nameMask = masks.name;
	const candidates = options.candidates;
	const nameLens = masks.nameLen;

	/**
	 * Scan paths [from, to). Synchronous on purpose: V8 optimises a plain loop far better than one
	 * inside an async function (measured: ~8× per path), so the async driver below only slices.
	 */
	const scan = (from: number, to: number): void => {
		for (let i = from; i < to; i++) {
			const p = candidates ? candidates[i]! : i;
			if (!pathAlive[p]) continue;
			if (allowed && !allowed[p]) continue;
			if (wantType >= 0 && verType[lastVer[p]!] !== wantType) continue;
			const d = pathDir[p]!;
			const n = pathName[p]!;
			if (prefix !== undefined) {
				const dir = index.dirs[d]!;
				if (!(dir === prefix || dir.startsWith(`${prefix}/`) || `${dir}/${index.names[n]}` === prefix)) continue;
			}
			let score = 0;
			let ok = true;
			let spanning = 0;
			for (let t = 0; t < terms.length; t++) {
				const term = terms[t]!;
				// Name-only match (memoised per name): the best case.
				const memo = nameMemo[t]!;
				let ns = memo[n]!;
				if (ns === unknown) {
					const tm = termMasks[t]!;
					ns = (nameMask[n]! & tm) === tm ? nameScore(term, foldCache.name(n)) : -1;
					memo[n] = ns;
				}
				if (ns >= 0) {
					score += ns;
					continue;
				}
				// Otherwise the term must span directory and name: greedy prefix in "dir/", rest in the name.
				const dk = dirK[t]!;
				let k = dk[d]!;
				if (k < 0) {
					const text = foldCache.dir(d);
					let i = 0;
					k = 0;
					for (; i < text.length && k < term.length; i++) if (text.charCodeAt(i) === term.charCodeAt(k)) k++;
					dirPos[t]![d] = k === term.length ? i : -1;
					// The '/' between directory and name can match a '/' in the term.
					if (k < term.length && term.charCodeAt(k) === 47) k++;
					dk[d] = k;
				}
				if (k === term.length) {
					const df = dirFull[t]!;
					let ds = df[d]!;
					if (ds === unknown) {
						ds = Math.max(dirScore(term, foldCache.dir(d)), piecesScore(pieces(term, foldCache.dir(d))) - 10);
						df[d] = ds;
					}
					score += ds;
					continue;
				}
				let need = nameNeed[t]![n]!;
				if (need === 255) {
					need = suffixNeed(term, foldCache.name(n));
					nameNeed[t]![n] = need;
				}
				if (need <= k) {
					// Spans directory and name: ranked below by how few pieces it breaks into.
					spanning |= 1 << t;
					continue;
				}
				ok = false;
				break;
			}
			if (!ok) continue;
			score -= Math.min(20, nameLens[n]! / 8);
			score += (10 * (pathNewest[p]! - oldestTime)) / span;
			matchBuf[matchCount++] = p;
			if (spanning !== 0) {
				// Ranked after the scan, once the top list holds the best plain matches: most spanning
				// paths then never pay for their (costly) piece count.
				if (spanCount === spanPaths.length) {
					const grownP = new Uint32Array(spanPaths.length * 2 + 1024);
					grownP.set(spanPaths);
					spanPaths = grownP;
					const grownS = new Float64Array(grownP.length);
					grownS.set(spanScores);
					spanScores = grownS;
					const grownM = new Uint32Array(grownP.length);
					grownM.set(spanMasks);
					spanMasks = grownM;
				}
				spanPaths[spanCount] = p;
				spanScores[spanCount] = score;
				spanMasks[spanCount++] = spanning;
				continue;
			}
			top.offer(score, p);
		}
	};

	let spanPaths = new Uint32Array(0);
	let spanScores = new Float64Array(0);
	let spanMasks = new Uint32Array(0);
	let spanCount = 0;
	const chunk = 16_384;
	for (let i = 0; i < count; i += chunk) {
		await slicer.pause();
		scan(i, Math.min(count, i + chunk));
	}
	for (let j = 0; j < spanCount; j++) {
		if ((j & 1023) === 0) await slicer.pause();
		const p = spanPaths[j]!;
		const spanning = spanMasks[j]!;
		let score = spanScores[j]!;
		let upper = score;
		for (let t = 0; t < terms.length; t++) if (spanning & (1 << t)) upper += 45;
		if (!top.admits(upper, p)) continue;
		const full = `${foldCache.dir(pathDir[p]!)}/${foldCache.name(pathName[p]!)}`;
		for (let t = 0; t < terms.length; t++) if (spanning & (1 << t)) score += piecesScore(pieces(terms[t]!, full));
		top.offer(score, p);
	}
	if (options.signal?.aborted) throw new SearchAborted();

	const hits: SearchHit[] = [];
	for (const {score, id: p} of top.sorted()) {
		const path = index.path(p);
		hits.push({pathId: p, path, score: Math.round(score * 10) / 10, type: typeNames[verType[lastVer[p]!]!]!, newest: pathNewest[p]!, positions: matchPositions(terms, path)});
	}
	return {query, hits, total: terms.length === 0 ? 0 : matchCount, scanned: count, ms: performance.now() - started, matches: matchBuf.slice(0, matchCount)};
}

/**
 * Keystroke-by-keystroke searching: keeps the matches of earlier queries so that a query that only
 * extends the previous one scans just those (and backspace reuses the stack), and cancels stale work.
 */
export class IncrementalSearch {
	private stack: Array<{query: string; filtersKey: string; generation: number; matches: Uint32Array}> = [];
	private controller: AbortController | undefined;
	readonly fold: FoldCache;

	constructor(private readonly index: FileIndex) {
		this.fold = foldCacheFor(index);
	}

	/** Run a query, cancelling the previous one. Rejects with SearchAborted if superseded. */
	async run(query: string, options: {limit?: number; filters?: SearchFilters} = {}): Promise<SearchResult> {
		this.controller?.abort();
		const controller = new AbortController();
		this.controller = controller;
		const filtersKey = JSON.stringify(options.filters ?? {});
		const folded = fold(query);
		const generation = this.index.generation;
		// Narrow from the longest earlier query this one extends (same terms count, same filters).
		while (this.stack.length > 0) {
			const top = this.stack.at(-1)!;
			if (top.generation === generation && top.filtersKey === filtersKey && folded.startsWith(top.query) && parseQuery(top.query).length <= parseQuery(folded).length && !/\s$/.test(top.query)) break;
			this.stack.pop();
		}
		const base = this.stack.at(-1);
		const result = await search(this.index, query, {...options, signal: controller.signal, candidates: base && parseQuery(base.query).length > 0 ? base.matches : undefined, fold: this.fold});
		if (parseQuery(folded).length > 0) this.stack.push({query: folded, filtersKey, generation, matches: result.matches});
		return result;
	}

	cancel(): void {
		this.controller?.abort();
	}
}
