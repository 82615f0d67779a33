import {describe, expect, test} from 'vitest';
import {parseDiffLine, type DiffChange} from '../../source/restic/diff.js';
import {DiffTree} from '../../source/union/diff-tree.js';
import {goLossyDecode, includePattern, parsePlanText, PlanError, placeItems} from '../../source/union/plan.js';

const a = 'a'.repeat(64);
const b = 'b'.repeat(64);

describe('restore plans', () => {
	test('a plan file is validated item by item', () => {
		expect(parsePlanText(JSON.stringify({items: [{snapshot: a, path: '/x/y/'}]})).items).toEqual([{snapshot: a, path: '/x/y'}]);
		expect(() => parsePlanText('{')).toThrow(PlanError);
		expect(() => parsePlanText('{"items": []}')).toThrow(/no items/);
		expect(() => parsePlanText('[1]')).toThrow(/"items"/);
		expect(() =>
			parsePlanText(
				JSON.stringify({
					items: [
						{snapshot: 'xyz', path: '/a'},
						{snapshot: a, path: 'rel'},
						{snapshot: a, path: '/a/../etc'},
					],
				}),
			),
		).toThrow(/item 1: "snapshot".*item 2: "path".*item 3: "path"/);
	});

	test('items that would land on each other go below their snapshot id; items inside another of the same snapshot come with it', () => {
		const placed = placeItems([
			{snapshot: a, path: '/h/file'},
			{snapshot: b, path: '/h/file'},
			{snapshot: a, path: '/h/dir'},
			{snapshot: a, path: '/h/dir/inner'},
			{snapshot: b, path: '/h/other'},
		]);
		expect(placed.map(p => p.relative)).toEqual(['/h/file', '/bbbbbbbb/h/file', '/h/dir', '/h/dir/inner', '/h/other']);
		expect(placed.map(p => p.coveredBy)).toEqual([undefined, undefined, undefined, 2, undefined]);
	});

	test('include patterns: glob characters are literal, each U+FFFD is one ? (one invalid byte)', () => {
		expect(includePattern('/a/[x]*?.txt')).toBe('/a/\\[x\\]\\*\\?.txt');
		expect(includePattern('/a/invalid-\ufffd\ufffd.bin')).toBe('/a/invalid-??.bin');
	});

	test('names are decoded as Go writes them to JSON: one U+FFFD per invalid byte', () => {
		expect(goLossyDecode(Buffer.from([0x61, 0xff, 0xfe, 0x62]))).toBe('a\ufffd\ufffdb');
		// A truncated 3-byte sequence: Go gives one U+FFFD per byte, where Buffer#toString gives one.
		expect(goLossyDecode(Buffer.from([0xe2, 0x82, 0x61]))).toBe('\ufffd\ufffda');
		expect(goLossyDecode(Buffer.from('café 😀 日本'))).toBe('café 😀 日本');
		// Overlong and surrogate encodings are invalid.
		expect(goLossyDecode(Buffer.from([0xc0, 0xaf]))).toBe('\ufffd\ufffd');
		expect(goLossyDecode(Buffer.from([0xed, 0xa0, 0x80]))).toBe('\ufffd\ufffd\ufffd');
	});
});

describe('snapshot diff', () => {
	// Recorded from restic 0.14 `diff --json --metadata` (a file changed, one removed, a folder added, a folder became a file).
	const recorded = [
		'{"message_type":"change","path":"/src/","modifier":"U"}',
		'{"message_type":"change","path":"/src/a/x","modifier":"M"}',
		'{"message_type":"change","path":"/src/b/y","modifier":"-"}',
		'{"message_type":"change","path":"/src/b/z","modifier":"+"}',
		'{"message_type":"change","path":"/src/c/","modifier":"+"}',
		'{"message_type":"change","path":"/src/c/w","modifier":"+"}',
		'{"message_type":"change","path":"/src/keep","modifier":"U"}',
		'{"message_type":"change","path":"/src/t","modifier":"TU"}',
		'{"message_type":"statistics","source_snapshot":"a46b06553a0b9a3e905666b5e1955fa90491101258c55e35b927833ff8a7ad36","target_snapshot":"fc718f55f127c7a8db0dd5ba8ef025ca92990fe7979917a65669ffeb38774b04","changed_files":1,"added":{"files":2,"dirs":1,"others":0,"data_blobs":3,"tree_blobs":5,"bytes":2776},"removed":{"files":1,"dirs":0,"others":0,"data_blobs":2,"tree_blobs":4,"bytes":2085}}',
		'not json',
		'{"message_type":"something-new"}',
	];

	test('lines parse into changes and statistics; unknown lines are ignored', () => {
		const parsed = recorded.map(parseDiffLine);
		expect(parsed.filter(p => p.kind === 'other')).toHaveLength(2);
		const stats = parsed.find(p => p.kind === 'statistics');
		expect(stats).toMatchObject({statistics: {changedFiles: 1, added: {files: 2, dirs: 1, bytes: 2776}, removed: {files: 1}}});
		const c = parsed.flatMap(p => (p.kind === 'change' ? [p.change] : []));
		expect(c.find(x => x.path === '/src/c')).toMatchObject({dir: true, kind: 'added'});
		expect(c.find(x => x.path === '/src/t')).toMatchObject({kind: 'changed', typeChanged: true, metadata: true, content: false});
		expect(c.find(x => x.path === '/src')).toMatchObject({dir: true, kind: 'changed', metadata: true});
	});

	test('the diff tree counts changes per folder', () => {
		const changes = recorded.map(parseDiffLine).flatMap(p => (p.kind === 'change' ? [p.change as DiffChange] : []));
		const tree = new DiffTree(changes);
		expect(tree.countsBelow('/src')).toEqual({added: 3, removed: 1, changed: 2, metadata: 1});
		expect(tree.countsBelow('/')).toEqual({added: 3, removed: 1, changed: 2, metadata: 2});
		expect(tree.countsBelow('/src/b')).toEqual({added: 1, removed: 1, changed: 0, metadata: 0});
		expect(tree.list('/src').map(r => r.name)).toEqual(['a', 'b', 'c', 'keep', 't']);
		expect(tree.list('/src').find(r => r.name === 'c')!.change!.kind).toBe('added');
		expect(tree.list('/').map(r => [r.name, r.change?.modifier])).toEqual([['src', 'U']]);
	});
});
