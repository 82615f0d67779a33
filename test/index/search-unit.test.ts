import {describe, expect, test} from 'vitest';
import {FileIndex} from '../../source/index/file-index.js';
import {deserialize, serialize, CacheError} from '../../source/index/cache.js';
import {backupRoot, fold, IncrementalSearch, parseQuery, search, type SearchFilters, type SearchResult} from '../../source/index/search.js';
import type {LsNode, Snapshot} from '../../source/restic/parse.js';

const day = 86_400_000;
function snap(id: string, daysAgo: number, host = 'laptop', paths = ['/home']): Snapshot {
	return {id: id.repeat(64).slice(0, 64), shortId: id.repeat(8).slice(0, 8), time: Date.now() - daysAgo * day, timeText: '', hostname: host, username: 'u', paths, tags: []};
}
function node(p: string, size = 10, mtime = 1000, type: LsNode['type'] = 'file'): LsNode {
	return {name: p.slice(p.lastIndexOf('/') + 1), type, path: p, size, mtime, mode: 0, permissions: '', uid: 0, gid: 0};
}
/** Add a path and its parent folders (as restic ls lists them) to a snapshot slot. */
function addTree(ix: FileIndex, slot: number, p: string, size = 10, mtime = 1000): void {
	const parts = p.split('/');
	for (let i = 2; i < parts.length; i++) {
		const dir = parts.slice(0, i).join('/');
		if (ix.lookup(dir) === undefined || !ix.bits[slot]!.has(ix.pathLastVer.data[ix.lookup(dir)!]!)) ix.add(slot, node(dir, 0, 0, 'dir'));
	}
	ix.add(slot, node(p, size, mtime));
}

function build(): FileIndex {
	const ix = new FileIndex();
	const a = ix.beginSnapshot(snap('a', 30));
	for (const p of ['/home/taxes/2023/return-final.pdf', '/home/taxes/2023/return-draft.pdf', '/home/photos/tax-collector.jpg', '/home/docs/café menu.txt', '/home/docs/old.txt', '/home/code/[regex].*.ts', '/home/x/t/a/x/2/0/2/3/p/d/f.bin']) addTree(ix, a, p);
	ix.completeSnapshot(a);
	const b = ix.beginSnapshot(snap('b', 1));
	for (const p of ['/home/taxes/2023/return-final.pdf', '/home/photos/tax-collector.jpg', '/home/docs/café menu.txt', '/home/code/[regex].*.ts', '/home/x/t/a/x/2/0/2/3/p/d/f.bin']) addTree(ix, b, p, p.endsWith('.pdf') ? 20 : 10, p.endsWith('.pdf') ? 2000 : 1000);
	ix.completeSnapshot(b);
	return ix;
}

const paths = (r: {hits: Array<{path: string}>}) => r.hits.map(h => h.path);
const tierRank = ['scattered', 'spread', 'folder', 'substring', 'prefix', 'whole'];

/** The final result of an engine run (waits for the counts when the hits came first). */
async function runFinal(engine: IncrementalSearch, q: string, options: {limit?: number; filters?: SearchFilters} = {}): Promise<{first: SearchResult; final: SearchResult}> {
	let resolveFinal: (r: SearchResult) => void = () => undefined;
	const final = new Promise<SearchResult>(resolve => (resolveFinal = resolve));
	const first = await engine.run(q, {...options, onFinal: resolveFinal});
	return {first, final: first.totalExact ? first : await final};
}

describe('search semantics and ranking', () => {
	test('terms and spread pieces both find the tax return; the folder named like the query comes first', async () => {
		const ix = build();
		expect(paths(await search(ix, 'tax 2023 pdf'))[0]).toBe('/home/taxes/2023/return-final.pdf');
		const spread = await search(ix, 'tax2023pdf');
		expect(spread.hits[0]).toMatchObject({path: '/home/taxes/2023/return-final.pdf', tier: 'spread'});
		const tax = await search(ix, 'tax');
		expect(paths(tax).slice(0, 2)).toEqual(['/home/taxes', '/home/photos/tax-collector.jpg']);
		expect(paths(tax)).toContain('/home/taxes/2023/return-final.pdf');
	});

	test('newer beats older when otherwise equal; deleted files are still found', async () => {
		const ix = build();
		expect(paths(await search(ix, 'return'))).toEqual(['/home/taxes/2023/return-final.pdf', '/home/taxes/2023/return-draft.pdf']);
		expect(paths(await search(ix, 'old.txt'))[0]).toBe('/home/docs/old.txt');
	});

	test('tiers a person ranks by: whole name > word start > substring > folder > spread > scattered', async () => {
		const ix = new FileIndex();
		const s = ix.beginSnapshot(snap('a', 1, 'laptop', ['/home/alice']));
		const want = {
			whole: '/home/alice/zz/deep/er/still/plan',
			prefix: '/home/alice/b/plan-b.txt',
			substring: '/home/alice/airplane.txt',
			folder: '/home/alice/plans/x.txt',
			spread: '/home/alice/pl/an.txt',
			scattered: '/home/alice/pxlxaxn.txt',
		};
		for (const p of Object.values(want)) addTree(ix, s, p);
		ix.completeSnapshot(s);
		const r = await search(ix, 'plan');
		const order = r.hits.filter(h => (Object.values(want) as string[]).includes(h.path));
		expect(order.map(h => [h.tier, h.path])).toEqual(Object.entries(want));
		// The folder "plans" itself is a prefix match; the scattered one is counted apart.
		expect(r.looser).toBe(1);
		expect(r.total).toBe(r.hits.length - 1);
	});

	test('the backup root is shown but never matched', async () => {
		const ix = new FileIndex();
		const s = ix.beginSnapshot(snap('a', 1, 'laptop', ['/home/alice.johnson']));
		for (const p of ['/home/alice.johnson/Documents/report.pdf', '/home/alice.johnson/photo.jpg']) addTree(ix, s, p);
		ix.completeSnapshot(s);
		// "alice", "home", "john" are only in the root: nothing matches them.
		for (const q of ['alice', 'home', 'john', 'ajohnson']) expect(paths(await search(ix, q)), q).toEqual([]);
		// Scattered letters only count below the root: "photo" is not p…h…o…t…o across /home/alice.johnson.
		const r = await search(ix, 'photo');
		expect(paths(r)).toEqual(['/home/alice.johnson/photo.jpg']);
		expect([r.total, r.looser]).toEqual([1, 0]);
		// Highlights stay below the root too.
		const hit = (await search(ix, 'report')).hits[0]!;
		expect(hit.positions.map(i => hit.path[i]).join('')).toBe('report');
		expect(backupRoot(['/home/alice/a', '/home/alice/b/'])).toBe('/home/alice');
		expect(backupRoot(['/etc', '/home'])).toBe('');
	});

	test("the user's files rank before machine-made trees of the same tier, and can be hidden", async () => {
		const ix = new FileIndex();
		const s = ix.beginSnapshot(snap('a', 1, 'laptop', ['/home/a']));
		for (const p of ['/home/a/p/node_modules/x/readme.md', '/home/a/.cache/readme.md', '/home/a/projects/resto/deep/readme.md', '/home/a/projects/resto/src/lib.es2017.sharedmemory.d.ts']) addTree(ix, s, p);
		ix.completeSnapshot(s);
		const r = await search(ix, 'readme');
		expect(r.hits.map(h => [h.path, h.machine, h.tier])).toEqual([
			['/home/a/projects/resto/deep/readme.md', false, 'whole'],
			['/home/a/.cache/readme.md', true, 'whole'],
			['/home/a/p/node_modules/x/readme.md', true, 'whole'],
			// Scattered letters in a base name: counted apart, listed last.
			['/home/a/projects/resto/src/lib.es2017.sharedmemory.d.ts', false, 'scattered'],
		]);
		expect([r.total, r.looser]).toEqual([3, 1]);
		expect(paths(await search(ix, 'readme', {filters: {hideMachine: true}})).slice(0, 2)).toEqual(['/home/a/projects/resto/deep/readme.md', '/home/a/projects/resto/src/lib.es2017.sharedmemory.d.ts']);
		// A configured list replaces the default one.
		expect(paths(await search(ix, 'readme', {machineTrees: ['projects']}))[0]).toBe('/home/a/.cache/readme.md');
		// A whole word in a folder outranks scattered letters in a base name.
		const proj = await search(ix, 'proj/readme');
		expect(proj.hits[0]!.path).toBe('/home/a/projects/resto/deep/readme.md');
		// Entries of several components match as a run of whole components, case-insensitively; a
		// name that only contains one (node_modules-old, my.cache) is the user's own; regex characters are plain.
		const t = new FileIndex();
		const ts = t.beginSnapshot(snap('t', 1, 'laptop', ['/home/a']));
		for (const p of ['/home/a/.local/share/Trash/files/readme', '/home/a/.LOCAL/share/trash/readme', '/home/a/share/Trash/readme', '/home/a/node_modules-old/readme', '/home/a/my.cache/readme', '/home/a/a+b/readme', '/home/a/axb/readme']) addTree(t, ts, p);
		t.completeSnapshot(ts);
		const machine = async (trees?: string[]) => Object.fromEntries((await search(t, 'readme', {machineTrees: trees})).hits.map(h => [h.path.slice('/home/a/'.length), h.machine]));
		expect(await machine()).toEqual({'.local/share/Trash/files/readme': true, '.LOCAL/share/trash/readme': true, 'share/Trash/readme': false, 'node_modules-old/readme': false, 'my.cache/readme': false, 'a+b/readme': false, 'axb/readme': false});
		expect((await machine(['a+b']))['a+b/readme']).toBe(true);
		expect((await machine(['a+b']))['axb/readme']).toBe(false);
	});

	test('bad input: one character, 10 000 characters, spaces, punctuation, emoji, combining accents', async () => {
		const ix = build();
		const c = ix.beginSnapshot(snap('c', 0.5));
		for (const p of ['/home/emoji/🎉 party.txt', '/home/docs/Cafe\u0301 nfd.txt', '/home/docs/!!!.txt']) addTree(ix, c, p);
		ix.completeSnapshot(c);
		expect((await search(ix, 'x')).hits.length).toBeGreaterThan(0);
		expect(paths(await search(ix, 'x'.repeat(10_000)))).toEqual([]);
		// 3 400 copies of one term are that term once.
		expect(paths(await search(ix, 'ab '.repeat(3400)))).toEqual(paths(await search(ix, 'ab')));
		expect(paths(await search(ix, Array.from({length: 2000}, (_, i) => `w${i}`).join(' ')))).toEqual([]);
		expect(await search(ix, '   ')).toMatchObject({hits: [], total: 0, looser: 0});
		expect(paths(await search(ix, '!!!'))[0]).toBe('/home/docs/!!!.txt');
		expect(paths(await search(ix, '[regex].*'))[0]).toBe('/home/code/[regex].*.ts');
		expect((await search(ix, '.*')).hits.length).toBeGreaterThan(0);
		expect(paths(await search(ix, '🎉'))).toEqual(['/home/emoji/🎉 party.txt']);
		const emoji = (await search(ix, '🎉')).hits[0]!;
		expect(emoji.positions.map(i => emoji.path[i]).join('')).toBe('🎉'[0]);
		// NFC and NFD, in the query and in the name, all meet.
		for (const q of ['café', 'cafe\u0301', 'CAFÉ', 'cafe']) expect(paths(await search(ix, q)).sort(), q).toEqual(['/home/docs/Cafe\u0301 nfd.txt', '/home/docs/café menu.txt']);
		const accent = (await search(ix, 'cafe menu')).hits[0]!;
		expect(accent.positions.map(i => accent.path[i]).join('')).toBe('cafémenu');
		expect(fold('Cafe\u0301')).toBe('cafe');
		expect(parseQuery('  a  b ')).toEqual(['a', 'b']);
	});

	test('highlight positions point at the matched characters', async () => {
		const ix = build();
		const hit = (await search(ix, 'final')).hits[0]!;
		expect(hit.positions.map(i => hit.path[i]).join('')).toBe('final');
		const spread = (await search(ix, 'tax2023pdf')).hits[0]!;
		expect(spread.positions.map(i => spread.path[i]).join('')).toBe('tax2023pdf');
	});

	test('filters: host, path prefix, type, date range', async () => {
		const ix = build();
		const c = ix.beginSnapshot(snap('c', 0.5, 'desktop', ['/srv']));
		ix.add(c, node('/srv/taxes-desktop.txt'));
		ix.completeSnapshot(c);
		expect(paths(await search(ix, 'tax', {filters: {hosts: ['desktop']}}))).toEqual(['/srv/taxes-desktop.txt']);
		expect(paths(await search(ix, 'tax', {filters: {pathPrefix: '/home/photos'}}))).toEqual(['/home/photos/tax-collector.jpg']);
		const dirs = await search(ix, 'tax', {filters: {type: 'dir'}});
		expect(paths(dirs)[0]).toBe('/home/taxes');
		expect(dirs.hits.every(h => h.type === 'dir')).toBe(true);
		expect((await search(ix, 'draft', {filters: {since: Date.now() - 2 * day}})).hits).toEqual([]);
		expect((await search(ix, 'draft', {filters: {until: Date.now() - 2 * day}})).hits.length).toBe(1);
	});

	test('timeline groups runs and reports deletion', () => {
		const ix = build();
		const final = ix.timeline(ix.lookup('/home/taxes/2023/return-final.pdf')!);
		expect(final.runs.map(r => [r.snapshots.length, r.version.size])).toEqual([
			[1, 10],
			[1, 20],
		]);
		expect(final.inLatest).toBe(true);
		const draft = ix.timeline(ix.lookup('/home/taxes/2023/return-draft.pdf')!);
		expect(draft.deletedAfter?.shortId).toBe('aaaaaaaa');
		expect(draft.inLatest).toBe(false);
	});

	test('a query typed faster than results arrive: only the last one answers', async () => {
		const ix = build();
		const inc = new IncrementalSearch(ix, {sliceMs: 0});
		const typed = ['t', 'ta', 'tax', 'taxe', 'taxes'].map(q => inc.run(q));
		const settled = await Promise.allSettled(typed);
		expect(settled.slice(0, -1).every(s => s.status === 'rejected' && /aborted/.test(String(s.reason)))).toBe(true);
		const last = settled.at(-1)!;
		expect(last.status === 'fulfilled' && last.value.hits[0]!.path).toBe('/home/taxes');
	});

	test('an index still being built is searchable, and answers change as it grows', async () => {
		const ix = new FileIndex();
		const s = ix.beginSnapshot(snap('a', 1));
		addTree(ix, s, '/home/docs/first-invoice.pdf');
		const inc = new IncrementalSearch(ix);
		expect(paths((await runFinal(inc, 'invoice')).final)).toEqual(['/home/docs/first-invoice.pdf']);
		addTree(ix, s, '/home/docs/second-invoice.pdf');
		const grown = (await runFinal(inc, 'invoice')).final;
		expect(paths(grown).sort()).toEqual(['/home/docs/first-invoice.pdf', '/home/docs/second-invoice.pdf']);
		expect(grown.total).toBe(2);
		ix.completeSnapshot(s);
		expect((await runFinal(inc, 'invoice')).final.total).toBe(2);
	});

	test('forgotten snapshots drop out', async () => {
		const ix = build();
		ix.retain(new Set([ix.snapshots[1]!.id]));
		expect((await search(ix, 'draft')).hits).toEqual([]);
	});
});

/** An independent, slow reading of the tier rules, straight from their wording. */
function referenceTier(term: string, rel: string): number {
	const slash = rel.lastIndexOf('/');
	const dir = slash < 0 ? '' : rel.slice(0, slash);
	const name = rel.slice(slash + 1);
	const wordStart = (s: string, i: number) => i === 0 || s[i] === '/' || '/-_. ([+,'.includes(s[i - 1]!);
	const occurrences = (s: string) => [...s.matchAll(new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'))].map(m => m.index);
	if (name.includes(term)) {
		if (name === term || name === `.${term}` || (name.startsWith(term) && name.lastIndexOf('.') === term.length)) return 5;
		return occurrences(name).some(i => wordStart(name, i)) ? 4 : 3;
	}
	if (dir.includes(term)) return 2;
	// Pieces that each start a word, in order; none runs from the folders into the name.
	const dirText = dir ? `${dir}/` : '';
	const full = dirText + name;
	const pieces = (k: number, from: number): boolean => {
		if (k === term.length) return true;
		for (let p = from; p < full.length; p++) {
			if (!wordStart(full, p)) continue;
			const end = p < dirText.length ? dirText.length : full.length;
			for (let l = 1; p + l <= end && k + l <= term.length && full.slice(p, p + l) === term.slice(k, k + l); l++) if (pieces(k + l, p + l)) return true;
		}
		return false;
	};
	if (term.length <= 30 && pieces(0, 0)) return 1;
	let k = 0;
	for (const ch of full) if (k < term.length && ch === term[k]) k++;
	return k === term.length ? 0 : -1;
}

describe('ranking properties on a generated home', () => {
	let seed = 7;
	const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
	const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
	const words = ['report', 'invoice', 'notes', 'tax', 'photo', 'résumé', 'plan', 'data', 'taxes', '2023'];
	const ix = new FileIndex();
	const all: string[] = [];
	for (let i = 0; i < 3000; i++) all.push(`/home/u/${pick(['docs', 'taxes', 'photos', 'code/node_modules', 'tax-2023', '.cache/x'])}/${pick(words)}-${Math.floor(rand() * 40)}/${pick(words)}${pick(['', '-final', '_2023', '.d'])}.${pick(['pdf', 'txt', 'js'])}`);
	for (let s = 0; s < 4; s++) {
		const slot = ix.beginSnapshot(snap(String.fromCharCode(97 + s), 40 - s * 10, s % 2 ? 'laptop' : 'desk', ['/home/u']));
		for (const [i, p] of all.entries()) if ((i + s) % 7 !== 0) addTree(ix, slot, p, 10 + s * (i % 3), 1000 + s * (i % 5));
		ix.completeSnapshot(slot);
	}
	const queries = ['report', 'invoice-final', 'tax', 'resume', 'notes_2023.txt', 'plan.p', 'zzz', 'data-3', 'taxes', 'photos', 'node_mod', 'docs', 'report final', 'tax 2023 pdf', 'notes txt', 'photo data 1', 'tx23', 'tax2023pdf', 'rpt'];

	test('every path is placed in the tier the rules give it; a looser tier never outranks a stricter one', async () => {
		const relOf = (p: string) => fold(p.slice('/home/u/'.length));
		const live = [...new Set(ix.snapshots.flatMap((_, slot) => [...Array(ix.pathCount).keys()].filter(p => ix.versionsOf(p).some(v => ix.bits[slot]!.has(v.id)))))].map(p => ix.path(p)).filter(p => p.startsWith('/home/u/'));
		for (const q of queries) {
			const terms = parseQuery(q);
			const expected = new Map<string, number>();
			for (const p of live) {
				const tiers = terms.map(t => referenceTier(t, relOf(p)));
				if (Math.min(...tiers) >= 0) expected.set(p, Math.min(...tiers));
			}
			const r = await search(ix, q, {limit: 100_000});
			expect(new Map(r.hits.map(h => [h.path, tierRank.indexOf(h.tier)])), q).toEqual(expected);
			expect([r.total, r.looser], q).toEqual([[...expected.values()].filter(t => t >= 1).length, [...expected.values()].filter(t => t === 0).length]);
			for (let i = 1; i < r.hits.length; i++) expect(tierRank.indexOf(r.hits[i]!.tier) <= tierRank.indexOf(r.hits[i - 1]!.tier), `${q}: ${r.hits[i - 1]!.path} before ${r.hits[i]!.path}`).toBe(true);
			// Within a tier, the user's files come first.
			for (let i = 1; i < r.hits.length; i++) if (r.hits[i]!.tier === r.hits[i - 1]!.tier && !r.hits[i]!.machine) expect(r.hits[i - 1]!.machine, q).toBe(false);
		}
	});

	test('the keystroke-by-keystroke answer is exactly the full ranking, with and without filters', async () => {
		let early = 0;
		// smallTier 0: every strict tier of a one-term query is walked in ranking order (the path
		// a big index takes for short terms), not visited through its names.
		for (const [filters, smallTier] of [[{}], [{}, 0], [{hosts: ['laptop']}], [{type: 'file' as const, pathPrefix: '/home/u/taxes'}], [{hideMachine: true}]] as Array<[SearchFilters, number?]>) {
			const engine = new IncrementalSearch(ix, {smallTier});
			for (const q of queries) {
				for (let i = 1; i <= q.length; i++) {
					const typed = q.slice(0, i);
					const {first, final} = await runFinal(engine, typed, {limit: 20, filters});
					const full = await search(ix, typed, {limit: 20, filters});
					const label = `${typed} ${JSON.stringify(filters)} ${smallTier}`;
					const ranked = (r: SearchResult) => r.hits.map(h => [h.path, h.score]);
					expect(ranked(final), label).toEqual(ranked(full));
					expect([final.total, final.looser], label).toEqual([full.total, full.looser]);
					if (!first.totalExact) {
						early++;
						// The hits shown first are the final list's head (all of it when full), and the count
						// shown with them is a lower bound, never more.
						expect(ranked(first), label).toEqual(ranked(full).slice(0, first.hits.length));
						if (first.hits.length === 20) expect(ranked(first), label).toEqual(ranked(full));
						expect(first.total, label).toBeLessThanOrEqual(full.total);
						expect(first.total, label).toBeGreaterThanOrEqual(first.hits.length);
					}
				}
			}
		}
		// The strict lookup really answered a good share of the keystrokes before any scan.
		expect(early).toBeGreaterThan(50);
	});

	test('a repository of 500 snapshots (index level: one listing replicated with churn)', async () => {
		const big = new FileIndex();
		const base = all.slice(0, 400);
		for (let s = 0; s < 500; s++) {
			const slot = big.beginSnapshot({...snap('x', 500 - s), id: s.toString(16).padStart(64, '0'), shortId: s.toString(16).padStart(8, '0')});
			for (const [i, p] of base.entries()) if ((i + s) % 50 !== 0) addTree(big, slot, p, 10 + ((i * s) % 7), 1000);
			big.add(slot, node(`/home/u/docs/only-in-${s}.txt`));
			big.completeSnapshot(slot);
		}
		const r = await search(big, 'only-in-499');
		expect(paths(r)).toEqual(['/home/u/docs/only-in-499.txt']);
		const engine = new IncrementalSearch(big);
		const {final} = await runFinal(engine, 'only-in', {limit: 1000});
		expect(final.total).toBe(500);
		// Shorter first, then newer: only-in-9 is the newest of the shortest.
		expect(final.hits[0]!.path).toBe('/home/u/docs/only-in-9.txt');
		expect(big.timeline(big.lookup(base[1]!)!).present.length).toBeGreaterThan(480);
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
