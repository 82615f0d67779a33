/** Decide how to show the first bytes of a file: escaped text, or a hex dump for binary. */
import {escapeForTerminal} from './escape.js';
import {decodeText, isText} from './viewer.js';

/**
 * True when the bytes look like binary (NUL bytes, invalid UTF-8, or many control characters). The
 * bytes are usually the first part of a file: a character cut at the end does not count.
 */
export function looksBinary(bytes: Uint8Array, truncated = true): boolean {
	return !isText(bytes, truncated);
}

/** Text preview lines, every control character escaped (tabs become spaces). */
export function textPreview(bytes: Uint8Array, maxLines: number): string[] {
	const text = decodeText(bytes, true);
	return text
		.split(/\r?\n/)
		.slice(0, maxLines)
		.map(line => escapeForTerminal(line));
}

/** Classic hex dump lines: offset, 8 or 16 bytes of hex, printable ASCII. */
export function hexPreview(bytes: Uint8Array, maxLines: number, perLine = 16): string[] {
	const lines: string[] = [];
	for (let off = 0; off < bytes.length && lines.length < maxLines; off += perLine) {
		const chunk = bytes.subarray(off, off + perLine);
		const hex = [...chunk].map(b => b.toString(16).padStart(2, '0')).join(' ');
		const ascii = [...chunk].map(b => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
		lines.push(`${off.toString(16).padStart(6, '0')}  ${hex.padEnd(perLine * 3 - 1)}  ${ascii}`);
	}
	return lines;
}
