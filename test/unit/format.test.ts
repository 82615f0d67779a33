import {describe, expect, test} from 'vitest';
import {columns, fit, fitPath, layoutColumns, plural, renderRow} from '../../source/util/format.js';

describe('text width in terminal columns', () => {
	test('fit pads and cuts by columns: CJK and emoji take two', () => {
		expect(columns('日本語メモ.txt')).toBe(14);
		expect(fit('日本語メモ.txt', 16)).toBe('日本語メモ.txt  ');
		expect(columns(fit('日本語メモ.txt', 9))).toBeLessThanOrEqual(9);
		expect(fit('日本語メモ.txt', 9)).toContain('…');
		expect(columns(fit('🙂🙂🙂', 5))).toBeLessThanOrEqual(5);
		expect(fit('abc', 5, 'right')).toBe('  abc');
	});

	test('a long path keeps its file name; a name of 300 columns is cut in the middle', () => {
		const p = '/home/ann/Documents/Finances/Taxes/2023/return-final.pdf';
		const cut = fitPath(p, 30);
		expect(columns(cut)).toBe(30);
		expect(cut.trimEnd().endsWith('/return-final.pdf')).toBe(true);
		expect(cut.startsWith('/home')).toBe(true);
		const long = `/home/ann/${'x'.repeat(296)}.txt`;
		const c = fitPath(long, 40);
		expect(columns(c)).toBe(40);
		expect(c.endsWith('.txt')).toBe(true);
		expect(fitPath('/日本語/メモ.txt', 12).trimEnd()).toMatch(/メモ\.txt$/);
	});

	test('columns with nothing in them are left out and low-priority ones go when narrow', () => {
		const cols = layoutColumns(
			[
				{key: 'id', width: 8, priority: 100},
				{key: 'time', width: 16, priority: 90},
				{key: 'age', width: 10, priority: 10},
				{key: 'path', width: 0, grow: true, min: 10, cut: 'path', priority: 100},
			],
			45,
		);
		expect(cols.map(c => c.key)).toEqual(['id', 'time', 'path']);
		const line = renderRow(cols, {id: 'abcd1234', time: '2026-01-10 10:00', path: '/home/ann/日本語メモ.txt'});
		expect(columns(line)).toBe(45);
		expect(line).toContain('2026-01-10 10:00');
	});

	test('plural', () => {
		expect(plural(1, 'snapshot')).toBe('1 snapshot');
		expect(plural(0, 'match')).toBe('0 matches');
		expect(plural(1, 'entry')).toBe('1 entry');
		expect(plural(2, 'entry')).toBe('2 entries');
		expect(plural(12_345, 'file')).toBe('12,345 files');
	});
});
