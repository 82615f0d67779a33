/**
 * Keys from the terminal: Ink's (input, key) pairs split into single keypresses, and their keymap names.
 *
 * Ink 6's input parser cuts a stdin chunk at escape sequences (`\x1b[B\x1b[B` arrives as two events) but
 * hands any other run of bytes over as one event: `jjj`, `oh`, three DELs, `abc\r`, a paste, and ESC ESC
 * (two Esc presses in one read). Treated as one key, such a chunk did nothing (or one Esc); tmux send-keys
 * and a loaded machine produce them all the time. So every event is split here (use-key-input reads them
 * raw), and only a focused text field takes a run of printable characters whole (a paste stays one edit).
 */
import type {Key} from 'ink';

/** One keypress in Ink's shape. `input` is a run of printable text only for `text` presses. */
export interface KeyPress {
	input: string;
	key: Key;
	/** A run of printable characters (possibly more than one): a text field takes it whole. */
	text: boolean;
}

const noKey: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

function press(input: string, flags: Partial<Key> = {}, text = false): KeyPress {
	return {input, key: {...noKey, ...flags}, text};
}

// eslint-disable-next-line no-control-regex
const controlChar = /[\u0000-\u001f\u007f]/;

/** CSI/SS3 final letters and `~` numbers → Ink key flags. */
const csiLetters: Record<string, Partial<Key>> = {
	A: {upArrow: true},
	B: {downArrow: true},
	C: {rightArrow: true},
	D: {leftArrow: true},
	H: {home: true},
	F: {end: true},
	Z: {tab: true, shift: true},
};
const csiNumbers: Record<string, Partial<Key>> = {
	'1': {home: true},
	'7': {home: true},
	'4': {end: true},
	'8': {end: true},
	'5': {pageUp: true},
	'6': {pageDown: true},
	'3': {delete: true},
};

/** One escape sequence (starting at ESC) → a keypress, or undefined for sequences resto has no use for. */
function escapeKey(seq: string): KeyPress | undefined {
	if (seq === '\u001B' || seq === '\u001B\u001B') return press('', {escape: true, meta: true});
	// eslint-disable-next-line no-control-regex
	const csi = /^\u001B\u001B?(?:\[\[?|O)([\d;:]*)([A-Za-z~^$])$/.exec(seq);
	if (csi) {
		const [, params = '', final = ''] = csi;
		const parts = params.split(';');
		const modifier = Math.max(0, Number(parts[1] ?? 1) - 1);
		const mods: Partial<Key> = {shift: Boolean(modifier & 1), meta: Boolean(modifier & 10), ctrl: Boolean(modifier & 4)};
		if (final === '~' || final === '^' || final === '$') {
			const flags = csiNumbers[parts[0] ?? ''];
			return flags ? press('', {...mods, ...flags}) : undefined;
		}
		const flags = csiLetters[final];
		return flags ? press('', {...mods, ...flags}) : undefined;
	}
	// ESC + one character: meta (alt) + that character, as Ink reports it.
	const rest = seq.slice(1);
	if ([...rest].length === 1) {
		if (rest === '\r') return press('\r', {return: true, meta: true});
		if (rest === '\u007F') return press('', {delete: true, meta: true});
		return press(rest, {meta: true, shift: /^[A-Z]$/.test(rest)});
	}
	return undefined;
}

/** One control character → a keypress. */
function controlKey(ch: string): KeyPress | undefined {
	switch (ch) {
		case '\r':
		case '\n':
			return press('\r', {return: true});
		case '\t':
			return press('', {tab: true});
		case '\u007F':
			// Terminals send DEL for Backspace; Ink calls it `delete` (keyName maps both to backspace).
			return press('', {delete: true});
		case '\b':
			return press('', {backspace: true});
		default: {
			const code = ch.charCodeAt(0);
			if (code >= 1 && code <= 26) return press(String.fromCharCode(code + 96), {ctrl: true});
			return undefined;
		}
	}
}

/** Length of the escape sequence starting at `i` (an ESC) in `raw`, the way Ink's input parser cuts it. */
function escapeLength(raw: string, i: number): number {
	let j = i + 1;
	// ESC ESC [ … is a meta-prefixed sequence (alt+arrow); ESC ESC alone is two Esc presses (a burst).
	if (raw[j] === '\u001B' && (raw[j + 1] === '[' || raw[j + 1] === 'O')) j++;
	const kind = raw[j];
	if (kind === '[') {
		j++;
		if (raw[j] === '[') j++;
		while (j < raw.length) {
			const c = raw.charCodeAt(j);
			if (c >= 0x20 && c <= 0x3f) j++;
			else break;
		}
		return Math.min(raw.length, j + 1) - i;
	}
	if (kind === 'O') return Math.min(raw.length, j + 2) - i;
	if (kind === undefined || kind === '\u001B') return j - i;
	// ESC + one code point.
	const cp = raw.codePointAt(j)!;
	return j + (cp > 0xffff ? 2 : 1) - i;
}

/**
 * Split a raw terminal chunk into keypresses: escape sequences, control characters, and runs of printable
 * text (kept together, marked `text`). Pure; used for chunks Ink did not recognise as one key.
 */
export function splitChunk(raw: string): KeyPress[] {
	const out: KeyPress[] = [];
	let text = '';
	const flush = () => {
		if (text) out.push(press(text, {shift: text.length === 1 && /[A-Z]/.test(text)}, true));
		text = '';
	};
	for (let i = 0; i < raw.length;) {
		const ch = raw[i]!;
		if (ch === '\u001B') {
			flush();
			const len = escapeLength(raw, i);
			const key = escapeKey(raw.slice(i, i + len));
			if (key) out.push(key);
			i += len;
			continue;
		}
		if (controlChar.test(ch)) {
			flush();
			const key = controlKey(ch);
			if (key) out.push(key);
			i++;
			continue;
		}
		text += ch;
		i++;
	}
	flush();
	return out;
}

/** True when Ink recognised the call as one named key (arrow, enter, ctrl+x, meta+x, escape…). */
function isNamedKey(key: Key): boolean {
	return key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end || key.return || key.escape || key.tab || key.backspace || key.delete || key.ctrl;
}

/**
 * The keypresses in one useInput call. A single key passes through unchanged; a multi-key chunk is split
 * (see splitChunk). Ink strips one leading ESC from an unrecognised chunk and reports it as meta: put it back.
 */
export function splitInput(input: string, key: Key): KeyPress[] {
	if (isNamedKey(key)) return [{input, key, text: false}];
	if (input.length === 0) return [];
	if (key.meta) return splitChunk(`\u001B${input}`);
	const single = [...input].length === 1 && !controlChar.test(input);
	if (single) return [{input, key, text: true}];
	return splitChunk(input);
}

/** The single characters of a text press (for dispatching a run as keys when no text field has focus). */
export function textChars(p: KeyPress): KeyPress[] {
	return [...p.input].map(ch => press(ch, {shift: /^[A-Z]$/.test(ch)}, true));
}

/** How the app handled one keypress: `text` when a text field consumed it (the registry did not change). */
export type KeyOutcome = 'text' | 'key';

/**
 * Handles keypresses strictly in order, one command per macrotask. A command can navigate or open a
 * field (`s` then a query typed in the same burst); the next key must see the screen the command opened,
 * which React commits only after the handler returns. Text edits change no bindings, so a run of them is
 * applied at once.
 */
export class KeyQueue {
	private queue: KeyPress[] = [];
	private scheduled = false;

	constructor(
		private readonly handle: (press: KeyPress) => KeyOutcome,
		private readonly hasTextField: () => boolean,
		private readonly schedule: (run: () => void) => void = run => setImmediate(run),
	) {}

	/** Queue the keys of one useInput call and handle what can be handled now. */
	push(input: string, key: Key): void {
		this.enqueue(splitInput(input, key));
	}

	private enqueue(presses: KeyPress[]): void {
		this.queue.push(...presses);
		if (this.scheduled || this.queue.length === 0) return;
		this.scheduled = true;
		this.schedule(this.drain);
	}

	/** Queue the keys of one raw input event (bytes as Ink's input parser cut them from stdin). */
	pushRaw(chunk: string): void {
		this.enqueue(splitChunk(chunk));
	}

	/** Keys waiting for their turn (for tests). */
	get pending(): number {
		return this.queue.length;
	}

	private drain = (): void => {
		this.scheduled = false;
		while (this.queue.length > 0) {
			let next = this.queue[0]!;
			// Without a text field a run of letters is that many commands (`jjj`, `oh`).
			if (next.text && [...next.input].length > 1 && !this.hasTextField()) {
				this.queue.splice(0, 1, ...textChars(next));
				next = this.queue[0]!;
			}
			this.queue.shift();
			const outcome = this.handle(next);
			if (outcome !== 'text' && this.queue.length > 0) {
				this.scheduled = true;
				this.schedule(this.drain);
				return;
			}
		}
	};
}

/** The keymap name of a keypress: "enter", "ctrl+c", "G", "/", "pagedown"… or undefined. */
export function keyName(input: string, key: Key): string | undefined {
	if (key.upArrow) return 'up';
	if (key.downArrow) return 'down';
	if (key.leftArrow) return 'left';
	if (key.rightArrow) return 'right';
	if (key.pageUp) return 'pageup';
	if (key.pageDown) return 'pagedown';
	if (key.home) return 'home';
	if (key.end) return 'end';
	if (key.return) return 'enter';
	if (key.escape) return 'escape';
	if (key.tab) return key.shift ? 'shift+tab' : 'tab';
	// Terminals send DEL (0x7f) for Backspace; Ink reports it as `delete`.
	if (key.backspace || key.delete) return 'backspace';
	if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
	if (input === ' ') return 'space';
	if ([...input].length === 1) return input;
	return undefined;
}

/** True when the keypress is text for a text field (printable, no ctrl/meta). */
export function isTextInput(input: string, key: Key): boolean {
	if (key.ctrl || key.meta || key.return || key.escape || key.tab) return false;
	if (key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return false;
	return input.length > 0 && !controlChar.test(input);
}
