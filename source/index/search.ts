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
	/** Matches before the limit was applied (a lower bound while `totalExact` is false). */
	total: number;
	/** False when the hits came first and the full count is still being made (see IncrementalSearch). */
	totalExact?: boolean;
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

/** Where the last greedyFrom call stopped in `text` (just after its last matched character). */
let greedyEnd = 0;

/**
 * Continue a greedy subsequence match of `term` (from its character k) in `text` (from index i), with
 * native indexOf per character rather than a JS loop over the text. Returns how many characters of the
 * term matched in all; greedyEnd says where in the text the match ended.
 */
function greedyFrom(term: string, text: string, i: number, k: number): number {
	while (k < term.length) {
		const at = text.indexOf(term[k]!, i);
		if (at < 0) break;
		i = at + 1;
		k++;
	}
	greedyEnd = i;
	return k;
}

/** Smallest k such that term[k..] is a subsequence of text (greedy from the end). */
export function suffixNeed(term: string, text: string): number {
	let i = text.length - 1;
	let k = term.length;
	while (k > 0 && i >= 0) {
		const at = text.lastIndexOf(term[k - 1]!, i);
		if (at < 0) break;
		i = at - 1;
		k--;
	}
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
	const sub = substringScore(term, name);
	if (sub >= 0) return sub;
	if (suffixNeed(term, name) === 0) return piecesScore(pieces(term, name)) - 15;
	return -1;
}

/** Score of a term found contiguously in a base name (≥ 100), or -1 when it is not a substring of it. */
function substringScore(term: string, name: string): number {
	const at = name.indexOf(term);
	if (at < 0) return -1;
	let s = 100;
	if (at === 0 || isBoundary(name.charCodeAt(at - 1))) s += 40;
	if (term.length === name.length) s += 30;
	else if (at === 0 && isBoundary(name.charCodeAt(term.length))) s += 15;
	return s;
}

/**
 * Bounds used to stop a name-first search early (see fastByName): a path whose name does not contain
 * the term contiguously scores at most this much for it (directory ≤ 45, spanning ≤ 45, a scattered
 * match inside the name ≤ 20), and recency adds at most 10.
 */
const nonSubstringBound = 45;
const recencyMax = 10;

/** Score of a term found contiguously in a directory: 45 at a word start, 35 mid-word, -1 when absent. */
function dirSubstringScore(term: string, dir: string): number {
	const at = dir.indexOf(term);
	if (at < 0) return -1;
	return at === 0 || isBoundary(dir.charCodeAt(at - 1)) ? 45 : 35;
}

function dirScore(term: string, dir: string): number {
	const sub = dirSubstringScore(term, dir);
	return sub < 0 ? 5 : sub;
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
		// In batches, each computed synchronously right after a pause: two searches running this at once
		// (they interleave at every pause) then never compute the same entries or run past the end.
		while (this.dirMasked < this.index.dirs.length) {
			await pause();
			this.fitArrays();
			const from = this.dirMasked;
			const to = Math.min(this.index.dirs.length, from + 4096);
			for (let d = from; d < to; d++) this.dirMaskArr[d] = charMask(this.dir(d));
			this.dirMasked = Math.max(this.dirMasked, to);
		}
		while (this.nameMasked < this.index.names.length) {
			await pause();
			this.fitArrays();
			const from = this.nameMasked;
			const to = Math.min(this.index.names.length, from + 4096);
			for (let n = from; n < to; n++) {
				this.nameMaskArr[n] = charMask(this.name(n));
				this.nameLenArr[n] = Math.min(65535, this.index.names[n]!.length);
			}
			this.nameMasked = Math.max(this.nameMasked, to);
		}
		// (A caller that finds everything done still gets arrays sized for the whole index.)
		this.fitArrays();
		return {dir: this.dirMaskArr, name: this.nameMaskArr, nameLen: this.nameLenArr};
	}

	/** Grow the mask and length arrays to the index's current size (doubling, keeping what is computed). */
	private fitArrays(): void {
		const grow = <T extends Int32Array<ArrayBufferLike> | Uint16Array<ArrayBufferLike>>(arr: T, need: number, make: (n: number) => T): T => {
			if (arr.length >= need) return arr;
			const next = make(Math.max(need, arr.length * 2));
			next.set(arr);
			return next;
		};
		this.dirMaskArr = grow(this.dirMaskArr, this.index.dirs.length, n => new Int32Array(n));
		this.nameMaskArr = grow(this.nameMaskArr, this.index.names.length, n => new Int32Array(n));
		this.nameLenArr = grow(this.nameLenArr, this.index.names.length, n => new Uint16Array(n));
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
	private up(i: number): void {
		const scores = this.scores;
		const ids = this.ids;
		const s = scores[i]!;
		const id = ids[i]!;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!this.better(scores[parent]!, ids[parent]!, s, id)) break;
			scores[i] = scores[parent]!;
			ids[i] = ids[parent]!;
			i = parent;
		}
		scores[i] = s;
		ids[i] = id;
	}
	private down(i: number): void {
		const scores = this.scores;
		const ids = this.ids;
		const n = scores.length;
		const s = scores[i]!;
		const id = ids[i]!;
		for (;;) {
			const left = 2 * i + 1;
			if (left >= n) break;
			// The worse child (the heap keeps the worst entry on top).
			let child = left;
			const right = left + 1;
			if (right < n && this.better(scores[left]!, ids[left]!, scores[right]!, ids[right]!)) child = right;
			if (!this.better(s, id, scores[child]!, ids[child]!)) break;
			scores[i] = scores[child]!;
			ids[i] = ids[child]!;
			i = child;
		}
		scores[i] = s;
		ids[i] = id;
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
class TermMemo {
	/** Greedy prefix of the term matched in the directory (+ its trailing '/'); -1 unknown. */
	dirK = new Int16Array(0);
	/** Score when the whole term matches inside the directory; `unknown` until computed. */
	dirFull = new Int16Array(0);
	/** suffixNeed of the term in the name; 255 until computed. */
	nameNeed = new Uint8Array(0);
	/** Where the greedy match of the whole term ended in the directory (valid when dirK is the full length). */
	dirPos = new Int32Array(0);
	/** nameScore, -1 when the term is not a subsequence of the name; `unknown` until computed. */
	nameScore: Int16Array;
	/** substringScore per name; `unknown` until computed (filled by fastByName). */
	nameSub: Int16Array;
	/** dirScore per directory when the term is a substring of it (45 / 35), else -1; `unknown` until computed. */
	dirSub: Int16Array;
	/** Character mask of the term (names and directories lacking one of its characters cannot match). */
	mask = 0;
	/** The remembered shorter term this one extends, until its directory results are inherited. */
	dirBase: TermMemo | undefined = undefined;
	/** Whether dirK, dirFull, dirPos and nameNeed are sized and reset for this term (a full scan needs them). */
	scanReady = false;
	/** Searches working with this memo right now (it is never recycled while > 0). */
	users = 0;
	term = '';

	// One class, every field set here: memos then share one shape, and the hot loops that read their
	// arrays stay monomorphic (object spreads of recycled memos made them megamorphic: 2× slower).
	constructor(names: number, dirs: number) {
		this.nameScore = new Int16Array(names);
		this.nameSub = new Int16Array(names);
		this.dirSub = new Int16Array(dirs);
	}

	/** Make this memo (new or recycled) the empty memo of `term`. */
	reset(term: string): this {
		this.term = term;
		this.mask = charMask(term) & ~(1 << 31);
		this.dirBase = undefined;
		this.scanReady = false;
		this.users = 0;
		this.nameScore.fill(unknown);
		this.nameSub.fill(unknown);
		this.dirSub.fill(unknown);
		return this;
	}
}

const termMemos = new WeakMap<FoldCache, {dirs: number; names: number; memos: TermMemo[]; free: TermMemo[]}>();
const memoLimit = 4;

/** Mark a memo as in use by a search (undone with users--): it is then never recycled under it. */
function holdMemo(memo: TermMemo): TermMemo {
	memo.users++;
	return memo;
}

async function memoFor(fold: FoldCache, term: string, pause: () => Promise<void>, needDirs = true, inherit = true): Promise<TermMemo> {
	const dirs = fold.dirCount;
	const names = fold.nameCount;
	let entry = termMemos.get(fold);
	if (!entry || entry.dirs !== dirs || entry.names !== names) {
		// The index grew: memos are per directory/name id, start again.
		entry = {dirs, names, memos: [], free: []};
		termMemos.set(fold, entry);
	}
	const found = entry.memos.findIndex(m => m.term === term);
	let memo: TermMemo;
	if (found >= 0) {
		memo = entry.memos.splice(found, 1)[0]!;
		entry.memos.push(memo);
	} else {
		// The arrays only a full scan uses are allocated when one first needs them (scanReady).
		memo = (entry.free.pop() ?? new TermMemo(names, dirs)).reset(term);
		// Inherit from the longest remembered prefix: a name or directory that cannot hold "inv" cannot hold "invo".
		// (Not worth a pass over every name and directory when only a few paths will be looked at.)
		let base: TermMemo | undefined;
		if (inherit) for (const m of entry.memos) if (term.startsWith(m.term) && m.term.length < term.length && (!base || m.term.length > base.term.length)) base = m;
		if (base) {
			for (let from = 0; from < names; from += 65_536) {
				await pause();
				const to = Math.min(names, from + 65_536);
				for (let n = from; n < to; n++) {
					if (base.nameScore[n] === -1) memo.nameScore[n] = -1;
					// Not containing "inv" contiguously means not containing "invo" either.
					if (base.nameSub[n] === -1) memo.nameSub[n] = -1;
				}
			}
			memo.dirBase = base;
			for (let from = 0; from < dirs; from += 65_536) {
				await pause();
				const to = Math.min(dirs, from + 65_536);
				for (let d = from; d < to; d++) if (base.dirSub[d] === -1) memo.dirSub[d] = -1;
			}
		}
		// Remembered once its names are done (an aborted build is simply dropped).
		if (termMemos.get(fold) === entry && !entry.memos.some(m => m.term === term)) {
			entry.memos.push(memo);
			// The evicted memo's arrays are reused by the next term: megabytes of typed arrays per keystroke
			// would otherwise push V8 into frequent full garbage collections (30 ms pauses at 1.5 M paths).
			if (entry.memos.length > memoLimit) {
				const evicted = entry.memos.shift()!;
				for (const m of entry.memos) if (m.dirBase === evicted) m.dirBase = undefined;
				// A search still working with it keeps it; it is simply not recycled then.
				if (evicted.users === 0) entry.free.push(evicted);
			}
		}
	}
	// Directories only matter to the full scan: the name-first path never pays for them.
	if (needDirs && !memo.scanReady) {
		// (A reused memo may still hold these arrays from its previous term.)
		if (memo.dirK.length !== dirs) memo.dirK = new Int16Array(dirs);
		if (memo.dirFull.length !== dirs) memo.dirFull = new Int16Array(dirs);
		if (memo.dirPos.length !== dirs) memo.dirPos = new Int32Array(dirs);
		if (memo.nameNeed.length !== names) memo.nameNeed = new Uint8Array(names);
		memo.dirK.fill(-1);
		memo.dirFull.fill(unknown);
		memo.dirPos.fill(0);
		memo.nameNeed.fill(255);
		memo.scanReady = true;
	}
	if (needDirs && memo.dirBase) {
		if (memo.dirBase.scanReady) await inheritDirs(fold, memo, memo.dirBase, pause);
		else memo.dirBase = undefined;
	}
	return memo;
}

async function inheritDirs(fold: FoldCache, memo: TermMemo, base: TermMemo, pause: () => Promise<void>): Promise<void> {
	const term = memo.term;
	const len = base.term.length;
	const dirNames = await fold.dirStrings(pause);
	const dirs = memo.dirK.length;
	for (let d = 0; d < dirs; d++) {
		if ((d & 8191) === 0) await pause();
		// Values already there are final (computed or inherited before an interruption).
		if (memo.dirK[d]! >= 0) continue;
		const k = base.dirK[d]!;
		if (k < 0) continue;
		// A greedy match that stopped inside the shorter term stops at the same place in the longer;
		// one that consumed it all continues from where it ended.
		if (k < len) memo.dirK[d] = k;
		else if (base.dirPos[d]! >= 0) greedyDir(term, dirNames[d]!, d, memo.dirK, memo.dirPos, base.dirPos[d]!, len);
	}
	memo.dirBase = undefined;
}

const scratch = new WeakMap<FileIndex, {buf: Uint32Array; busy: boolean}>();

/** The index's scratch buffer if no other scan holds it (searches interleave), else a fresh one. */
function takeScratch(index: FileIndex, count: number): {buf: Uint32Array; release: () => void} {
	let entry = scratch.get(index);
	if (entry?.busy) return {buf: new Uint32Array(count), release: () => undefined};
	if (!entry || entry.buf.length < count) {
		entry = {buf: new Uint32Array(Math.max(count, index.pathCount)), busy: false};
		scratch.set(index, entry);
	}
	const held = entry;
	held.busy = true;
	return {buf: held.buf, release: () => (held.busy = false)};
}

/** The earlier match lists kept for narrowing, at most this many path ids in all (4 bytes each). */
const stackBudget = 4_000_000;

const yieldToLoop = () => new Promise<void>(resolve => setImmediate(resolve));

/** Everything one scan needs, handed to scanPaths as one object (its fields become locals there). */
interface ScanState {
	terms: string[];
	candidates: Uint32Array | undefined;
	pathAlive: Uint8Array;
	allowed: Uint8Array | undefined;
	wantType: number;
	verType: Uint8Array;
	lastVer: Int32Array;
	pathDir: Uint32Array;
	pathName: Uint32Array;
	prefix: string | undefined;
	index: FileIndex;
	fold: FoldCache;
	nameMemo: Int16Array[];
	nameMask: Int32Array<ArrayBufferLike>;
	termMasks: number[];
	/** Per term: suffixMasks[k] is the character mask of term[k..]. */
	suffixMasks: Int32Array[];
	dirK: Int16Array[];
	dirPos: Int32Array[];
	dirFull: Int16Array[];
	nameNeed: Uint8Array[];
	nameLens: Uint16Array<ArrayBufferLike>;
	pathNewest: Float64Array;
	oldestTime: number;
	span: number;
	matchBuf: Uint32Array;
	matchCount: number;
	top: TopK;
	/** Matches that span directory and name, ranked after the scan (piece counts are costly). */
	spanPaths: Uint32Array;
	spanScores: Float64Array;
	spanMasks: Uint32Array;
	spanCount: number;
}

/**
 * Scan paths [from, to). A plain synchronous function with its inputs in locals: V8 optimises this
 * far better than a loop inside an async function or a closure over its variables, so the async
 * driver only slices.
 */
function scanPaths(st: ScanState, from: number, to: number): void {
	const {terms, candidates, pathAlive, allowed, wantType, verType, lastVer, pathDir, pathName, prefix, index, fold, nameMemo, nameMask, termMasks, suffixMasks, dirK, dirPos, dirFull, nameNeed, nameLens, pathNewest, oldestTime, span, matchBuf, top} = st;
	const termCount = terms.length;
	let matchCount = st.matchCount;
	for (let i = from; i < to; i++) {
		const p = candidates ? candidates[i]! : i;
		if (pathAlive[p] === 0) continue;
		if (allowed && allowed[p] === 0) continue;
		if (wantType >= 0 && verType[lastVer[p]!] !== wantType) continue;
		const d = pathDir[p]!;
		const n = pathName[p]!;
		if (prefix !== undefined && !underPrefix(index, d, n, prefix)) continue;
		let score = 0;
		let ok = true;
		let spanning = 0;
		for (let t = 0; t < termCount; t++) {
			// Name-only match (memoised per name): the best case.
			const memo = nameMemo[t]!;
			let ns = memo[n]!;
			if (ns === unknown) {
				const tm = termMasks[t]!;
				ns = (nameMask[n]! & tm) === tm ? nameScore(terms[t]!, fold.name(n)) : -1;
				memo[n] = ns;
			}
			if (ns >= 0) {
				score += ns;
				continue;
			}
			// Otherwise the term must span directory and name: greedy prefix in "dir/", rest in the name.
			const dk = dirK[t]!;
			let k = dk[d]!;
			if (k < 0) k = greedyDir(terms[t]!, fold.dir(d), d, dk, dirPos[t]!);
			const termLen = terms[t]!.length;
			if (k === termLen) {
				const df = dirFull[t]!;
				let ds = df[d]!;
				if (ds === unknown) {
					const dir = fold.dir(d);
					ds = Math.max(dirScore(terms[t]!, dir), piecesScore(pieces(terms[t]!, dir)) - 10);
					df[d] = ds;
				}
				score += ds;
				continue;
			}
			// The rest of the term must fit in the name: nothing consumed by the directory means it had to
			// match the name alone (it did not), and a character of the rest missing from the name rules it out.
			if (k === 0) {
				ok = false;
				break;
			}
			const restMask = suffixMasks[t]![k]!;
			if ((nameMask[n]! & restMask) !== restMask) {
				ok = false;
				break;
			}
			const needs = nameNeed[t]!;
			let need = needs[n]!;
			if (need === 255) {
				need = suffixNeed(terms[t]!, fold.name(n));
				needs[n] = need;
			}
			if (need <= k) {
				spanning |= 1 << t;
				continue;
			}
			ok = false;
			break;
		}
		if (!ok) continue;
		score -= Math.min(20, nameLens[n]! / 8);
		score += (recencyMax * (pathNewest[p]! - oldestTime)) / span;
		matchBuf[matchCount++] = p;
		if (spanning !== 0) {
			if (st.spanCount === st.spanPaths.length) growSpans(st);
			const at = st.spanCount++;
			st.spanPaths[at] = p;
			st.spanScores[at] = score;
			st.spanMasks[at] = spanning;
			continue;
		}
		const key = tieKey(n, p);
		if (top.admits(score, key)) top.offer(score, key);
	}
	st.matchCount = matchCount;
}

/**
 * Greedy prefix of `term` matched in directory `dir` (+ its trailing '/'), memoised for directory d.
 * `from`/`k0` continue the match of a shorter term that ended there (see inheritDirs).
 */
function greedyDir(term: string, dir: string, d: number, dk: Int16Array, pos: Int32Array, from = 0, k0 = 0): number {
	let k = greedyFrom(term, dir, from, k0);
	pos[d] = k === term.length ? greedyEnd : -1;
	// The '/' between directory and name can match a '/' in the term.
	if (k < term.length && term.charCodeAt(k) === 47) k++;
	dk[d] = k;
	return k;
}

function growSpans(st: ScanState): void {
	const size = st.spanPaths.length * 2;
	const p = new Uint32Array(size);
	p.set(st.spanPaths);
	st.spanPaths = p;
	const sc = new Float64Array(size);
	sc.set(st.spanScores);
	st.spanScores = sc;
	const m = new Uint32Array(size);
	m.set(st.spanMasks);
	st.spanMasks = m;
}

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
	const foldCache = options.fold ?? foldCacheFor(index);
	const slicer = new Slicer(options.sliceMs ?? 8, options.signal);
	const {pathNewest, pathAlive} = await index.derivedDataAsync(slicer.pause);
	const {allowed, prefix, wantType} = pathFilterOf(index, options.filters ?? {});
	const pathDir = index.pathDir.data;
	const pathName = index.pathName.data;
	const count = options.candidates ? options.candidates.length : index.pathCount;
	const {oldestTime, span} = timeSpan(index);
	const masks = await foldCache.masks(slicer.pause);

	// Per-term memo of directory/name results: most paths share directories and many share names.
	const termMemos: TermMemo[] = [];
	let held: {buf: Uint32Array; release: () => void} | undefined;
	try {
		for (const t of terms) termMemos.push(holdMemo(await memoFor(foldCache, t, slicer.pause, true, count > 20_000)));
		// One scratch buffer per index, reused by every scan (the matches are copied out at the end).
		held = takeScratch(index, count);
		const top = new TopK(terms.length === 0 ? 0 : limit);
		const st: ScanState = {
			terms,
			candidates: options.candidates,
			pathAlive,
			allowed,
			wantType,
			verType: index.verType.data,
			lastVer: index.pathLastVer.data,
			pathDir,
			pathName,
			prefix,
			index,
			fold: foldCache,
			nameMemo: termMemos.map(m => m.nameScore),
			nameMask: masks.name,
			termMasks: termMemos.map(m => m.mask),
			suffixMasks: terms.map(t => {
				const suffix = new Int32Array(t.length + 1);
				for (let k = t.length - 1; k >= 0; k--) suffix[k] = (suffix[k + 1]! | charMask(t[k]!)) & ~(1 << 31);
				return suffix;
			}),
			dirK: termMemos.map(m => m.dirK),
			dirPos: termMemos.map(m => m.dirPos),
			dirFull: termMemos.map(m => m.dirFull),
			nameNeed: termMemos.map(m => m.nameNeed),
			nameLens: masks.nameLen,
			pathNewest,
			oldestTime,
			span,
			matchBuf: held.buf,
			matchCount: 0,
			top,
			spanPaths: new Uint32Array(1024),
			spanScores: new Float64Array(1024),
			spanMasks: new Uint32Array(1024),
			spanCount: 0,
		};
		const chunk = 16_384;
		for (let i = 0; i < count; i += chunk) {
			await slicer.pause();
			scanPaths(st, i, Math.min(count, i + chunk));
		}
		const {spanPaths, spanScores, spanMasks, spanCount, matchCount} = st;
		// A term without '/' that spans directory and name breaks into at least two pieces (one piece would
		// lie inside the name or the directory, which are matched before): its score is at most 35. That
		// tight bound lets the top list turn most spanning paths away before their piece count.
		const spanUpper = terms.map(t => piecesScore(t.includes('/') ? 1 : 2));
		for (let j = 0; j < spanCount; j++) {
			if ((j & 1023) === 0) await slicer.pause();
			const p = spanPaths[j]!;
			const spanning = spanMasks[j]!;
			let score = spanScores[j]!;
			let upper = score;
			for (let t = 0; t < terms.length; t++) if (spanning & (1 << t)) upper += spanUpper[t]!;
			const key = tieKey(pathName[p]!, p);
			if (!top.admits(upper, key)) continue;
			const full = `${foldCache.dir(pathDir[p]!)}/${foldCache.name(pathName[p]!)}`;
			for (let t = 0; t < terms.length; t++) if (spanning & (1 << t)) score += piecesScore(pieces(terms[t]!, full));
			top.offer(score, key);
		}
		if (options.signal?.aborted) throw new SearchAborted();

		const hits = hitsOf(index, terms, top.sorted(), pathNewest);
		return {query, hits, total: terms.length === 0 ? 0 : matchCount, scanned: count, ms: performance.now() - started, matches: held.buf.slice(0, matchCount)};
	} finally {
		for (const m of termMemos) m.users--;
		held?.release();
	}
}

/** The per-path filters of a search: snapshot membership (hosts, dates), a path prefix, an entry type. */
function pathFilterOf(index: FileIndex, filters: SearchFilters): {allowed: Uint8Array | undefined; prefix: string | undefined; wantType: number} {
	return {
		allowed: allowedPaths(index, filters),
		prefix: filters.pathPrefix ? filters.pathPrefix.replace(/\/+$/, '') : undefined,
		wantType: filters.type === undefined ? -1 : typeNames.indexOf(filters.type),
	};
}

/**
 * Ties in score are broken by (name id, path id), packed into one number: the name-first search walks
 * names in id order, so once a name cannot win a tie, no later name in its score bucket can either.
 */
const keyShift = 16_777_216; // 2^24 paths
const tieKey = (n: number, p: number): number => n * keyShift + p;
const pathOfKey = (key: number): number => key % keyShift;

/** Paths grouped by base name (CSR): the paths of name n are paths[start[n] .. start[n + 1]). */
interface NamePaths {
	generation: number;
	pathCount: number;
	start: Uint32Array;
	paths: Uint32Array;
	/** Per name: the newest snapshot time of any of its paths (bounds the recency bonus). */
	newest: Float64Array;
}

const namePathsCache = new WeakMap<FileIndex, NamePaths>();
const dirPathsCache = new WeakMap<FileIndex, NamePaths>();

/** Paths grouped by base name, with each name's newest snapshot time. */
function namePathsFor(index: FileIndex, pathNewest: Float64Array, pause: () => Promise<void>): Promise<NamePaths> {
	return groupedPaths(index, namePathsCache, index.pathName.data, index.names.length, pathNewest, pause);
}

/** Paths grouped by directory (direct children), with each directory's newest snapshot time. */
function dirPathsFor(index: FileIndex, pathNewest: Float64Array, pause: () => Promise<void>): Promise<NamePaths> {
	return groupedPaths(index, dirPathsCache, index.pathDir.data, index.dirs.length, pathNewest, pause);
}

async function groupedPaths(index: FileIndex, cache: WeakMap<FileIndex, NamePaths>, groupOf: Uint32Array, groups: number, pathNewest: Float64Array, pause: () => Promise<void>): Promise<NamePaths> {
	const cached = cache.get(index);
	if (cached && cached.generation === index.generation && cached.pathCount === index.pathCount && cached.start.length === groups + 1) return cached;
	const count = index.pathCount;
	const start = new Uint32Array(groups + 1);
	const newest = new Float64Array(groups);
	for (let p = 0; p < count; p++) {
		const g = groupOf[p]!;
		start[g + 1]!++;
		if (pathNewest[p]! > newest[g]!) newest[g] = pathNewest[p]!;
	}
	await pause();
	for (let g = 0; g < groups; g++) start[g + 1]! += start[g]!;
	const fill = start.slice(0, groups);
	const paths = new Uint32Array(count);
	for (let p = 0; p < count; p++) paths[fill[groupOf[p]!]!++] = p;
	const built: NamePaths = {generation: index.generation, pathCount: count, start, paths, newest};
	cache.set(index, built);
	return built;
}

/**
 * Name-first search: walk the names that contain every term contiguously, best summed score first,
 * and rank only their paths. A path whose name lacks a term scores at most 45 for it (see
 * nonSubstringBound), so once `limit` such paths are found above that bound the top list is exactly
 * the full scan's, found without visiting the other million paths. A single term that is not in
 * enough names is next looked for in directories (at a word start). Returns undefined when the proof
 * fails; the caller then scans.
 */
async function fastByName(index: FileIndex, terms: readonly string[], foldCache: FoldCache, limit: number, filters: SearchFilters, slicer: Slicer): Promise<SearchHit[] | undefined> {
	if (limit <= 0 || terms.length === 0 || index.pathCount >= keyShift) return undefined;
	const memos: TermMemo[] = [];
	try {
		for (const t of terms) memos.push(holdMemo(await memoFor(foldCache, t, slicer.pause, false)));
		const term = terms[0]!;
		const memo = memos[0]!;
		const masks = await foldCache.masks(slicer.pause);
		const {pathNewest, pathAlive} = await index.derivedDataAsync(slicer.pause);
		const byName = await namePathsFor(index, pathNewest, slicer.pause);
		const pathDir = index.pathDir.data;
		const pathName = index.pathName.data;
		const names = foldCache.nameCount;
		const nameMask = masks.name;
		// Per term, the substring score of every name (100 … 170); a name qualifies when it holds every
		// term. Names are counted per summed score, and each term's best score bounds everything else.
		const perScore = new Uint32Array(171 * terms.length);
		const subs = memos.map(m => m.nameSub);
		const termMasks = memos.map(m => m.mask);
		const termCount = memos.length;
		const bestSub = terms.map(() => -1);
		let matching = new Uint32Array(1024);
		let matched = 0;
		for (let from = 0; from < names; from += 16_384) {
			await slicer.pause();
			const to = Math.min(names, from + 16_384);
			for (let n = from; n < to; n++) {
				let total = 0;
				for (let t = 0; t < termCount; t++) {
					const subT = subs[t]!;
					let sc = subT[n]!;
					if (sc === unknown) {
						const tm = termMasks[t]!;
						sc = (nameMask[n]! & tm) === tm ? substringScore(terms[t]!, foldCache.name(n)) : -1;
						subT[n] = sc;
					}
					if (sc > bestSub[t]!) bestSub[t] = sc;
					if (sc < 0) {
						total = -1;
						// Later terms still need their best score when there is more than one.
						if (termCount === 1) break;
						continue;
					}
					if (total >= 0) total += sc;
				}
				if (total < 0) continue;
				perScore[total]!++;
				if (matched === matching.length) {
					const grown = new Uint32Array(matching.length * 2);
					grown.set(matching);
					matching = grown;
				}
				matching[matched++] = n;
			}
		}
		const scoreOf = (n: number): number => {
			let total = 0;
			for (const m of memos) total += m.nameSub[n]!;
			return total;
		};
		// A path missing one term from its name scores at most 45 for that term (see nonSubstringBound).
		let otherBound = 0;
		for (let t = 0; t < terms.length; t++) {
			let b = nonSubstringBound;
			for (let u = 0; u < terms.length; u++) if (u !== t) b += Math.max(nonSubstringBound, bestSub[u]!);
			otherBound = Math.max(otherBound, b);
		}
		const {allowed, prefix, wantType} = pathFilterOf(index, filters);
		const {oldestTime, span} = timeSpan(index);
		const recency = (time: number) => (recencyMax * (time - oldestTime)) / span;
		const top = new TopK(limit);
		const nameLens = masks.nameLen;
		const lastVer = index.pathLastVer.data;
		const verType = index.verType.data;
		const {start, paths, newest} = byName;
		let filled = 0;
		let visited = 0;
		/** Offer path p (directory d, name n) with its score before recency, if it passes the filters. */
		const offer = (p: number, d: number, n: number, base: number): void => {
			if (pathAlive[p] === 0 || (allowed && allowed[p] === 0)) return;
			if (wantType >= 0 && verType[lastVer[p]!] !== wantType) return;
			if (prefix !== undefined && !underPrefix(index, d, n, prefix)) return;
			const exact = base + recency(pathNewest[p]!);
			const key = tieKey(n, p);
			if (top.admits(exact, key)) {
				top.offer(exact, key);
				filled++;
			}
		};
		for (let score = perScore.length - 1; score >= 0; score--) {
			if (perScore[score] === 0) continue;
			// Nothing in this bucket or below can enter the list any more.
			if (filled >= limit && !top.admits(score + recencyMax, -1)) break;
			for (let m = 0; m < matched; m++) {
				if ((++visited & 16_383) === 0) await slicer.pause();
				const n = matching[m]!;
				if (start[n] === start[n + 1] || scoreOf(n) !== score) continue;
				const base = score - Math.min(20, nameLens[n]! / 8);
				// The best any path of this name can do: its newest snapshot, its lowest tie key.
				if (filled >= limit && !top.admits(base + recency(newest[n]!), tieKey(n, paths[start[n]!]!))) continue;
				for (let j = start[n]!; j < start[n + 1]!; j++) {
					if ((++visited & 16_383) === 0) await slicer.pause();
					const p = paths[j]!;
					offer(p, pathDir[p]!, n, base);
				}
			}
		}
		// Exact if every path outside the walked names scores below the weakest hit.
		if (filled >= limit && !top.admits(otherBound + recencyMax, -1)) return hitsOf(index, terms, top.sorted(), pathNewest);
		if (terms.length > 1 || term.includes('/')) return undefined;

		// Not enough: every name match is in the list already (they outrank all else). Next come paths in
		// directories holding the term at a word start (45 for the term, unless the name has it scattered).
		const byDir = await dirPathsFor(index, pathNewest, slicer.pause);
		const dirs = foldCache.dirCount;
		const dirSub = memo.dirSub;
		const dirMask = masks.dir;
		const nameScores = memo.nameScore;
		for (let d = 0; d < dirs; d++) {
			if ((d & 4095) === 0) await slicer.pause();
			let sc = dirSub[d]!;
			if (sc === unknown) {
				sc = (dirMask[d]! & memo.mask) === memo.mask ? dirSubstringScore(term, foldCache.dir(d)) : -1;
				dirSub[d] = sc;
			}
			if (sc !== 45) continue;
			if (filled >= limit && !top.admits(45 + recency(byDir.newest[d]!), -1)) continue;
			for (let j = byDir.start[d]!; j < byDir.start[d + 1]!; j++) {
				if ((++visited & 16_383) === 0) await slicer.pause();
				const p = byDir.paths[j]!;
				const n = pathName[p]!;
				let ns = nameScores[n]!;
				if (ns === unknown) {
					ns = (nameMask[n]! & memo.mask) === memo.mask ? nameScore(term, foldCache.name(n)) : -1;
					nameScores[n] = ns;
				}
				// A name match was ranked above; a scattered one in the name takes precedence over the directory.
				if (ns >= 100) continue;
				offer(p, d, n, (ns >= 0 ? ns : 45) - Math.min(20, nameLens[n]! / 8));
			}
		}
		// Everything else scores at most 35 for the term (a mid-word directory match, two pieces across
		// the '/', a scattered match).
		if (filled >= limit && !top.admits(35 + recencyMax, -1)) return hitsOf(index, [term], top.sorted(), pathNewest);
		return undefined;

	} finally {
		for (const m of memos) m.users--;
	}
}

/** Whether path (d, n) is the prefix itself or lies below it. */
function underPrefix(index: FileIndex, d: number, n: number, prefix: string): boolean {
	const dir = index.dirs[d]!;
	return dir === prefix || dir.startsWith(`${prefix}/`) || `${dir}/${index.names[n]}` === prefix;
}

/** Oldest snapshot time and the span to the newest (for the recency bonus). */
function timeSpan(index: FileIndex): {oldestTime: number; span: number} {
	const newestTime = index.snapshots.reduce((m, s) => Math.max(m, s.time), 0);
	const oldestTime = index.snapshots.reduce((m, s) => Math.min(m, s.time), newestTime);
	return {oldestTime, span: Math.max(1, newestTime - oldestTime)};
}

/** Ranked (score, path) pairs as hits with display paths and highlight positions. */
function hitsOf(index: FileIndex, terms: readonly string[], ranked: ReadonlyArray<{score: number; id: number}>, pathNewest: Float64Array): SearchHit[] {
	const verType = index.verType.data;
	const lastVer = index.pathLastVer.data;
	return ranked.map(({score, id: key}) => {
		const p = pathOfKey(key);
		const path = index.path(p);
		return {pathId: p, path, score: Math.round(score * 10) / 10, type: typeNames[verType[lastVer[p]!]!]!, newest: pathNewest[p]!, positions: matchPositions(terms, path)};
	});
}

/**
 * Do the per-index work of a first search ahead of time (folded names, character masks, per-path
 * recency, the name→paths index), in slices, so the first keystroke after an index loads or grows
 * does not pay for it. Stops quietly when `signal` fires.
 */
export async function prepareSearch(index: FileIndex, signal?: AbortSignal): Promise<void> {
	const slicer = new Slicer(8, signal);
	try {
		const {pathNewest} = await index.derivedDataAsync(slicer.pause);
		await foldCacheFor(index).masks(slicer.pause);
		await namePathsFor(index, pathNewest, slicer.pause);
		// One small scan so the scanning code is compiled before it is first needed.
		const sample = Uint32Array.from({length: Math.min(index.pathCount, 65_536)}, (_, i) => i);
		await search(index, 'e', {limit: 1, candidates: sample, signal});
	} catch (error) {
		if (!(error instanceof SearchAborted)) throw error;
	}
}

/**
 * Keystroke-by-keystroke searching: keeps the matches of earlier queries so that a query that only
 * extends the previous one scans just those (and backspace reuses the stack), and cancels stale work.
 */
export class IncrementalSearch {
	private stack: Array<{query: string; filtersKey: string; generation: number; matches: Uint32Array}> = [];
	private controller: AbortController | undefined;
	readonly fold: FoldCache;

	/** Candidate sets larger than this are first tried name-first (fastByName). */
	private readonly fastPathThreshold: number;

	/** Time slice before yielding to the event loop (0 yields at every opportunity: tests). */
	private readonly sliceMs: number;

	constructor(
		private readonly index: FileIndex,
		options: {fastPathThreshold?: number; sliceMs?: number} = {},
	) {
		this.fold = foldCacheFor(index);
		this.fastPathThreshold = options.fastPathThreshold ?? 50_000;
		this.sliceMs = options.sliceMs ?? 8;
	}

	/**
	 * Run a query, cancelling the previous one. Rejects with SearchAborted if superseded.
	 *
	 * A query over a large candidate set is first tried name-first (fastByName): the ranked hits
	 * come back at once with `totalExact` false, and the full count (and the match list that narrows
	 * the next keystroke) follows in the background through `onTotal`, unless a newer query cancels it.
	 */
	async run(query: string, options: {limit?: number; filters?: SearchFilters; onTotal?: (total: number) => void} = {}): Promise<SearchResult> {
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
		const candidates = base && parseQuery(base.query).length > 0 ? base.matches : undefined;
		const terms = parseQuery(folded);
		const full = async (): Promise<SearchResult & {matches: Uint32Array}> => {
			const result = await search(this.index, query, {limit: options.limit, filters: options.filters, signal: controller.signal, candidates, fold: this.fold, sliceMs: this.sliceMs});
			if (terms.length > 0) {
				this.stack.push({query: folded, filtersKey, generation, matches: result.matches});
				// Keep the newest lists within budget: an older prefix is only needed again after backspacing.
				let total = this.stack.reduce((n, e) => n + e.matches.length, 0);
				while (this.stack.length > 1 && total > stackBudget) total -= this.stack.shift()!.matches.length;
			}
			return result;
		};
		if (terms.length > 0 && terms.length <= 8 && (candidates?.length ?? this.index.pathCount) > this.fastPathThreshold) {
			const started = performance.now();
			await yieldToLoop();
			if (controller.signal.aborted) throw new SearchAborted();
			const hits = await fastByName(this.index, terms, this.fold, options.limit ?? 50, options.filters ?? {}, new Slicer(this.sliceMs, controller.signal));
			if (hits) {
				full().then(
					r => options.onTotal?.(r.total),
					() => undefined,
				);
				return {query, hits, total: hits.length, totalExact: false, scanned: 0, ms: performance.now() - started};
			}
		}
		const result = await full();
		return {query: result.query, hits: result.hits, total: result.total, totalExact: true, scanned: result.scanned, ms: result.ms};
	}

	cancel(): void {
		this.controller?.abort();
	}
}
