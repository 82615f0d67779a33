/**
 * Ranking: the tiers a person ranks matches by, the one table the ranking key is built from, and
 * the per-string tests that place a term in a tier. Every string here is folded and lies below the
 * snapshot's backup root (the root is shown, never matched).
 *
 * Tiers of one term in one path, strictest first:
 *   whole      the base name is the term ("taxes", "readme" for README.md)
 *   prefix     the name has the term at a word start ("tax" in "2023-taxes.pdf")
 *   substring  the name has it anywhere
 *   folder     a folder below the root has it ("taxes/2023/x.pdf" for "tax")
 *   spread     the term cut into pieces that start words, in order ("tax2023pdf" in taxes/2023/a.pdf)
 *   scattered  its letters in order anywhere (counted and listed apart: not a real match)
 * A path's tier is its weakest term's tier. Looser tiers never outrank stricter ones: the tier is the
 * most significant field of the key.
 */
import {isWordStart} from './fold.js';

export const Tier = {scattered: 0, spread: 1, folder: 2, substring: 3, prefix: 4, whole: 5} as const;
export type TierValue = (typeof Tier)[keyof typeof Tier];
export const tierNames = ['scattered', 'spread', 'folder', 'substring', 'prefix', 'whole'] as const;
export type TierName = (typeof tierNames)[number];

/** Tiers the name→paths and directory→paths indexes find without looking at every path. */
export const strictTier = Tier.folder;
/** Tiers counted as real matches in a headline count ("12 matches · 340 looser"). */
export const countedTier = Tier.spread;

/**
 * The ranking key's fields, most significant first, each with how many values it holds. The key is
 * one number (bigger ranks first); every multiplier and bound below is derived from this table.
 */
export const keyLayout = {
	tier: tierNames.length,
	/** 1 for the user's own files, 0 under a machine-made tree (node_modules, .cache…): same tier, after. */
	user: 2,
	/** Sum of every term's tier (a multi-term query: stricter terms besides the weakest one rank higher). */
	tierSum: (tierNames.length - 1) * 16 + 1,
	/** Components below the root: shallower first. */
	depth: 64,
	/** Characters below the root: shorter first. */
	length: 1024,
	/** Newest snapshot holding the path, scaled between the oldest and newest snapshot: newer first. */
	recency: 1024,
} as const;

/** Most terms a query ranks by (the rest of a very long query is ignored; see parseQuery). */
export const maxTerms = (keyLayout.tierSum - 1) / (tierNames.length - 1);

/** How many values the within key (depth, length, recency) takes. */
export const withinRange = keyLayout.depth * keyLayout.length * keyLayout.recency;

/** The part of the key decided by the path alone (depth, length, recency): fits in 32 bits. */
export function withinKey(depth: number, length: number, recency: number): number {
	const d = keyLayout.depth - 1 - Math.min(depth, keyLayout.depth - 1);
	const l = keyLayout.length - 1 - Math.min(length, keyLayout.length - 1);
	const r = Math.max(0, Math.min(keyLayout.recency - 1, Math.round(recency * (keyLayout.recency - 1))));
	return (d * keyLayout.length + l) * keyLayout.recency + r;
}

/** The whole key of a path: its tier, whether it is the user's, its terms' tier sum, its within key. */
export function rankKey(tier: number, user: number, tierSum: number, within: number): number {
	return ((tier * keyLayout.user + user) * keyLayout.tierSum + tierSum) * withinRange + within;
}

/** The tier encoded in a key. */
export function tierOfKey(key: number): TierValue {
	return Math.floor(key / (withinRange * keyLayout.tierSum * keyLayout.user)) as TierValue;
}

/** Whether the key belongs to a machine-made tree. */
export function machineOfKey(key: number): boolean {
	return Math.floor(key / (withinRange * keyLayout.tierSum)) % keyLayout.user === 0;
}

/** The tier of a term in a base name (whole, prefix or substring), or -1 when the name lacks it. */
export function nameTier(term: string, name: string): number {
	let at = name.indexOf(term);
	if (at < 0) return -1;
	if (term.length === name.length) return Tier.whole;
	// "readme" is the whole name of README.md; ".bashrc" keeps its dot.
	const dot = name.lastIndexOf('.');
	if (at === 0 && dot === term.length && dot > 0) return Tier.whole;
	// "bashrc" is the whole name of .bashrc.
	if (at === 1 && name.length === term.length + 1 && name.charCodeAt(0) === 46) return Tier.whole;
	while (at >= 0) {
		if (isWordStart(name, at)) return Tier.prefix;
		at = name.indexOf(term, at + 1);
	}
	return Tier.substring;
}

/** Where the last greedyFrom call stopped in `text` (just after its last matched character). */
export let greedyEnd = 0;

/**
 * Continue a greedy subsequence match of `term` (from its character k) in `text` (from index i), with
 * native indexOf per character rather than a JS loop. Returns how many characters of the term
 * matched in all; greedyEnd says where in the text the match ended.
 */
export function greedyFrom(term: string, text: string, i: number, k: number): number {
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

/** Longest term the spread tier is computed for (its piece sets are bit masks of one 32-bit word). */
export const maxSpreadTerm = 30;
/** Set in a stored piece mask: "computed" (so an empty set is told apart from "not yet"). */
export const knownBit = 1 << 31;

let scratch = new Int32Array(256);
const scratchFor = (n: number): Int32Array => (scratch.length >= n ? scratch : (scratch = new Int32Array(n * 2)));

/** Common prefix length of text[p..] and term[k..]. */
function lcp(text: string, p: number, term: string, k: number): number {
	let l = 0;
	while (p + l < text.length && k + l < term.length && text.charCodeAt(p + l) === term.charCodeAt(k + l)) l++;
	return l;
}

/**
 * Bit k set when term[0..k) can be cut into pieces that each start a word of `text`, in order (the
 * spread tier's folder part: `text` is the folders below the root with a trailing '/').
 */
export function prefixPieces(term: string, text: string): number {
	const n = text.length;
	const pend = scratchFor(n + 1);
	pend.fill(0, 0, n + 1);
	let reach = 1;
	for (let p = 0; p <= n; p++) {
		reach |= pend[p]!;
		if (p === n || !isWordStart(text, p)) continue;
		for (let k = 0; k < term.length; k++) {
			if ((reach & (1 << k)) === 0) continue;
			const l = lcp(text, p, term, k);
			for (let i = 1; i <= l; i++) pend[p + i]! |= 1 << (k + i);
		}
	}
	return reach;
}

/**
 * Bit j set when term[j..] can be cut into pieces that each start a word of `text`, in order (the
 * spread tier's name part). Bit term.length is always set: the folders may hold the whole term.
 */
export function suffixPieces(term: string, text: string): number {
	const n = text.length;
	const m = term.length;
	const ok = scratchFor(n + 1);
	ok[n] = 1 << m;
	for (let p = n - 1; p >= 0; p--) {
		let bits = ok[p + 1]!;
		if (isWordStart(text, p)) {
			for (let k = 0; k < m; k++) {
				if (bits & (1 << k)) continue;
				const l = lcp(text, p, term, k);
				for (let i = 1; i <= l; i++)
					if (ok[p + i]! & (1 << (k + i))) {
						bits |= 1 << k;
						break;
					}
			}
		}
		ok[p] = bits;
	}
	return ok[0]!;
}
