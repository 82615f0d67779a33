import {describe, expect, test} from 'vitest';
import type {Key} from 'ink';
import {keyName, KeyQueue, splitChunk, splitInput, type KeyPress} from '../../source/keymap/match.js';

const plain = splitChunk('')[0]?.key ?? ({} as Key);
const names = (presses: KeyPress[]) => presses.flatMap(p => (p.text ? [...p.input] : [keyName(p.input, p.key) ?? '?']));

describe('splitting one stdin chunk into keys', () => {
	test('letters, escape sequences, control characters', () => {
		expect(names(splitChunk('jjj'))).toEqual(['j', 'j', 'j']);
		expect(names(splitChunk('\u001B[B\u001B[B'))).toEqual(['down', 'down']);
		expect(names(splitChunk('o\u001B[Ah\r'))).toEqual(['o', 'up', 'h', 'enter']);
		expect(names(splitChunk('\u007F\u007F\u007F'))).toEqual(['backspace', 'backspace', 'backspace']);
		expect(names(splitChunk('\u001B[5~\u001B[6~\u001B[H\u001B[F\u001B[Z\t'))).toEqual(['pageup', 'pagedown', 'home', 'end', 'shift+tab', 'tab']);
		expect(names(splitChunk('\u0003\u000F'))).toEqual(['ctrl+c', 'ctrl+o']);
		expect(names(splitChunk('\u001BOA\u001B[1;5B'))).toEqual(['up', 'down']);
		expect(names(splitChunk('\u001B'))).toEqual(['escape']);
	});

	test('printable runs stay together for a text field (a paste is one edit)', () => {
		const paste = 'x'.repeat(10_000);
		const presses = splitChunk(`${paste}\r`);
		expect(presses).toHaveLength(2);
		expect(presses[0]).toMatchObject({input: paste, text: true});
		expect(presses[1]!.key.return).toBe(true);
		// CJK and emoji are text, not split inside surrogate pairs.
		expect(splitChunk('日本語🙂')[0]).toMatchObject({input: '日本語🙂', text: true});
	});

	test('a key Ink already named passes through unchanged', () => {
		const down = {...plain, downArrow: true};
		expect(splitInput('', down)).toEqual([{input: '', key: down, text: false}]);
		expect(splitInput('q', plain)).toEqual([{input: 'q', key: plain, text: true}]);
		// Ink strips the first ESC of an unrecognised chunk and reports meta.
		expect(names(splitInput('[B\u001B[B', {...plain, meta: true}))).toEqual(['down', 'down']);
	});

	test('unknown escape sequences are dropped, not typed', () => {
		expect(names(splitChunk('a\u001B[200~b'))).toEqual(['a', 'b']);
		expect(splitChunk('\u001B[?1;2c')).toEqual([]);
	});
});

describe('the key queue', () => {
	function run(hasField: boolean) {
		const seen: string[] = [];
		const later: Array<() => void> = [];
		const q = new KeyQueue(
			p => {
				seen.push(p.text && hasField ? `text:${p.input}` : (keyName(p.input, p.key) ?? '?'));
				return hasField && (p.text || p.key.delete) ? 'text' : 'key';
			},
			() => hasField,
			fn => later.push(fn),
		);
		const flush = () => {
			while (later.length > 0) later.shift()!();
		};
		return {seen, q, flush, later};
	}

	test('commands run one per turn, in order, across chunks', () => {
		const {seen, q, flush, later} = run(false);
		q.push('jjj', plain);
		// Nothing runs inside Ink's input callback: each key gets its own turn after React committed.
		expect(seen).toEqual([]);
		expect(later).toHaveLength(1);
		later.shift()!();
		expect(seen).toEqual(['j']);
		q.push('k', plain);
		// The new chunk waits behind the queued keys.
		expect(seen).toEqual(['j']);
		flush();
		expect(seen).toEqual(['j', 'j', 'j', 'k']);
	});

	test('a text field takes a run whole and edits go at once', () => {
		const {seen, q, flush} = run(true);
		q.push('abc\u007F\u007F\u007F', plain);
		flush();
		expect(seen).toEqual(['text:abc', 'backspace', 'backspace', 'backspace']);
		q.push('d\r', plain);
		flush();
		expect(seen.slice(4)).toEqual(['text:d', 'enter']);
	});

	test('two Esc in one burst are two presses (tmux send-keys Escape Escape)', () => {
		const presses = splitChunk('\u001B\u001B');
		expect(presses.length).toBe(2);
		expect(presses.every(p => p.key.escape)).toBe(true);
		expect(splitChunk('\u001B\u001B\u001B').filter(p => p.key.escape).length).toBe(3);
		// A meta-prefixed arrow stays one key.
		expect(splitChunk('\u001B\u001B[A').length).toBe(1);
	});
});
