import {describe, expect, test} from 'vitest';
import {isCacheFullLine, resticCacheDir} from '../../source/restic/client.js';

describe('restic cache directory full', () => {
	test('the cache directory: RESTIC_CACHE_DIR, else <XDG cache>/restic, else ~/.cache/restic', () => {
		expect(resticCacheDir({repository: '/r'}, {RESTIC_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x'})).toBe('/c');
		expect(resticCacheDir({repository: '/r', env: {RESTIC_CACHE_DIR: '/own'}}, {RESTIC_CACHE_DIR: '/c'})).toBe('/own');
		expect(resticCacheDir({repository: '/r'}, {XDG_CACHE_HOME: '/x'})).toBe('/x/restic');
		expect(resticCacheDir({repository: '/r'}, {XDG_CACHE_HOME: 'relative'})).toMatch(/\/\.cache\/restic$/);
	});

	test('a retry of a write into the full cache is recognised; a full restore target or repository is not', () => {
		// Recorded from restic 0.14 with XDG_CACHE_HOME on a full 200 KiB tmpfs.
		const line = 'Load(<data/80206bb1f1>, 0, 0) returned error, retrying after 552.330144ms: Copy: write /tmp/df/full/restic/0a100f07/data/80/tmp-2509828074: no space left on device';
		expect(isCacheFullLine(line, '/tmp/df/full/restic')).toBe(true);
		expect(isCacheFullLine(line, '/home/u/.cache/restic')).toBe(false);
		expect(isCacheFullLine('Save(<data/ab12>) returned error, retrying after 1s: write /srv/repo/data/ab/ab12: no space left on device', '/tmp/df/full/restic')).toBe(false);
		expect(isCacheFullLine('Load(<data/80206bb1f1>, 0, 0) returned error, retrying after 1s: dial tcp: connection refused', '/tmp/df/full/restic')).toBe(false);
	});
});
