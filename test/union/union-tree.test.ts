import {describe, expect, test} from 'vitest';
import {FileIndex} from '../../source/index/file-index.js';
import type {LsNode, Snapshot} from '../../source/restic/parse.js';
import {UnionTree} from '../../source/union/union-tree.js';

const day = 86_400_000;
const now = Date.UTC(2026, 0, 31);
function snap(id: string, daysAgo: number, host: string, paths: string[]): Snapshot {
	return {id: id.repeat(64).slice(0, 64), shortId: id.repeat(8).slice(0, 8), time: now - daysAgo * day, timeText: '', hostname: host, username: 'u', paths, tags: []};
}
function node(p: string, size = 10, mtime = 1000, type: LsNode['type'] = 'file'): LsNode {
	return {name: p.slice(p.lastIndexOf('/') + 1), type, path: p, size, mtime, mode: 0, permissions: '', uid: 0, gid: 0};
}
/** Add a snapshot with its files; parent folders are added as restic lists them. */
function add(ix: FileIndex, s: Snapshot, files: Array<string | LsNode>, complete = true): void {
	const slot = ix.beginSnapshot(s);
	const dirs = new Set<string>();
	const nodes = files.map(f => (typeof f === 'string' ? node(f) : f));
	for (const n of nodes) {
		const parts = n.path.split('/');
		for (let i = 2; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
	}
	for (const d of dirs) if (!nodes.some(n => n.path === d)) ix.add(slot, node(d, 0, 0, 'dir'));
	for (const n of nodes) ix.add(slot, n);
	if (complete) ix.completeSnapshot(slot);
}

describe('union tree', () => {
	test('children across snapshots with first/last seen, versions, newest size and ghosts', () => {
		const ix = new FileIndex();
		add(ix, snap('a', 30, 'laptop', ['/home/u']), ['/home/u/keep.txt', '/home/u/gone.txt', node('/home/u/edit.txt', 5, 1), '/home/u/old/x.txt']);
		add(ix, snap('b', 20, 'laptop', ['/home/u']), ['/home/u/keep.txt', node('/home/u/edit.txt', 7, 2), '/home/u/old/x.txt', '/home/u/new.txt']);
		add(ix, snap('c', 10, 'laptop', ['/home/u']), ['/home/u/keep.txt', node('/home/u/edit.txt', 5, 1), '/home/u/new.txt']);
		const t = new UnionTree(ix);
		const rows = t.list('/home/u');
		expect(rows.map(r => r.name)).toEqual(['old', 'edit.txt', 'gone.txt', 'keep.txt', 'new.txt']);
		const by = Object.fromEntries(rows.map(r => [r.name, r]));
		expect(by['edit.txt']!.versions).toBe(3); // 5 → 7 → 5 again: three runs
		expect(by['edit.txt']!.size).toBe(5);
		expect(by['edit.txt']!.ghost).toBe(false);
		expect(by['gone.txt']!.ghost).toBe(true);
		expect(by['gone.txt']!.deletedAfter!.shortId).toBe('aaaaaaaa');
		expect(by['gone.txt']!.missingIn!.shortId).toBe('bbbbbbbb');
		expect(by['old']!.ghost).toBe(true);
		expect(by['old']!.hasChildren).toBe(true);
		expect(by['new.txt']!.firstSeen.shortId).toBe('bbbbbbbb');
		expect(by['keep.txt']!.lastSeen.shortId).toBe('cccccccc');
		expect(t.ghostCount()).toBe(3); // gone.txt, old, old/x.txt
		expect(t.below('/home').ghosts).toBe(3);
		expect(t.list('/home/u', {deletedOnly: true}).map(r => r.name)).toEqual(['old', 'gone.txt']);
		expect(t.list('/', {deletedOnly: true}).map(r => r.name)).toEqual(['home']);
		// Changed in the last 15 days: edit.txt (back to 5 bytes in c) and old/ (went missing in c).
		expect(t.list('/home/u', {changedSince: now - 15 * day}).map(r => r.name)).toEqual(['old', 'edit.txt']);
		expect(t.list('/home/u', {changedSince: now - 5 * day})).toEqual([]);
		// gone.txt went missing in b, new.txt appeared in b.
		expect(t.list('/home/u', {changedSince: now - 25 * day}).map(r => r.name)).toEqual(['old', 'edit.txt', 'gone.txt', 'new.txt']);
	});

	test('a sub-folder snapshot beside whole-home snapshots deletes nothing outside its folder', () => {
		const ix = new FileIndex();
		add(ix, snap('a', 30, 'laptop', ['/home/u']), ['/home/u/music/song.flac', '/home/u/docs/a.txt', '/home/u/docs/b.txt']);
		add(ix, snap('b', 5, 'laptop', ['/home/u/docs']), ['/home/u/docs/a.txt']);
		const t = new UnionTree(ix);
		expect(t.entry('/home/u/music/song.flac')!.ghost).toBe(false);
		expect(t.entry('/home/u/music')!.ghost).toBe(false);
		// b.txt is inside the newer snapshot's backup path and missing there: deleted.
		expect(t.entry('/home/u/docs/b.txt')!.ghost).toBe(true);
		// Ancestors of the sub-folder are in the sub-folder snapshot too.
		expect(t.entry('/home/u')!.ghost).toBe(false);
		expect(t.ghostIds().map(p => ix.path(p))).toEqual(['/home/u/docs/b.txt']);
	});

	test('the same path on two hosts is a ghost only when deleted on both; a host filter sees one host', () => {
		const ix = new FileIndex();
		add(ix, snap('a', 30, 'laptop', ['/etc']), ['/etc/hosts', '/etc/only-laptop']);
		add(ix, snap('b', 20, 'server', ['/etc']), ['/etc/hosts', '/etc/only-server']);
		add(ix, snap('c', 10, 'laptop', ['/etc']), ['/etc/x']);
		const t = new UnionTree(ix);
		const hosts = t.entry('/etc/hosts')!;
		expect(hosts.hosts).toEqual(['laptop', 'server']);
		expect(hosts.ghost).toBe(false); // still in server's newest snapshot
		expect(t.entry('/etc/only-laptop')!.ghost).toBe(true);
		expect(t.entry('/etc/only-server')!.ghost).toBe(false);
		const laptop = new UnionTree(ix, {host: 'laptop'});
		expect(laptop.entry('/etc/hosts')!.ghost).toBe(true);
		expect(laptop.entry('/etc/only-server')).toBeUndefined();
		expect(laptop.list('/etc').map(r => r.name)).toEqual(['hosts', 'only-laptop', 'x']);
		expect(new UnionTree(ix, {host: 'server'}).entry('/etc/hosts')!.ghost).toBe(false);
	});

	test('a path that is a file in one snapshot and a folder in another', () => {
		const ix = new FileIndex();
		add(ix, snap('a', 30, 'laptop', ['/d']), [node('/d/thing', 4, 1, 'file')]);
		add(ix, snap('b', 20, 'laptop', ['/d']), [node('/d/thing', 0, 2, 'dir'), '/d/thing/inner.txt']);
		add(ix, snap('c', 10, 'laptop', ['/d']), [node('/d/thing', 9, 3, 'file')]);
		const t = new UnionTree(ix);
		const e = t.entry('/d/thing')!;
		expect(e.type).toBe('file');
		expect(e.types).toEqual(['file', 'dir']);
		expect(e.hasChildren).toBe(true);
		expect(e.versions).toBe(3);
		expect(e.ghost).toBe(false);
		expect(e.size).toBe(9);
		const inner = t.list('/d/thing');
		expect(inner.map(r => [r.name, r.ghost])).toEqual([['inner.txt', true]]);
	});

	test('a snapshot still being listed is no evidence of deletion; forgotten snapshots drop out', () => {
		const ix = new FileIndex();
		add(ix, snap('a', 30, 'laptop', ['/d']), ['/d/x', '/d/y']);
		add(ix, snap('b', 1, 'laptop', ['/d']), ['/d/x'], false);
		const t = new UnionTree(ix);
		expect(t.entry('/d/y')!.ghost).toBe(false);
		ix.completeSnapshot(1);
		expect(t.entry('/d/y')!.ghost).toBe(true);
		ix.retain(new Set([ix.snapshots[1]!.id]));
		expect(t.entry('/d/y')).toBeUndefined();
		expect(t.list('/d').map(r => r.name)).toEqual(['x']);
	});

	test('entryOf and the full pass agree on every path', () => {
		const ix = new FileIndex();
		const files = (k: number) => Array.from({length: 60}, (_, i) => `/h/u/d${i % 7}/f${(i * k) % 50}.txt`);
		add(ix, snap('a', 40, 'laptop', ['/h/u']), files(1));
		add(ix, snap('b', 30, 'server', ['/h/u']), files(3));
		add(
			ix,
			snap('c', 20, 'laptop', ['/h/u/d1']),
			files(5).filter(p => p.startsWith('/h/u/d1/')),
		);
		add(ix, snap('d', 10, 'laptop', ['/h/u']), files(7));
		for (const host of [undefined, 'laptop', 'server']) {
			const t = new UnionTree(ix, {host});
			const ghosts = new Set(t.ghostIds());
			for (const p of t.presentIds()) expect(t.entryOf(p)!.ghost, `${ix.path(p)} (${host})`).toBe(ghosts.has(p));
		}
	});
});
