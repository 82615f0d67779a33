import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cacheFile} from '../../source/index/cache.js';
import {RepoIndexer} from '../../source/index/indexer.js';
import {search} from '../../source/index/search.js';
import {ResticCli} from '../../source/restic/client.js';
import {incompleteMarker, RestoreConflictError, restorePath} from '../../source/restore/restore.js';
import {hostileNames, writeHostileTree} from '../helpers/hostile.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {cliPath} from '../e2e/tmux.js';

let repo: TestRepo;
let src: string;
let cacheDir: string;
const ids: string[] = [];

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'home');
	cacheDir = tempDir('resto-idx-cache-');
	writeTree(src, {'docs/taxes/2023/return-final.pdf': '%PDF v1', 'docs/letter.txt': 'v1\n', 'docs/old.txt': 'old\n'});
	for (let i = 0; i < 300; i++) writeTree(src, {[`bulk/f${i}.txt`]: `${i}`});
	// Restored below a new folder (the invalid UTF-8 name restores its whole parent): a shorter deep path.
	writeHostileTree(path.join(src, 'odd'), {deepDirs: 18});
	ids.push(repo.backup([src], {host: 'laptop'}));
	writeTree(src, {'docs/letter.txt': 'v2 longer\n'});
	ids.push(repo.backup([src], {host: 'laptop'}));
	rmSync(path.join(src, 'docs/old.txt'));
	writeTree(src, {'docs/letter.txt': 'v3 even longer\n'});
	ids.push(repo.backup([src], {host: 'laptop'}));
}, 60_000);

afterAll(() => {
	repo.cleanup();
	rmSync(cacheDir, {recursive: true, force: true});
});

describe('index + search + restore against real restic', () => {
	test('finds a file in every snapshot that has it; the timeline matches restic find; deletion is reported', async () => {
		const client = new ResticCli(repo.access);
		const indexer = new RepoIndexer(client, {cacheDir});
		await indexer.update();
		expect(indexer.getSnapshot().phase).toBe('done');
		const ix = indexer.index;
		const hit = (await search(ix, 'letter')).hits[0]!;
		expect(hit.path).toBe(path.join(src, 'docs/letter.txt'));
		const tl = ix.timeline(hit.pathId);
		expect(tl.runs.map(r => r.version.size)).toEqual([3, 10, 15]);
		const found = await client.find(['letter.txt']);
		expect(new Set(found.map(f => f.snapshot))).toEqual(new Set(tl.present.map(p => p.snapshot.id)));
		const old = (await search(ix, 'old.txt')).hits[0]!;
		const oldTl = ix.timeline(old.pathId);
		expect(oldTl.present.map(p => p.snapshot.id)).toEqual(ids.slice(0, 2));
		expect(oldTl.deletedAfter?.id).toBe(ids[1]);
		expect((await search(ix, 'tax2023pdf')).hits[0]!.path).toBe(path.join(src, 'docs/taxes/2023/return-final.pdf'));
		// Cache file: private and reused without listing.
		const file = cacheFile(indexer.repoId!, cacheDir);
		expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
		const again = new RepoIndexer(client, {cacheDir});
		await again.update();
		expect(again.getSnapshot().fromCache).toBe(3);
		expect(again.getSnapshot().entries).toBe(0);
	});

	test('restores the chosen version byte-exact into a new folder; refuses to overwrite', async () => {
		const client = new ResticCli(repo.access);
		const target = path.join(tempDir(), 'out');
		const file = path.join(src, 'docs/letter.txt');
		const r = await restorePath(client, {snapshotId: ids[1]!, path: file, target});
		expect(readFileSync(r.restoredPath, 'utf8')).toBe('v2 longer\n');
		expect(existsSync(path.join(target, incompleteMarker))).toBe(false);
		await expect(restorePath(client, {snapshotId: ids[0]!, path: file, target})).rejects.toBeInstanceOf(RestoreConflictError);
		expect(readFileSync(r.restoredPath, 'utf8')).toBe('v2 longer\n');
		await restorePath(client, {snapshotId: ids[0]!, path: file, target, overwrite: true});
		expect(readFileSync(r.restoredPath, 'utf8')).toBe('v1\n');
	});

	test('hostile names are found and restored byte-exact (invalid UTF-8 via its parent directory)', async () => {
		const client = new ResticCli(repo.access);
		const indexer = new RepoIndexer(client, {cacheDir});
		await indexer.update();
		for (const h of hostileNames) {
			const target = tempDir('resto-odd-');
			const raw = Buffer.concat([Buffer.from(path.join(src, 'odd')), Buffer.from('/'), h.name]);
			const shown = raw.toString('utf8');
			const query =
				h.label === 'invalid UTF-8'
					? 'invalid bin'
					: h.label === '255-byte name'
						? 'nnnnnnnn'
						: shown
								.slice(shown.lastIndexOf('/') + 1)
								// eslint-disable-next-line no-control-regex
								.replace(/[\x00-\x1f]/g, ' ')
								.split(' ')[0]!
								.slice(0, 6);
			const hits = (await search(indexer.index, query, {limit: 50})).hits;
			const hit = hits.find(x => x.path === shown);
			expect(hit, `${h.label}: ${query}`).toBeDefined();
			const result = await restorePath(client, {snapshotId: ids[2]!, path: hit!.path, target});
			expect(result.restoredParent).toBe(h.label === 'invalid UTF-8');
			const onDisk = Buffer.concat([Buffer.from(target), raw]);
			expect(readFileSync(onDisk).equals(h.content), h.label).toBe(true);
			rmSync(target, {recursive: true, force: true});
		}
	});

	test('restic stopped mid-listing leaves no cache of a partial snapshot; a corrupt cache is rebuilt', async () => {
		const client = new ResticCli(repo.access);
		const dir = tempDir('resto-idx-cancel-');
		const indexer = new RepoIndexer(client, {cacheDir: dir, notifyMs: 0});
		const controller = new AbortController();
		const unsub = indexer.subscribe(() => {
			if (indexer.getSnapshot().entries > 0) controller.abort();
		});
		await expect(indexer.update(controller.signal)).rejects.toMatchObject({kind: 'canceled'});
		unsub();
		expect(indexer.index.snapshots.filter(s => s.complete).length).toBeLessThan(3);
		const resumed = new RepoIndexer(client, {cacheDir: dir});
		await resumed.update();
		expect(resumed.index.snapshots.length).toBe(3);
		const file = cacheFile(resumed.repoId!, dir);
		const bytes = readFileSync(file);
		writeFileSync(file, bytes.subarray(0, bytes.length - 100));
		const rebuilt = new RepoIndexer(client, {cacheDir: dir});
		await rebuilt.update();
		expect(rebuilt.getSnapshot().warning).toMatch(/discarded the index cache/);
		expect(rebuilt.getSnapshot().fromCache).toBe(0);
		expect(rebuilt.index.snapshots.length).toBe(3);
	});

	test('resto search --json (CLI contract) and resto restore', () => {
		const env = {...process.env, RESTIC_REPOSITORY: repo.repoPath, RESTIC_PASSWORD_FILE: repo.passwordFile, XDG_CACHE_HOME: cacheDir};
		const r = spawnSync(process.execPath, [cliPath, 'search', 'letter', '--json', '--limit', '5'], {env, encoding: 'utf8'});
		expect(r.status).toBe(0);
		const out = JSON.parse(r.stdout) as {query: string; results: Array<{path: string; type: string; score: number; versions: Array<{snapshots: string[]; from: string; to: string; size: number; mtime: string}>; inLatest: boolean}>};
		expect(out.query).toBe('letter');
		expect(out.results[0]).toMatchObject({path: path.join(src, 'docs/letter.txt'), type: 'file', inLatest: true});
		expect(out.results[0]!.versions.map(v => v.size)).toEqual([3, 10, 15]);
		const target = path.join(tempDir(), 't');
		const rr = spawnSync(process.execPath, [cliPath, 'restore', ids[0]!.slice(0, 8), path.join(src, 'docs/letter.txt'), '--target', target], {env, encoding: 'utf8'});
		expect(rr.status).toBe(0);
		expect(readFileSync(path.join(target, src, 'docs/letter.txt'), 'utf8')).toBe('v1\n');
		const again = spawnSync(process.execPath, [cliPath, 'restore', ids[0]!.slice(0, 8), path.join(src, 'docs/letter.txt'), '--target', target], {env, encoding: 'utf8'});
		expect(again.status).toBe(1);
		expect(again.stderr).toMatch(/already exists/);
		const none = spawnSync(process.execPath, [cliPath, 'search', 'zzzqqq'], {env, encoding: 'utf8'});
		// No match is not a failure: exit 0 as with --json (readme exit-code table).
		expect(none.status).toBe(0);
		expect(none.stdout).toContain('no match for "zzzqqq"');
		const find = spawnSync(process.execPath, [cliPath, 'search', '*.pdf', '--find', '--json'], {env, encoding: 'utf8'});
		expect(find.status).toBe(0);
		expect((JSON.parse(find.stdout) as {results: Array<{path: string}>}).results.map(x => x.path)).toEqual([path.join(src, 'docs/taxes/2023/return-final.pdf')]);
	});
});
