/**
 * A fixture tree of hostile file names (issue: filenames are untrusted). Created with raw bytes where
 * needed (invalid UTF-8), so it exercises what restic really stores.
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';

/** Raw byte sequences that must never reach the terminal unescaped. */
export const hostileSequences = ['\x1b]52;c;', '\x1b]0;pwned', '\x1b[31mred', '\x1b[2J', '\x1b[10;10H', '\u202e'];

export interface HostileName {
	label: string;
	/** Name as bytes on disk. */
	name: Buffer;
	content: Buffer;
}

export const hostileNames: HostileName[] = [
	{label: 'newline', name: Buffer.from('new\nline.txt'), content: Buffer.from('newline content\n')},
	{label: 'tab', name: Buffer.from('tab\there.txt'), content: Buffer.from('tab content\n')},
	{label: 'ansi colour', name: Buffer.from('ansi-\x1b[31mred\x1b[0m.txt'), content: Buffer.from('ansi content\n')},
	{label: 'title set', name: Buffer.from('title-\x1b]0;pwned\x07.txt'), content: Buffer.from('title content\n')},
	{label: 'clipboard write', name: Buffer.from('clip-\x1b]52;c;aGFja2Vk\x07.txt'), content: Buffer.from('clip content\n')},
	{label: 'cursor moves', name: Buffer.from('cursor-\x1b[10;10H\x1b[2J.txt'), content: Buffer.from('cursor content\n')},
	{label: 'invalid UTF-8', name: Buffer.concat([Buffer.from('invalid-'), Buffer.from([0xff, 0xfe]), Buffer.from('.bin')]), content: Buffer.from([1, 2, 3, 4])},
	{label: 'leading dash', name: Buffer.from('-leading-dash.txt'), content: Buffer.from('dash content\n')},
	{label: 'leading double dash', name: Buffer.from('--help'), content: Buffer.from('double dash content\n')},
	{label: '255-byte name', name: Buffer.from(`${'n'.repeat(251)}.txt`), content: Buffer.from('long name content\n')},
	{label: 'right-to-left', name: Buffer.from('rtl-\u202eevil\u202c-\u05e9\u05dc\u05d5\u05dd.txt'), content: Buffer.from('rtl content\n')},
	{label: 'combining', name: Buffer.from('cafe\u0301-combining.txt'), content: Buffer.from('combining content\n')},
	{label: 'emoji', name: Buffer.from('emoji-😀-🎉.txt'), content: Buffer.from('emoji content\n')},
];

/**
 * Create the hostile tree under `root`; returns the absolute path of the 4000-character-path file too.
 * `deepDirs` (default 20) sets how deep that path goes: a test that restores the whole tree below another
 * folder takes fewer, or the restored path would pass PATH_MAX (4096) with any but the shortest temp dir.
 */
export function writeHostileTree(root: string, options: {deepDirs?: number} = {}): {deepFile: string} {
	mkdirSync(root, {recursive: true});
	const rootBuf = Buffer.from(root);
	for (const h of hostileNames) writeFileSync(Buffer.concat([rootBuf, Buffer.from('/'), h.name]), h.content);
	// A path of about 4000 characters: 20 nested directories of 200 characters.
	let dir = path.join(root, 'deep');
	for (let i = 0; i < (options.deepDirs ?? 20); i++) dir = path.join(dir, `${String(i).padStart(2, '0')}-${'d'.repeat(197)}`);
	mkdirSync(dir, {recursive: true});
	const deepFile = path.join(dir, 'deep-file.txt');
	writeFileSync(deepFile, 'deep content\n');
	return {deepFile};
}
