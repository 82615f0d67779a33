import {describe, expect, test} from 'vitest';
import {textTable} from '../../source/util/format.js';

describe('textTable (resto repos / snapshots as text)', () => {
	test('columns are as wide as their widest cell in terminal columns, a column empty in every row goes', () => {
		const out = textTable(
			['NAME', 'SIZE', 'LATEST', 'LOCATION'],
			[
				['日本語', '', '2026-11-30 23:17 (24 h ago)', '/a'],
				['b', '', '', '/bb'],
			],
		);
		expect(out).toBe(['NAME    LATEST                       LOCATION', '日本語  2026-11-30 23:17 (24 h ago)  /a', 'b                                    /bb', ''].join('\n'));
	});
});
