import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {RepoIndexer} from '../../source/index/indexer.js';
import {IncrementalSearch} from '../../source/index/search.js';
import {ResticCli} from '../../source/restic/client.js';
import {TreeListing} from '../../source/tasks/tree-listing.js';
import {makeRepo, tempDir, type TestRepo} from '../helpers/restic.js';

// CI runs a smaller repository; `npm run test:full` (RESTO_TEST_FULL=1) runs 200k files × 5 snapshots.
const files = process.env.RESTO_TEST_FULL ? 200_000 : 20_000;
const snapshots = 5;
let repo: TestRepo;

beforeAll(() => {
	repo = makeRepo();
	const src = path.join(repo.root, 'home');
	let n = 0;
	for (let a = 0; n < files; a++) {
		for (let b = 0; b < 50 && n < files; b++) {
			const dir = path.join(src, `project-${a}`, `module-${b}`);
			mkdirSync(dir, {recursive: true});
			for (let c = 0; c < 100 && n < files; c++, n++) writeFileSync(path.join(dir, `file-${c}.txt`), '');
		}
	}
	writeFileSync(path.join(src, 'tax-return-2023-final.pdf'), 'pdf');
	for (let s = 0; s < snapshots; s++) {
		writeFileSync(path.join(src, `churn-${s}.txt`), String(s));
		repo.backup([src]);
	}
}, 600_000);
afterAll(() => repo.cleanup());

describe(`scale: ${files} files × ${snapshots} snapshots, real restic`, () => {
	test('indexing, searching and browsing stay bounded; RSS is recorded', async () => {
		const client = new ResticCli(repo.access);
		const rssBefore = process.memoryUsage().rss;
		const started = Date.now();
		const indexer = new RepoIndexer(client, {cacheDir: tempDir('resto-scale-cache-')});
		await indexer.update();
		const indexMs = Date.now() - started;
		expect(indexer.index.snapshots.length).toBe(snapshots);
		expect(indexer.index.pathCount).toBeGreaterThan(files);
		const engine = new IncrementalSearch(indexer.index);
		const times: number[] = [];
		let result;
		for (const q of ['t', 'ta', 'tax', 'tax2', 'tax20', 'tax202', 'tax2023']) {
			const t = performance.now();
			result = await engine.run(q);
			times.push(performance.now() - t);
		}
		expect(result!.hits[0]!.path.endsWith('tax-return-2023-final.pdf')).toBe(true);
		const listing = new TreeListing(client, indexer.index.snapshots[0]!.id);
		const t0 = Date.now();
		await listing.start();
		expect(listing.getSnapshot().status).toBe('done');
		expect(listing.getSnapshot().entries).toBeGreaterThan(files);
		const rssMB = Math.round(process.memoryUsage().rss / 2 ** 20);
		console.log(JSON.stringify({files, snapshots, indexMs, keystrokeMs: times.map(t => Math.round(t)), listMs: Date.now() - t0, rssMB, rssGrowthMB: Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20)}));
		// Memory stays bounded: well under 1 GiB for this repository.
		expect(rssMB).toBeLessThan(1024);
	}, 600_000);
});
