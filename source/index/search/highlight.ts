/** Which characters of a shown path a query matched, for highlighting (only for the hits shown). */
import {foldWithMap, isWordStart} from './fold.js';
import {maxSpreadTerm} from './tiers.js';

/** Positions of term's pieces starting words of rel, in order; undefined when there is no such cut. */
function spreadPositions(term: string, rel: string, nameStart: number): number[] | undefined {
	let budget = 2000;
	const walk = (k: number, from: number): number[] | undefined => {
		if (k === term.length) return [];
		if (--budget < 0) return undefined;
		for (let p = from; p < rel.length; p++) {
			if (!isWordStart(rel, p)) continue;
			// A piece never runs from the folders into the name (as in the spread tier).
			const end = p < nameStart ? nameStart : rel.length;
			let l = 0;
			while (p + l < end && k + l < term.length && rel.charCodeAt(p + l) === term.charCodeAt(k + l)) l++;
			for (; l > 0; l--) {
				const rest = walk(k + l, p + l);
				if (rest) return [...Array.from({length: l}, (_, i) => p + i), ...rest];
			}
		}
		return undefined;
	};
	return term.length <= maxSpreadTerm ? walk(0, 0) : undefined;
}

/** Where each term matched in `rel` (folded, below the root), strictest reading first. */
function termPositions(term: string, rel: string, nameStart: number): number[] {
	const range = (at: number) => Array.from({length: term.length}, (_, i) => at + i);
	let at = rel.indexOf(term, nameStart);
	let first = at;
	while (at >= 0 && !isWordStart(rel, at)) at = rel.indexOf(term, at + 1);
	if (at >= 0) return range(at);
	if (first >= 0) return range(first);
	first = rel.indexOf(term);
	if (first >= 0 && first + term.length <= nameStart) return range(first);
	const spread = spreadPositions(term, rel, nameStart);
	if (spread) return spread;
	// Scattered: the subsequence that ends as late as possible (it favours the base name).
	const found: number[] = [];
	let k = term.length - 1;
	for (let i = rel.length - 1; i >= 0 && k >= 0; i--) {
		if (rel.charCodeAt(i) === term.charCodeAt(k)) {
			found.push(i);
			k--;
		}
	}
	return k < 0 ? found.reverse() : [];
}

/**
 * Indices (UTF-16 code units of `path`) of the characters the terms matched. `relStart` is where the
 * part below the backup root starts in `path`: nothing before it is ever marked.
 */
export function matchPositions(terms: readonly string[], path: string, relStart: number): number[] {
	const {folded, map} = foldWithMap(path);
	let fs = 0;
	while (fs < folded.length && map[fs]! < relStart) fs++;
	if (folded.charCodeAt(fs) === 47) fs++;
	const rel = folded.slice(fs);
	const nameStart = rel.lastIndexOf('/') + 1;
	const marks = new Set<number>();
	for (const term of terms) for (const i of termPositions(term, rel, nameStart)) marks.add(map[fs + i]!);
	return [...marks].sort((a, b) => a - b);
}
