/**
 * The file viewer's pure part: bytes → text or hex rows, wrapped or scrolled sideways, in terminal
 * columns. Built for big inputs (a 2 MB file on one line): ASCII lines are cut by slicing, other
 * lines walk their code points once.
 */
import stringWidth from 'string-width';
import {escapeForTerminal} from './escape.js';

/** Bytes at the end of `bytes` that start a UTF-8 sequence the buffer cuts short (0–3). */
export function incompleteTail(bytes: Uint8Array): number {
	for (let back = 1; back <= Math.min(4, bytes.length); back++) {
		const b = bytes[bytes.length - back]!;
		if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
		const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
		return need > back ? back : 0;
	}
	return 0;
}

/**
 * Is this text? Valid UTF-8 (any script) with few control characters. `truncated` says the bytes are
 * the first part of a longer file: a character cut at the end is then not a sign of binary.
 */
export function isText(bytes: Uint8Array, truncated: boolean): boolean {
	if (bytes.length === 0) return true;
	let control = 0;
	for (const b of bytes) {
		if (b === 0) return false;
		if (b < 9 || (b > 13 && b < 32 && b !== 27)) control++;
	}
	if (control / bytes.length > 0.1) return false;
	const end = truncated ? bytes.length - incompleteTail(bytes) : bytes.length;
	try {
		new TextDecoder('utf-8', {fatal: true}).decode(bytes.subarray(0, end));
		return true;
	} catch {
		return false;
	}
}

/** The text of the bytes for display: a cut character at the end dropped, tabs as 4 spaces. */
export function decodeText(bytes: Uint8Array, truncated: boolean): string {
	const end = truncated ? bytes.length - incompleteTail(bytes) : bytes.length;
	return new TextDecoder('utf-8').decode(bytes.subarray(0, end)).replace(/\t/g, '    ');
}

const printableAscii = /^[\u0020-\u007e]*$/;
const widthCache = new Map<string, number>();

function charWidth(ch: string): number {
	const code = ch.codePointAt(0)!;
	if (code >= 0x20 && code < 0x7f) return 1;
	let w = widthCache.get(ch);
	if (w === undefined) {
		w = stringWidth(ch);
		if (widthCache.size < 10_000) widthCache.set(ch, w);
	}
	return w;
}

/** Cut an (escaped) line into rows of at most `width` columns; a wide character never splits. */
export function wrapColumns(line: string, width: number): string[] {
	if (line === '') return [''];
	if (printableAscii.test(line)) {
		const rows: string[] = [];
		for (let i = 0; i < line.length; i += width) rows.push(line.slice(i, i + width));
		return rows;
	}
	const rows: string[] = [];
	let current = '';
	let used = 0;
	for (const ch of line) {
		const w = charWidth(ch);
		if (used + w > width && current) {
			rows.push(current);
			current = '';
			used = 0;
		}
		current += ch;
		used += w;
	}
	rows.push(current);
	return rows;
}

/** Columns `from` … `from + width` of an (escaped) line, for sideways scrolling. */
export function sliceColumns(line: string, from: number, width: number): string {
	if (printableAscii.test(line)) return line.slice(from, from + width);
	let col = 0;
	let out = '';
	let used = 0;
	for (const ch of line) {
		const w = charWidth(ch);
		if (col >= from) {
			if (used + w > width) break;
			out += ch;
			used += w;
		}
		col += w;
	}
	return out;
}

/** Text rows for the viewer: escaped, then wrapped to `width` or cut sideways at `hscroll`. */
export function textRows(text: string, options: {width: number; wrap: boolean; hscroll?: number}): {rows: string[]; longest: number} {
	const width = Math.max(1, options.width);
	const lines = text.split(/\r?\n/);
	if (lines.length > 1 && lines.at(-1) === '') lines.pop();
	const rows: string[] = [];
	let longest = 0;
	for (const raw of lines) {
		const line = escapeForTerminal(raw);
		const w = printableAscii.test(line) ? line.length : stringWidth(line);
		if (w > longest) longest = w;
		if (options.wrap) for (const r of wrapColumns(line, width)) rows.push(r);
		else rows.push(sliceColumns(line, options.hscroll ?? 0, width));
	}
	return {rows, longest};
}

/** Bytes per hex row that fit in `width` columns (16 from 78 columns up, else 8). */
export function hexPerRow(width: number): number {
	return width >= 78 ? 16 : 8;
}

/** Hex dump rows `first` … `first + count` (offset, hex bytes, printable ASCII). */
export function hexRows(bytes: Uint8Array, first: number, count: number, perRow: number): string[] {
	const out: string[] = [];
	for (let row = first; row < first + count; row++) {
		const off = row * perRow;
		if (off >= bytes.length) break;
		const chunk = bytes.subarray(off, off + perRow);
		const hex = [...chunk].map(b => b.toString(16).padStart(2, '0')).join(' ');
		const ascii = [...chunk].map(b => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
		out.push(`${off.toString(16).padStart(6, '0')}  ${hex.padEnd(perRow * 3 - 1)}  ${ascii}`);
	}
	return out;
}
