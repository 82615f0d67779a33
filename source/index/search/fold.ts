/**
 * Folding: the one place that decides which characters are "the same" for search (case, accents,
 * NFC/NFD), and the query grammar (terms split at white space).
 */

/** Lower-case and strip accents: "Café" and "Cafe\u0301" → "cafe". */
export function fold(text: string): string {
	// Fast path: plain ASCII only needs lower-casing.
	// eslint-disable-next-line no-control-regex
	if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
	return text
		.normalize('NFD')
		.replace(/\p{M}+/gu, '')
		.toLowerCase();
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

/** Longest term kept: longer ones cannot be told apart from their first 200 characters in a path. */
export const maxTermLength = 200;

/** Split a query into folded terms; empty terms vanish. */
export function parseQuery(query: string): string[] {
	return fold(query)
		.split(/\s+/)
		.filter(t => t.length > 0)
		.map(t => t.slice(0, maxTermLength));
}

/**
 * A 32-bit summary of which characters a folded string contains (a–z one bit each, digits in five
 * pairs, everything else one bit). A string can only contain a term whose mask it covers: a cheap
 * test that skips most strings before any string work.
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

/** Characters after which a word starts ("tax" starts a word in "2023-tax.pdf" and in "my taxes"). */
export const isBoundary = (c: number): boolean => c === 47 /* / */ || c === 45 /* - */ || c === 95 /* _ */ || c === 46 /* . */ || c === 32 || c === 40 /* ( */ || c === 91 /* [ */ || c === 43 /* + */ || c === 44; /* , */

/** Whether a word starts at index i of s (a '/' in s starts one too: a '/' in a term matches it). */
export const isWordStart = (s: string, i: number): boolean => i === 0 || s.charCodeAt(i) === 47 || isBoundary(s.charCodeAt(i - 1));
