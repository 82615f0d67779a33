/**
 * A repository of 500 snapshots: five real `restic backup` runs (five versions of a file), each snapshot then
 * stored 99 more times at later hours the way restic stores a snapshot (test/helpers/low-cost-key.ts
 * addSnapshots: the same tree, as hourly backups of an unchanged home). restic lists and finds all 500; resto
 * indexes and searches them through the built CLI. Snapshots that share a root tree share one listing.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliPath} from '../e2e/tmux.js';
import {FileIndex} from '../../source/index/file-index.js';
import {RepoIndexer} from '../../source/index/indexer.js';
import {ResticCli} from '../../source/restic/client.js';
import {addSnapshots} from '../helpers/low-cost-key.js';
import {makeRepo, resticTestEnv, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

const snapshots = 500;
const versions = 5;
let repo: TestRepo;
let work: string;
let src: string;
let wrapper: string;
let runsLog: string;

/** restic's environment, with a restic cache of this test's own (no other test run removes it meanwhile). */
const env = () => ({...resticTestEnv(repo.access), RESTIC_CACHE_DIR: path.join(work, 'restic-cache')});

beforeAll(() => {
	work = tempDir('resto-many-');
	runsLog = path.join(work, 'runs.log');
	wrapper = path.join(work, 'restic-counting');
	writeFileSync(wrapper, `#!/bin/sh\necho "$1" >> '${runsLog}'\nexec restic "$@"\n`);
	chmodSync(wrapper, 0o755);
});

afterAll(() => {
	repo?.cleanup();
	if (work) rmSync(work, {recursive: true, force: true});
});

function resto(args: string[]): {status: number | null; stdout: string; stderr: string; runs: string[]} {
	rmSync(runsLog, {force: true});
	const r = spawnSync(process.execPath, [cliPath, ...args], {env: {...env(), XDG_CACHE_HOME: path.join(work, 'cache'), RESTIC_BIN: wrapper}, encoding: 'utf8'});
	return {status: r.status, stdout: r.stdout, stderr: r.stderr, runs: existsSync(runsLog) ? readFileSync(runsLog, 'utf8').trim().split('\n') : []};
}

describe('a repository of 500 snapshots (real restic)', () => {
	beforeAll(() => {
		repo = makeRepo();
		src = path.join(repo.root, 'home', 'alice');
		// `versions` contents of the file: each is backed up once by restic, and that snapshot is then stored
		// again at the following hours (the same tree, as an hourly backup of an unchanged home), 100 in all.
		const hour = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 3_600_000).toISOString();
		for (let v = 0; v < versions; v++) {
			writeTree(src, {'notes/plan.txt': `version ${v}\n`.repeat(v + 1)});
			const first = v * (snapshots / versions);
			const id = repo.backup([src], {time: hour(first).replace('T', ' ').slice(0, 19)});
			const json = repo.restic(['cat', 'snapshot', id]);
			addSnapshots(
				repo.repoPath,
				repo.password,
				json,
				Array.from({length: snapshots / versions - 1}, (_, i) => hour(first + i + 1)),
			);
		}
	}, 600_000);

	test('indexed with one `ls` per distinct tree; every snapshot found, versions grouped like restic find; no restic once cached', () => {
		const listed = JSON.parse(repo.restic(['snapshots', '--json'])) as Array<{id: string; tree: string}>;
		expect(listed).toHaveLength(snapshots);
		const trees = new Set(listed.map(s => s.tree));
		const built = resto(['index', '--json']);
		expect(built.status, built.stderr).toBe(0);
		expect(JSON.parse(built.stdout)).toMatchObject({snapshots, fromCache: 0});
		// One listing per distinct tree: the other 495 snapshots reuse it.
		expect(trees.size).toBe(versions);
		expect(built.runs.filter(r => r === 'ls')).toHaveLength(trees.size);

		const found = resto(['search', 'plan', '--json']);
		expect(found.status, found.stderr).toBe(0);
		expect(found.runs).toEqual([]);
		const hit = (JSON.parse(found.stdout) as {results: Array<{path: string; versions: Array<{snapshots: string[]; size: number}>; inLatest: boolean}>}).results.find(r => r.path.endsWith('/notes/plan.txt'))!;
		expect(hit.inLatest).toBe(true);
		// restic find, one process over all 500 snapshots, is the reference for which snapshots hold it.
		const fromRestic = JSON.parse(repo.restic(['find', '--json', 'plan.txt'])) as Array<{snapshot: string; matches: Array<{size: number}>}>;
		expect(fromRestic).toHaveLength(snapshots);
		expect(hit.versions.flatMap(v => v.snapshots).sort()).toEqual(fromRestic.map(r => r.snapshot).sort());
		expect(hit.versions.map(v => v.size)).toEqual(Array.from({length: versions}, (_, v) => `version ${v}\n`.length * (v + 1)));
		expect(hit.versions.map(v => v.snapshots.length)).toEqual(Array(versions).fill(snapshots / versions));
	}, 600_000);
});

describe('snapshots of an unchanged source (real restic)', () => {
	test('snapshots with the same root tree share one listing (a source whose folders above do not change)', async () => {
		const r = makeRepo();
		try {
			// /etc changes rarely (unlike /tmp): backed up again unchanged, the root tree repeats.
			const shareEnv = {...resticTestEnv(r.access), RESTIC_CACHE_DIR: path.join(work, 'restic-cache')};
			for (const time of ['2025-01-01 10:00:00', '2025-01-01 11:00:00', '2025-01-01 12:00:00']) spawnSync('restic', ['backup', '-q', `--time=${time}`, '--', '/etc/hostname', '/etc/passwd'], {env: shareEnv, stdio: 'ignore'});
			const listed = JSON.parse(r.restic(['snapshots', '--json'])) as Array<{id: string; tree: string}>;
			expect(listed).toHaveLength(3);
			const trees = new Set(listed.map(s => s.tree));
			expect(trees.size).toBeLessThan(3);
			const client = new ResticCli(r.access);
			let lsRuns = 0;
			const ls = client.ls.bind(client);
			client.ls = (...args: Parameters<typeof ls>) => {
				lsRuns++;
				return ls(...args);
			};
			const indexer = new RepoIndexer(client, {cacheDir: path.join(work, 'share-cache')});
			const index: FileIndex = await indexer.update();
			expect(lsRuns).toBe(trees.size);
			expect(indexer.getSnapshot().shared ?? 0).toBe(3 - trees.size);
			// Every snapshot holds exactly what restic ls says it holds.
			for (const s of listed) {
				const fromRestic = r
					.restic(['ls', '--json', s.id])
					.split('\n')
					.filter(l => l.includes('"struct_type":"node"'))
					.map(l => (JSON.parse(l) as {path: string}).path);
				const slot = index.snapshots.findIndex(x => x.id === s.id);
				const held: string[] = [];
				index.bits[slot]!.forEach(index.versionCount, v => held.push(index.path(index.verPath.data[v]!)));
				expect(held.sort()).toEqual(fromRestic.sort());
			}
		} finally {
			r.cleanup();
		}
	}, 120_000);
});
