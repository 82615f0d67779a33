/**
 * Per-term tables over the unique names and folders of a prepared index: which names hold the term
 * (and in which tier), which folders hold it, and — filled lazily, only for the strings a scan
 * reaches — what the looser tiers need. A term that contains a remembered one ("invo" after "inv")
 * starts from that one's short lists instead of every name.
 */
import {charMask} from './fold.js';
import type {Prepared} from './prepared.js';
import {greedyEnd, greedyFrom, knownBit, maxSpreadTerm, nameTier, prefixPieces, suffixNeed, suffixPieces, Tier} from './tiers.js';

/** The arrays of the looser tiers, passed from an evicted term to a new one. */
export interface LooseArrays {
	dirGreedy: Int16Array;
	dirGreedyEnd: Int32Array;
	nameNeed: Int16Array;
	dirPieces: Int32Array;
	namePieces: Int32Array;
}

export class TermTables {
	readonly length: number;
	readonly mask: number;
	/** Per name: its tier for the term when the name holds it (substring…whole), else 0. */
	readonly nameTier: Int8Array;
	/** The names that hold the term. */
	nameList: Uint32Array = new Uint32Array(0);
	/** Per folder: 1 when the part below the root holds the term. */
	readonly dirHas: Uint8Array;
	/** The folders that hold the term. */
	dirList: Uint32Array = new Uint32Array(0);
	/** Per folder: how much of the term a greedy subsequence match consumes in "folders/" (-1 not yet). */
	dirGreedy: Int16Array = new Int16Array(0);
	/** Where that match ended (to continue it for a longer term). */
	dirGreedyEnd: Int32Array = new Int32Array(0);
	/** Per name: the smallest k with term[k..] a subsequence of the name (-1 not yet). */
	nameNeed: Int16Array = new Int16Array(0);
	/** Per folder: prefixPieces of the term in "folders/", with knownBit (0 not yet). */
	dirPieces: Int32Array = new Int32Array(0);
	/** Per name: suffixPieces of the term in the name, with knownBit (0 not yet). */
	namePieces: Int32Array = new Int32Array(0);
	/** A remembered term this one extends at its end: its greedy matches are continued, not redone. */
	prefixBase: TermTables | undefined;
	/** False until fill() ran: then only strictAt() answers, string by string (see TermCache.get). */
	filled = false;
	/** strictAt's memo per name: 0 not yet, -1 the name lacks the term, else its tier. */
	private lazyName: Int8Array | undefined;
	/** strictAt's memo per folder: 0 not yet, 1 lacks the term, 2 holds it. */
	private lazyDir: Uint8Array | undefined;

	constructor(
		readonly term: string,
		readonly prepared: Prepared,
	) {
		this.length = term.length;
		this.mask = charMask(term) & ~(1 << 31);
		const names = prepared.nameCount;
		const dirs = prepared.dirCount;
		this.nameTier = new Int8Array(names);
		this.dirHas = new Uint8Array(dirs);
	}

	/**
	 * Size the tables only a scan uses (the looser tiers), reusing arrays of an evicted term when there
	 * are some: megabytes of fresh typed arrays per keystroke make V8 collect garbage far more often.
	 */
	ensureLoose(pool: LooseArrays[]): void {
		if (this.dirGreedy.length === this.prepared.dirCount && this.nameNeed.length === this.prepared.nameCount) return;
		const dirs = this.prepared.dirCount;
		const names = this.prepared.nameCount;
		const reused = pool.pop();
		const fits = reused !== undefined && reused.dirGreedy.length === dirs && reused.nameNeed.length === names;
		this.dirGreedy = fits ? reused.dirGreedy.fill(-1) : new Int16Array(dirs).fill(-1);
		this.dirGreedyEnd = fits ? reused.dirGreedyEnd : new Int32Array(dirs);
		this.nameNeed = fits ? reused.nameNeed.fill(-1) : new Int16Array(names).fill(-1);
		this.dirPieces = fits ? reused.dirPieces.fill(0) : new Int32Array(dirs);
		this.namePieces = fits ? reused.namePieces.fill(0) : new Int32Array(names);
	}

	/** Give the scan's arrays back (this term was evicted). */
	releaseLoose(pool: LooseArrays[]): void {
		if (this.dirGreedy.length === 0) return;
		pool.push({dirGreedy: this.dirGreedy, dirGreedyEnd: this.dirGreedyEnd, nameNeed: this.nameNeed, dirPieces: this.dirPieces, namePieces: this.namePieces});
		this.dirGreedy = new Int16Array(0);
		this.nameNeed = new Int16Array(0);
	}

	/**
	 * The term's strict tier in the path (folder d, name n), 0 when it is not strict there: from the
	 * tables once filled, else from the two strings themselves (remembered), so a term that only
	 * checks another term's few candidates never looks at the other half a million names.
	 */
	strictAt(d: number, n: number): number {
		if (this.filled) return this.nameTier[n]! || (this.dirHas[d] ? Tier.folder : 0);
		this.lazyName ??= new Int8Array(this.prepared.nameCount);
		let nt = this.lazyName[n]!;
		if (nt === 0) {
			const {names, nameMask} = this.prepared;
			nt = (nameMask[n]! & this.mask) === this.mask ? nameTier(this.term, names[n]!) : -1;
			this.lazyName[n] = nt;
		}
		if (nt > 0) return nt;
		this.lazyDir ??= new Uint8Array(this.prepared.dirCount);
		let dh = this.lazyDir[d]!;
		if (dh === 0) {
			const {relDirs, dirMask} = this.prepared;
			dh = (dirMask[d]! & this.mask) === this.mask && relDirs[d]!.includes(this.term) ? 2 : 1;
			this.lazyDir[d] = dh;
		}
		return dh === 2 ? Tier.folder : 0;
	}

	/** Fill the strict tables, from `within` (a term this one contains) or from every name and folder. */
	async fill(within: TermTables | undefined, pause: () => Promise<void>): Promise<void> {
		const nameFrom = within?.nameList;
		const nameTotal = nameFrom ? nameFrom.length : this.prepared.nameCount;
		const nameList = new Uint32Array(nameTotal);
		let count = 0;
		for (let i = 0; i < nameTotal; i += 65_536) {
			await pause();
			count = this.fillNames(nameFrom, i, Math.min(nameTotal, i + 65_536), nameList, count);
		}
		this.nameList = nameList.slice(0, count);
		const dirFrom = within?.dirList;
		const dirTotal = dirFrom ? dirFrom.length : this.prepared.dirCount;
		const dirList = new Uint32Array(dirTotal);
		count = 0;
		for (let i = 0; i < dirTotal; i += 65_536) {
			await pause();
			count = this.fillDirs(dirFrom, i, Math.min(dirTotal, i + 65_536), dirList, count);
		}
		this.dirList = dirList.slice(0, count);
		this.filled = true;
		this.lazyName = undefined;
		this.lazyDir = undefined;
	}

	/** Names [from, to) of `list` (or of all names) that hold the term, appended to `out` from `count`. */
	private fillNames(list: Uint32Array | undefined, from: number, to: number, out: Uint32Array, count: number): number {
		const {names, nameMask} = this.prepared;
		const {term, mask, nameTier: tiers} = this;
		for (let i = from; i < to; i++) {
			const n = list ? list[i]! : i;
			if ((nameMask[n]! & mask) !== mask) continue;
			const t = nameTier(term, names[n]!);
			if (t < 0) continue;
			tiers[n] = t;
			out[count++] = n;
		}
		return count;
	}

	/** Folders [from, to) of `list` (or of all folders) that hold the term below the root, like fillNames. */
	private fillDirs(list: Uint32Array | undefined, from: number, to: number, out: Uint32Array, count: number): number {
		const {relDirs, dirMask} = this.prepared;
		const {term, mask, dirHas} = this;
		for (let i = from; i < to; i++) {
			const d = list ? list[i]! : i;
			if ((dirMask[d]! & mask) !== mask || relDirs[d]!.indexOf(term) < 0) continue;
			dirHas[d] = 1;
			out[count++] = d;
		}
		return count;
	}

	/** Greedy subsequence consumption of the term in folder d's "folders/" (memoised). */
	greedy(d: number): number {
		const known = this.dirGreedy[d]!;
		if (known >= 0) return known;
		const rel = this.prepared.relDirs[d]!;
		let k: number;
		const base = this.prefixBase;
		const from = base && base.dirGreedy.length > d ? base.dirGreedy[d]! : -1;
		if (base && from >= 0 && from < base.length) k = from;
		else {
			// Continue where the shorter term's match ended, or start afresh.
			const resume = base && from === base.length && base.dirGreedyEnd[d]! >= 0;
			k = greedyFrom(this.term, rel, resume ? base.dirGreedyEnd[d]! : 0, resume ? base.length : 0);
			this.dirGreedyEnd[d] = k === this.length ? greedyEnd : -1;
			// The '/' after the folders can match a '/' of the term.
			if (k < this.length && rel.length > 0 && this.term.charCodeAt(k) === 47) k++;
		}
		this.dirGreedy[d] = k;
		return k;
	}

	/** suffixNeed of the term in name n (memoised). */
	need(n: number): number {
		let k = this.nameNeed[n]!;
		if (k < 0) {
			k = suffixNeed(this.term, this.prepared.names[n]!);
			this.nameNeed[n] = k;
		}
		return k;
	}

	/** Whether the term is spread over folder d and name n as pieces starting words (memoised halves). */
	spread(d: number, n: number): boolean {
		if (this.length > maxSpreadTerm) return false;
		let a = this.dirPieces[d]!;
		if (a === 0) {
			const rel = this.prepared.relDirs[d]!;
			a = prefixPieces(this.term, rel.length ? `${rel}/` : '') | knownBit;
			this.dirPieces[d] = a;
		}
		let b = this.namePieces[n]!;
		if (b === 0) {
			b = suffixPieces(this.term, this.prepared.names[n]!) | knownBit;
			this.namePieces[n] = b;
		}
		return (a & b & ~knownBit) !== 0;
	}

	/** The term's tier in the path (folder d, name n), or -1 when its letters are not there in order. */
	tier(d: number, n: number): number {
		const nt = this.nameTier[n]!;
		if (nt !== 0) return nt;
		if (this.dirHas[d] === 1) return Tier.folder;
		// A path lacking one of the term's characters cannot hold it in any tier: skip the string work.
		if (((this.prepared.nameMask[n]! | this.prepared.dirMask[d]!) & this.mask) !== this.mask) return -1;
		if (this.greedy(d) < this.need(n)) return -1;
		return this.spread(d, n) ? Tier.spread : Tier.scattered;
	}
}

/** Remembered term tables of one searcher (most recent last). */
export class TermCache {
	private entries: TermTables[] = [];
	private readonly pool: LooseArrays[] = [];
	constructor(private readonly limit = 6) {}

	private scratchBuf = new Uint32Array(0);

	/** A buffer for a scan's matches (copied out at its end): one query at a time uses it. */
	scratch(count: number): Uint32Array {
		if (this.scratchBuf.length < count) this.scratchBuf = new Uint32Array(count);
		return this.scratchBuf;
	}

	/** Make the tables ready for a scan (see TermTables.ensureLoose). */
	ready(tables: readonly TermTables[]): void {
		for (const t of tables) t.ensureLoose(this.pool);
	}

	/**
	 * The tables of `term` over `prepared`, built (from a remembered relative) if needed. `lazy`: leave
	 * them unfilled when no remembered relative makes filling cheap (the caller fills them, or only
	 * asks strictAt for another term's candidates).
	 */
	async get(term: string, prepared: Prepared, pause: () => Promise<void>, lazy = false): Promise<TermTables> {
		// Tables of an older state of the index are dropped (ids moved on), their arrays with them.
		this.entries = this.entries.filter(e => e.prepared === prepared);
		const found = this.entries.find(e => e.term === term);
		if (found) {
			this.entries = [...this.entries.filter(e => e !== found), found];
			return found;
		}
		const tables = new TermTables(term, prepared);
		// Start from the remembered term with the fewest names that this term contains.
		let within: TermTables | undefined;
		for (const e of this.entries) if (e.filled && term.includes(e.term) && (!within || e.nameList.length < within.nameList.length)) within = e;
		for (const e of this.entries) if (term.startsWith(e.term) && (!tables.prefixBase || e.length > tables.prefixBase.length)) tables.prefixBase = e;
		if (!lazy || within) await tables.fill(within, pause);
		this.entries.push(tables);
		if (this.entries.length > this.limit) {
			const evicted = this.entries.shift()!;
			for (const e of this.entries) if (e.prefixBase === evicted) e.prefixBase = undefined;
			// Safe to reuse: one query at a time per cache, and a superseded one stops at its next pause.
			evicted.releaseLoose(this.pool);
			if (this.pool.length > 2) this.pool.shift();
		}
		return tables;
	}
}
