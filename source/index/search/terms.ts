/**
 * Per-term tables over the unique names and folders of a prepared index: which names hold the term
 * (and in which tier), which folders hold it, and — filled lazily, only for the strings a scan
 * reaches — what the looser tiers need. A term that contains a remembered one ("invo" after "inv")
 * starts from that one's short lists instead of every name.
 */
import {charMask} from './fold.js';
import type {Prepared} from './prepared.js';
import {greedyEnd, greedyFrom, knownBit, maxSpreadTerm, nameTier, prefixPieces, suffixNeed, suffixPieces, Tier} from './tiers.js';

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
	readonly dirGreedy: Int16Array;
	/** Where that match ended (to continue it for a longer term). */
	readonly dirGreedyEnd: Int32Array;
	/** Per name: the smallest k with term[k..] a subsequence of the name (-1 not yet). */
	readonly nameNeed: Int16Array;
	/** Per folder: prefixPieces of the term in "folders/", with knownBit (0 not yet). */
	readonly dirPieces: Int32Array;
	/** Per name: suffixPieces of the term in the name, with knownBit (0 not yet). */
	readonly namePieces: Int32Array;
	/** A remembered term this one extends at its end: its greedy matches are continued, not redone. */
	prefixBase: TermTables | undefined;

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
		this.dirGreedy = new Int16Array(dirs).fill(-1);
		this.dirGreedyEnd = new Int32Array(dirs);
		this.nameNeed = new Int16Array(names).fill(-1);
		this.dirPieces = new Int32Array(dirs);
		this.namePieces = new Int32Array(names);
	}

	/** Fill the strict tables, from `within` (a term this one contains) or from every name and folder. */
	async fill(within: TermTables | undefined, pause: () => Promise<void>): Promise<void> {
		const {names, nameMask, relDirs, dirMask} = this.prepared;
		const term = this.term;
		const mask = this.mask;
		const nameList = new Uint32Array(within ? within.nameList.length : this.prepared.nameCount);
		let count = 0;
		const nameFrom = within?.nameList;
		const nameTotal = nameFrom ? nameFrom.length : this.prepared.nameCount;
		for (let i = 0; i < nameTotal; i++) {
			if ((i & 16383) === 0) await pause();
			const n = nameFrom ? nameFrom[i]! : i;
			if ((nameMask[n]! & mask) !== mask) continue;
			const t = nameTier(term, names[n]!);
			if (t < 0) continue;
			this.nameTier[n] = t;
			nameList[count++] = n;
		}
		this.nameList = nameList.slice(0, count);
		const dirList = new Uint32Array(within ? within.dirList.length : this.prepared.dirCount);
		count = 0;
		const dirFrom = within?.dirList;
		const dirTotal = dirFrom ? dirFrom.length : this.prepared.dirCount;
		for (let i = 0; i < dirTotal; i++) {
			if ((i & 16383) === 0) await pause();
			const d = dirFrom ? dirFrom[i]! : i;
			if ((dirMask[d]! & mask) !== mask || relDirs[d]!.indexOf(term) < 0) continue;
			this.dirHas[d] = 1;
			dirList[count++] = d;
		}
		this.dirList = dirList.slice(0, count);
	}

	/** Greedy subsequence consumption of the term in folder d's "folders/" (memoised). */
	greedy(d: number): number {
		const known = this.dirGreedy[d]!;
		if (known >= 0) return known;
		const rel = this.prepared.relDirs[d]!;
		let k: number;
		const base = this.prefixBase;
		const from = base ? base.dirGreedy[d]! : -1;
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
		if (this.greedy(d) < this.need(n)) return -1;
		return this.spread(d, n) ? Tier.spread : Tier.scattered;
	}
}

/** Remembered term tables of one searcher (most recent last). */
export class TermCache {
	private entries: TermTables[] = [];
	constructor(private readonly limit = 6) {}

	/** The tables of `term` over `prepared`, built (from a remembered relative) if needed. */
	async get(term: string, prepared: Prepared, pause: () => Promise<void>): Promise<TermTables> {
		this.entries = this.entries.filter(e => e.prepared === prepared);
		const found = this.entries.find(e => e.term === term);
		if (found) {
			this.entries = [...this.entries.filter(e => e !== found), found];
			return found;
		}
		const tables = new TermTables(term, prepared);
		// Start from the remembered term with the fewest names that this term contains.
		let within: TermTables | undefined;
		for (const e of this.entries) if (term.includes(e.term) && (!within || e.nameList.length < within.nameList.length)) within = e;
		for (const e of this.entries) if (term.startsWith(e.term) && (!tables.prefixBase || e.length > tables.prefixBase.length)) tables.prefixBase = e;
		await tables.fill(within, pause);
		this.entries.push(tables);
		if (this.entries.length > this.limit) {
			const evicted = this.entries.shift()!;
			for (const e of this.entries) if (e.prefixBase === evicted) e.prefixBase = undefined;
		}
		return tables;
	}
}
