/**
 * Filenames are untrusted: they may hold newlines, ANSI/OSC escapes, bidi overrides, invalid UTF-8.
 * Everything shown in the terminal passes through escapeForTerminal.
 */

// C0 controls, DEL, C1 controls, and bidi/format controls that can reorder or hide text.
// eslint-disable-next-line no-control-regex
const unsafe = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex
const unsafeKeepNewlines = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

const named: Record<string, string> = {'\n': '\\n', '\t': '\\t', '\r': '\\r', '\u001b': '\\e', '\u0007': '\\a', '\b': '\\b'};

function escapeChar(ch: string): string {
	const n = named[ch];
	if (n) return n;
	const code = ch.codePointAt(0)!;
	return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** Escape control and bidi characters so the text cannot drive the terminal. */
export function escapeForTerminal(text: string, options: {keepNewlines?: boolean} = {}): string {
	return text.replace(options.keepNewlines ? unsafeKeepNewlines : unsafe, escapeChar);
}

/** True when the text contains anything escapeForTerminal would change. */
export function needsEscape(text: string): boolean {
	unsafe.lastIndex = 0;
	return unsafe.test(text);
}
