import {describe, expect, test} from 'vitest';
import {FileIndex} from '../../source/index/file-index.js';
import {deserialize, serialize, CacheError} from '../../source/index/cache.js';
import {fold, IncrementalSearch, parseQuery, search} from '../../source/index/search.js';
import type {LsNode, Snapshot} from '../../source/restic/parse.js';

const day = 86_400_000;
function snap(id: string, daysAgo: number, host = 'laptop'): Snapshot {
	return {id: id.repeat(64).slice(0, 64), shortId: id.repeat(8).slice(0, 8), time: Date.now() - daysAgo * day, timeText: '', hostname: host, username: 'u', paths: ['/home'], tags: []};
}
function node(p: string, size = 10, mtime = 1000, type: LsNode['type'] = 'file'): LsNode {
	return {name: p.slice(p.lastIndexOf('/') + 1), type, path: p, size, mtime, mode: 0, permissions: '', uid: 0, gid: 0};
}

function build(): FileIndex {
	const ix = new FileIndex();
	const a = ix.beginSnapshot(snap('a', 30));
	for (const p of ['/home/taxes/2023/return-final.pdf', '/home/taxes/2023/return-draft.pdf', '/home/photos/tax-collector.jpg', '/home/docs/café menu.txt', '/home/docs/old.txt', '/home/code/[regex].*.ts', '/home/x/t/a/x/2/0/2/3/p/d/f.bin']) ix.add(a, node(p));
	ix.add(a, node('/home/taxes', 0, 0, 'dir'));
	ix.completeSnapshot(a);
	const b = ix.beginSnapshot(snap('b', 1));
	for (const p of ['/home/taxes/2023/return-final.pdf', '/home/photos/tax-collector.jpg', '/home/docs/café menu.txt', '/home/code/[regex].*.ts', '/home/x/t/a/x/2/0/2/3/p/d/f.bin']) ix.add(b, node(p, p.endsWith('.pdf') ? 20 : 10, p.endsWith('.pdf') ? 2000 : 1000));
	ix.add(b, node('/home/taxes', 0, 0, 'dir'));
	ix.completeSnapshot(b);
	return ix;
}

describe('search semantics and ranking', () => {
	test('terms and fzf-like subsequence both find the tax return; basename matches rank first', async () => {
		const ix = build();
		const terms = await search(ix, 'tax 2023 pdf');
		expect(terms.hits[0]!.path).toBe('/home/taxes/2023/return-final.pdf');
		const subseq = await search(ix, 'tax2023pdf');
		expect(subseq.hits.map(h => h.path)).toContain('/home/taxes/2023/return-final.pdf');
		// "collector" is in a base name: it outranks paths that only match across directories.
		const tax = await search(ix, 'tax');
		expect(tax.hits[0]!.path).toBe('/home/photos/tax-collector.jpg');
		expect(tax.hits.map(h => h.path)).toContain('/home/taxes/2023/return-final.pdf');
	});

	test('newer beats older when otherwise equal; deleted files are still found', async () => {
		const ix = build();
		const r = await search(ix, 'return');
		expect(r.hits.map(h => h.path)).toEqual(['/home/taxes/2023/return-final.pdf', '/home/taxes/2023/return-draft.pdf']);
		const old = await search(ix, 'old.txt');
		expect(old.hits[0]!.path).toBe('/home/docs/old.txt');
	});

	test('unicode folding, metacharacters, long and empty queries', async () => {
		const ix = build();
		expect((await search(ix, 'cafe')).hits[0]!.path).toBe('/home/docs/café menu.txt');
		expect((await search(ix, 'CAFÉ')).hits[0]!.path).toBe('/home/docs/café menu.txt');
		expect(fold('Cafe\u0301')).toBe('cafe');
		expect((await search(ix, '[regex].*')).hits[0]!.path).toBe('/home/code/[regex].*.ts');
		expect((await search(ix, '.*')).hits.length).toBeGreaterThan(0);
		expect((await search(ix, 'x'.repeat(5000))).hits).toEqual([]);
		expect((await search(ix, '   ')).hits).toEqual([]);
		expect(parseQuery('  a  b ')).toEqual(['a', 'b']);
	});

	test('highlight positions point at the matched characters', async () => {
		const ix = build();
		const hit = (await search(ix, 'final')).hits[0]!;
		expect(hit.positions.map(i => hit.path[i]).join('')).toBe('final');
		const accent = (await search(ix, 'cafe')).hits[0]!;
		expect(accent.positions.map(i => accent.path[i]).join('')).toBe('café');
	});

	test('filters: host, path prefix, type, date range', async () => {
		const ix = build();
		const c = ix.beginSnapshot(snap('c', 0.5, 'desktop'));
		ix.add(c, node('/srv/taxes-desktop.txt'));
		ix.completeSnapshot(c);
		expect((await search(ix, 'tax', {filters: {hosts: ['desktop']}})).hits.map(h => h.path)).toEqual(['/srv/taxes-desktop.txt']);
		expect((await search(ix, 'tax', {filters: {pathPrefix: '/home/photos'}})).hits.map(h => h.path)).toEqual(['/home/photos/tax-collector.jpg']);
		expect((await search(ix, 'tax', {filters: {type: 'dir'}})).hits.map(h => h.path)).toEqual(['/home/taxes']);
		expect((await search(ix, 'draft', {filters: {since: Date.now() - 2 * day}})).hits).toEqual([]);
		expect((await search(ix, 'draft', {filters: {until: Date.now() - 2 * day}})).hits.length).toBe(1);
	});

	test('timeline groups runs and reports deletion', () => {
		const ix = build();
		const final = ix.timeline(ix.lookup('/home/taxes/2023/return-final.pdf')!);
		expect(final.runs.map(r => [r.snapshots.length, r.version.size])).toEqual([[1, 10], [1, 20]]);
		expect(final.inLatest).toBe(true);
		const draft = ix.timeline(ix.lookup('/home/taxes/2023/return-draft.pdf')!);
		expect(draft.deletedAfter?.shortId).toBe('aaaaaaaa');
		expect(draft.inLatest).toBe(false);
	});

	test('incremental narrowing gives the same answers as a fresh search, and stale queries are cancelled', async () => {
		const ix = build();
		const inc = new IncrementalSearch(ix);
		for (const q of ['t', 'ta', 'tax', 'tax ', 'tax 2', 'tax 20', 'tax 2', 'tax', 're', 'ret']) {
			const a = await inc.run(q);
			const b = await search(ix, q);
			expect(a.hits.map(h => h.path), q).toEqual(b.hits.map(h => h.path));
		}
		const first = inc.run('photo');
		const second = inc.run('photos');
		await expect(first).rejects.toThrow(/aborted/);
		expect((await second).hits.length).toBe(1);
	});

	test('the name-first answer is exactly the full scan\'s ranking, keystroke by keystroke, with and without filters', async () => {
		// A generated home: names that repeat across many directories, directories named like files,
		// several snapshots with churn, so every ranking rule and bound is exercised.
		let seed = 7;
		const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		const pick = <T,>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
		const words = ['report', 'invoice', 'notes', 'tax', 'photo', 'résumé', 'plan', 'data'];
		const ix = new FileIndex();
		const paths: string[] = [];
		for (let i = 0; i < 6000; i++) paths.push(`/home/${pick(['docs', 'taxes', 'photos', 'code/node_modules'])}/${pick(words)}-${Math.floor(rand() * 40)}/${pick(words)}${pick(['', '-final', '_2023'])}.${pick(['pdf', 'txt', 'js'])}`);
		for (let s = 0; s < 4; s++) {
			const slot = ix.beginSnapshot(snap(String.fromCharCode(97 + s), 40 - s * 10, s % 2 ? 'laptop' : 'desk'));
			for (const [i, p] of paths.entries()) if ((i + s) % 7 !== 0) ix.add(slot, node(p, 10 + s * (i % 3), 1000 + s * (i % 5)));
			ix.completeSnapshot(slot);
		}
		const queries = ['report', 'invoice-final', 'tax', 'resume', 'notes_2023.txt', 'plan.p', 'zzz', 'data-3', 'taxes', 'photos', 'node_mod', 'docs', 'report final', 'tax 2023 pdf', 'notes txt', 'photo data 1'];
		let nameFirst = 0;
		for (const filters of [{}, {hosts: ['laptop']}, {type: 'file' as const, pathPrefix: '/home/taxes'}]) {
			const engine = new IncrementalSearch(ix, {fastPathThreshold: 0});
			for (const q of queries) {
				for (let i = 1; i <= q.length; i++) {
					const typed = q.slice(0, i);
					let resolveTotal: (n: number) => void = () => undefined;
					const counted = new Promise<number>(resolve => (resolveTotal = resolve));
					const res = await engine.run(typed, {limit: 20, filters, onTotal: resolveTotal});
					const full = await search(ix, typed, {limit: 20, filters});
					const label = `${typed} ${JSON.stringify(filters)}`;
					expect(res.hits.map(h => [h.path, h.score]), label).toEqual(full.hits.map(h => [h.path, h.score]));
					if (res.totalExact === false) {
						nameFirst++;
						// The background count arrives and equals the full scan's.
						expect(await counted, label).toBe(full.total);
					} else expect(res.total, label).toBe(full.total);
				}
			}
		}
		// The name-first path really answered a good share of the keystrokes.
		expect(nameFirst).toBeGreaterThan(20);
	});

	test('searches interleaving on one index (two engines, many terms) never corrupt each other\'s memos', async () => {
		const ix = new FileIndex();
		const slot = ix.beginSnapshot(snap('a', 1));
		const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'theta', 'kappa'];
		for (let i = 0; i < 4000; i++) ix.add(slot, node(`/home/${words[i % 8]}/${words[(i * 3) % 8]}-${i % 97}/${words[(i * 5) % 8]}${i}.txt`));
		ix.completeSnapshot(slot);
		// sliceMs 0: both yield at every step, so their work really interleaves.
		const a = new IncrementalSearch(ix, {fastPathThreshold: 0, sliceMs: 0});
		const b = new IncrementalSearch(ix, {fastPathThreshold: 100_000, sliceMs: 0});
		const queries = ['alpha beta gamma delta epsilon', 'zeta theta', 'kappa 12', 'epsilon-3', 'gamma delta theta kappa alpha', 'beta 7'];
		for (let round = 0; round < 3; round++) {
			for (let i = 0; i < queries.length; i++) {
				const qa = queries[i]!;
				const qb = queries[(i + 1 + round) % queries.length]!;
				const [ra, rb] = await Promise.all([a.run(qa, {limit: 15}), b.run(qb, {limit: 15})]);
				expect(ra.hits.map(h => [h.path, h.score]), qa).toEqual((await search(ix, qa, {limit: 15})).hits.map(h => [h.path, h.score]));
				expect(rb.hits.map(h => [h.path, h.score]), qb).toEqual((await search(ix, qb, {limit: 15})).hits.map(h => [h.path, h.score]));
			}
		}
	});

	test('name-first refuses when a path with a term only in its directory could still outrank', async () => {
		const ix = new FileIndex();
		const slot = ix.beginSnapshot(snap('a', 1));
		// Both terms mid-word in long names: 100 + 100 - 20 = 180 each.
		for (let i = 0; i < 3; i++) ix.add(slot, node(`/home/misc/xxfooxxbarxx-${'n'.repeat(150)}-${i}.txt`));
		// "foo" only in the directory (45), "bar" the whole name (170): 215.
		ix.add(slot, node('/home/foo/bar'));
		ix.completeSnapshot(slot);
		const engine = new IncrementalSearch(ix, {fastPathThreshold: 0});
		const r = await engine.run('foo bar', {limit: 3});
		expect(r.hits[0]!.path).toBe('/home/foo/bar');
		expect(r.hits.map(h => h.path)).toEqual((await search(ix, 'foo bar', {limit: 3})).hits.map(h => h.path));
	});

	test('forgotten snapshots drop out', async () => {
		const ix = build();
		ix.retain(new Set([ix.snapshots[1]!.id]));
		expect((await search(ix, 'draft')).hits).toEqual([]);
	});
});

describe('index cache', () => {
	test('round-trips, and any truncation or corruption is detected', async () => {
		const ix = build();
		const repoId = 'f'.repeat(64);
		const buf = serialize(ix, repoId);
		const back = deserialize(buf, repoId);
		expect((await search(back, 'tax 2023 pdf')).hits.map(h => h.path)).toEqual((await search(ix, 'tax 2023 pdf')).hits.map(h => h.path));
		expect(back.timeline(back.lookup('/home/taxes/2023/return-final.pdf')!).runs.length).toBe(2);
		expect(() => deserialize(buf.subarray(0, buf.length - 7), repoId)).toThrow(CacheError);
		const flipped = Buffer.from(buf);
		flipped[flipped.length - 3]! ^= 0xff;
		expect(() => deserialize(flipped, repoId)).toThrow(/checksum/);
		expect(() => deserialize(buf, 'e'.repeat(64))).toThrow(/another repository/);
		expect(() => deserialize(Buffer.from('garbage'), repoId)).toThrow(CacheError);
	});

	test('partial snapshots are never cached', () => {
		const ix = build();
		const slot = ix.beginSnapshot(snap('d', 0));
		ix.add(slot, node('/partial.txt'));
		const back = deserialize(serialize(ix, 'f'.repeat(64)), 'f'.repeat(64));
		expect(back.snapshots.map(s => s.shortId)).toEqual(['aaaaaaaa', 'bbbbbbbb']);
	});
});
