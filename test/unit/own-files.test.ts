/** Commands that remove or rewrite files touch only what resto wrote itself (real files). */
import {execFileSync} from 'node:child_process';
import {lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {writePrivateFile} from '../../source/config/paths.js';
import {drillTempDir, removeTemp} from '../../source/drill/drill.js';
import {tempDir} from '../helpers/restic.js';

let dir: string;
beforeAll(() => {
	dir = tempDir('resto-own-files-');
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe('the drill removes only its own temporary directory', () => {
	test('a directory without the drill marker (or a link to one) is left alone', () => {
		const foreign = path.join(dir, 'foreign');
		mkdirSync(foreign);
		writeFileSync(path.join(foreign, 'keep.txt'), 'mine\n');
		removeTemp(foreign);
		expect(readFileSync(path.join(foreign, 'keep.txt'), 'utf8')).toBe('mine\n');
		const own = (() => {
			process.env.RESTO_DRILL_TMPDIR = dir;
			try {
				return drillTempDir();
			} finally {
				delete process.env.RESTO_DRILL_TMPDIR;
			}
		})();
		const link = path.join(dir, 'link-to-drill');
		symlinkSync(own, link);
		removeTemp(link);
		expect(lstatSync(own).isDirectory()).toBe(true);
		// The drill's own directory, with a restored symlink pointing outside: removed, the outside intact.
		writeFileSync(path.join(foreign, 'target.txt'), 'outside\n');
		symlinkSync(path.join(foreign, 'target.txt'), path.join(own, 'restored-link'));
		removeTemp(own);
		expect(lstatSync(own, {throwIfNoEntry: false})).toBeUndefined();
		expect(readFileSync(path.join(foreign, 'target.txt'), 'utf8')).toBe('outside\n');
	});
});

describe('writePrivateFile replaces only regular files', () => {
	test('a directory, a symbolic link or a FIFO at the name is refused and left as it was', () => {
		const d = path.join(dir, 'w');
		mkdirSync(path.join(d, 'a-dir'), {recursive: true});
		expect(() => writePrivateFile(path.join(d, 'a-dir'), 'x')).toThrow(/is a directory, not a file resto wrote: left alone/);
		const outside = path.join(dir, 'outside.txt');
		writeFileSync(outside, 'outside\n');
		symlinkSync(outside, path.join(d, 'a-link'));
		expect(() => writePrivateFile(path.join(d, 'a-link'), 'x')).toThrow(/is a symbolic link/);
		expect(readlinkSync(path.join(d, 'a-link'))).toBe(outside);
		expect(readFileSync(outside, 'utf8')).toBe('outside\n');
		execFileSync('mkfifo', [path.join(d, 'a-fifo')]);
		expect(() => writePrivateFile(path.join(d, 'a-fifo'), 'x')).toThrow(/not a regular file/);
		expect(lstatSync(path.join(d, 'a-fifo')).isFIFO()).toBe(true);
		writePrivateFile(path.join(d, 'plain'), 'one');
		writePrivateFile(path.join(d, 'plain'), 'two');
		expect(readFileSync(path.join(d, 'plain'), 'utf8')).toBe('two');
		expect(lstatSync(path.join(d, 'plain')).mode & 0o777).toBe(0o600);
		expect(readdirSync(d).sort()).toEqual(['a-dir', 'a-fifo', 'a-link', 'plain']);
	});
});
