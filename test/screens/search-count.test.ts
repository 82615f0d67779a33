import {describe, expect, test} from 'vitest';
import {countText} from '../../source/screens/search/search-screen.js';

describe('search headline count', () => {
	test('real matches, scattered-letter matches apart; a count still being made says so and never undercuts the list', () => {
		expect(countText({total: 12, looser: 340, totalExact: true, ms: 4.2, hits: []})).toBe('12 matches · 340 looser in 4 ms');
		expect(countText({total: 1, looser: 0, totalExact: true, ms: 1, hits: [1]})).toBe('1 match in 1 ms');
		expect(countText({total: 1234, looser: 0, totalExact: false, ms: 9, hits: []})).toBe('1,234+ matches in 9 ms, counting…');
		expect(countText({total: 3, looser: 0, totalExact: false, ms: 9, hits: [1, 2, 3, 4]})).toBe('4+ matches in 9 ms, counting…');
	});
});
