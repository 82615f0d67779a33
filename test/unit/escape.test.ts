import {describe, expect, test} from 'vitest';
import {escapeForTerminal, needsEscape} from '../../source/util/escape.js';
import {hexPreview, looksBinary, textPreview} from '../../source/util/preview.js';

describe('escaping untrusted names', () => {
	test('control, escape and bidi characters never pass through', () => {
		const hostile = 'a\nb\tc\x1b[31mred\x1b]52;c;aGk=\x07\u202eevil\u0085\x7f';
		const out = escapeForTerminal(hostile);
		// eslint-disable-next-line no-control-regex
		expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
		expect(out).toBe('a\\nb\\tc\\e[31mred\\e]52;c;aGk=\\a\\u{202e}evil\\x85\\x7f');
		expect(needsEscape(hostile)).toBe(true);
		expect(needsEscape('café 😀 日本語')).toBe(false);
		expect(escapeForTerminal('café 😀 日本語 \ufffd')).toBe('café 😀 日本語 \ufffd');
		expect(escapeForTerminal('x\ny', {keepNewlines: true})).toBe('x\ny');
	});

	test('previews: text escaped, binary as hex', () => {
		expect(looksBinary(Buffer.from('hello\nworld'))).toBe(false);
		expect(looksBinary(Buffer.from([0xff, 0xd8, 0, 1]))).toBe(true);
		expect(looksBinary(Buffer.from([0xc3, 0xa9, 0x41]))).toBe(false);
		expect(textPreview(Buffer.from('a\x1b[2Jb\nline2'), 5)).toEqual(['a\\e[2Jb', 'line2']);
		expect(hexPreview(Buffer.from('ABC'), 2)).toEqual(['000000  41 42 43' + ' '.repeat(47 - 8) + '  ABC']);
	});
});
