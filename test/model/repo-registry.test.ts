/**
 * The repository model against real restic: identity by repository id (two names, one repository; a
 * repository re-initialised at the same path), history from the old name-keyed layout, a repository
 * removed from the configuration, and the model updating after a backup and a drill.
 */
import {cpSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import type {Repository} from '../../source/config/config.js';
import {drillHistory, drillsDir, type DrillReport} from '../../source/drill/drill.js';
import {RepoRegistry, type RegistryEvent} from '../../source/model/repo-registry.js';
import {ResticCli} from '../../source/restic/client.js';
import {BackupTask} from '../../source/tasks/backup-task.js';
import {DrillTask} from '../../source/tasks/drill-task.js';
import {planFromPaths} from '../../source/backup/backup-set.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let a: TestRepo;
let b: TestRepo;
let state: string;
const saved = process.env.XDG_STATE_HOME;
const savedCache = process.env.XDG_CACHE_HOME;

beforeAll(() => {
	state = tempDir('resto-model-state-');
	process.env.XDG_STATE_HOME = state;
	process.env.XDG_CACHE_HOME = path.join(state, 'cache');
	a = makeRepo();
	b = makeRepo();
	for (const r of [a, b]) {
		writeTree(path.join(r.root, 'src'), {'doc.txt': 'hello\n', 'sub/x.txt': 'x\n'});
		r.backup([path.join(r.root, 'src')]);
	}
});
afterAll(() => {
	a.cleanup();
	b.cleanup();
	rmSync(state, {recursive: true, force: true});
	for (const [k, v] of [
		['XDG_STATE_HOME', saved],
		['XDG_CACHE_HOME', savedCache],
	] as const) {
		if (v === undefined) delete process.env[k];
		else process.env[k] = v;
	}
});

const clientFor = (repo: Repository) => new ResticCli(repo.access);
const events = (registry: RepoRegistry) => {
	const list: RegistryEvent[] = [];
	registry.onEvent(e => list.push(e));
	return list;
};

describe('repository identity', () => {
	test('two configured names for one repository share one model, one status and one backup slot', async () => {
		// The second name reaches the same repository by another path (a symlink): only the id says so.
		const link = path.join(a.root, 'same-repo');
		symlinkSync(a.repoPath, link);
		const registry = new RepoRegistry(
			[
				{name: 'one', access: a.access},
				{name: 'two', access: {...a.access, repository: link}},
				{name: 'other', access: b.access},
			],
			clientFor,
			{history: () => []},
		);
		const seen = events(registry);
		await registry.checkAll();
		const one = registry.modelFor('one')!;
		expect(registry.modelFor('two')).toBe(one);
		expect(registry.modelFor('other')).not.toBe(one);
		expect(one.id).toBe(await new ResticCli(a.access).repoId());
		expect([...one.getSnapshot().names].sort()).toEqual(['one', 'two']);
		expect(registry.getSnapshot().states.get('two')).toBe(registry.getSnapshot().states.get('one'));
		expect(seen).toContainEqual({type: 'shared', names: expect.arrayContaining(['one', 'two']), id: one.id});
		// One backup at a time for the repository, whichever name starts it.
		const first = new BackupTask(planFromPaths({name: 'one', access: a.access}, [path.join(a.root, 'src')]), one.client);
		expect(one.claimBackup(first)).toBe(true);
		expect(registry.modelFor('two')!.claimBackup(new BackupTask(planFromPaths({name: 'two', access: a.access}, [path.join(a.root, 'src')]), one.client))).toBe(false);
		one.backupFinished(first);
		expect(one.getSnapshot().backup).toBeUndefined();
		registry.dispose();
	}, 60_000);

	test('a copy of a repository (same id, other storage, a pack missing) is its own repository: a drill on the original never shows on it', async () => {
		// rclone sync or cp -a keeps the repository id; the copy can still be damaged on its own.
		// Its drills write reports: keep them out of the state the other tests read.
		process.env.XDG_STATE_HOME = path.join(state, 'copy-test');
		const copy = path.join(a.root, 'copy');
		cpSync(a.repoPath, copy, {recursive: true});
		const packs = readdirSync(path.join(copy, 'data'), {recursive: true, withFileTypes: true}).filter(e => e.isFile());
		for (const p of packs) rmSync(path.join(p.parentPath, p.name));
		const registry = new RepoRegistry(
			[
				{name: 'original', access: a.access},
				{name: 'copy', access: {...a.access, repository: copy}},
			],
			clientFor,
			{history: () => []},
		);
		await registry.checkAll();
		const original = registry.modelFor('original')!;
		const copied = registry.modelFor('copy')!;
		expect(copied.id).toBe(original.id);
		expect(copied).not.toBe(original);
		const passed = await new DrillTask({name: 'original', access: a.access}, original.client, {seed: 3}).run();
		expect(passed.verdict).toBe('pass');
		registry.recordDrill(passed);
		expect(original.getSnapshot().drills[0]?.verdict).toBe('pass');
		expect(copied.getSnapshot().drills).toEqual([]);
		// The copy's own drill fails within seconds and names the missing pack.
		const started = Date.now();
		const failed = await new DrillTask({name: 'copy', access: {...a.access, repository: copy}}, copied.client, {seed: 3}).run();
		expect(failed.verdict).toBe('fail');
		expect(Date.now() - started).toBeLessThan(30_000);
		expect(JSON.stringify(failed)).toMatch(/pack [0-9a-f]{64}: does not exist/);
		registry.recordDrill(failed);
		expect(copied.getSnapshot().drills.map(d => d.verdict)).toEqual(['fail']);
		expect(original.getSnapshot().drills.map(d => d.verdict)).toEqual(['pass']);
		registry.dispose();
		process.env.XDG_STATE_HOME = state;
	}, 90_000);

	test('a repository re-initialised at the same path is a new model; the old drills are not attributed to it', async () => {
		const c = makeRepo();
		try {
			writeTree(path.join(c.root, 'src'), {'f.txt': 'f\n'});
			c.backup([path.join(c.root, 'src')]);
			const oldId = await new ResticCli(c.access).repoId();
			const passed = {version: 1, verdict: 'pass', date: new Date().toISOString(), repository: {name: 'c', location: c.repoPath, id: oldId}, seed: 1, months: 3, answers: {}, versions: {restic: '0.14', resto: 'x'}, host: 'h', durations: {}, steps: []} as unknown as DrillReport;
			const registry = new RepoRegistry([{name: 'c', access: c.access}], clientFor, {history: () => [passed]});
			const seen = events(registry);
			const before = (await registry.check('c'))!;
			expect(before.id).toBe(oldId);
			expect(before.getSnapshot().drills).toEqual([passed]);
			expect(before.getSnapshot().status?.snapshotCount).toBe(1);

			// Someone wipes the repository and runs restic init at the same place.
			rmSync(c.repoPath, {recursive: true, force: true});
			c.restic(['init']);
			const after = (await registry.check('c'))!;
			expect(after).not.toBe(before);
			expect(after.id).not.toBe(oldId);
			expect(after.getSnapshot().drills).toEqual([]);
			expect(after.getSnapshot().status?.snapshotCount).toBe(0);
			expect(before.getSnapshot().retired).toMatch(/was replaced/);
			expect(registry.modelFor('c')).toBe(after);
			expect(seen).toContainEqual({type: 'id-changed', name: 'c', location: c.repoPath, from: oldId, to: after.id});
			registry.dispose();
		} finally {
			c.cleanup();
		}
	}, 60_000);

	test('history from the old name-keyed layout: reports with an id follow the id, reports without one count for nobody (with a notice)', async () => {
		const dir = drillsDir();
		mkdirSync(dir, {recursive: true});
		const idA = await new ResticCli(a.access).repoId();
		// The old layout: files named after the repository name, every zero-config repository "default".
		const old = (file: string, report: Partial<DrillReport>) => writeFileSync(path.join(dir, file), JSON.stringify({version: 1, seed: 1, months: 3, answers: {}, steps: [], ...report}));
		old('20250101T000000-default.json', {verdict: 'pass', date: '2025-01-01T00:00:00.000Z', repository: {name: 'default', location: a.repoPath, id: idA}});
		old('20250102T000000-default.json', {verdict: 'pass', date: '2025-01-02T00:00:00.000Z', repository: {name: 'default', location: '/somewhere/else'}});
		old('20250103T000000-broken.json', {verdict: 'pass', date: '2025-01-03T00:00:00.000Z'} as Partial<DrillReport>);
		writeFileSync(path.join(dir, '20250104T000000-garbage.json'), '{not json');
		try {
			// Both are zero-config-like names; B must not get A's pass, nor the report without an id.
			const registry = new RepoRegistry(
				[
					{name: a.repoPath, access: a.access},
					{name: 'default', access: b.access},
				],
				clientFor,
			);
			const seen = events(registry);
			await registry.checkAll();
			expect(
				registry
					.modelFor(a.repoPath)!
					.getSnapshot()
					.drills.map(r => r.date),
			).toEqual(['2025-01-01T00:00:00.000Z']);
			expect(registry.modelFor('default')!.getSnapshot().drills).toEqual([]);
			expect(seen.find(e => e.type === 'unattributed-drills')).toMatchObject({count: 2});
			// Listed in the history (H), damaged files skipped.
			expect(registry.history().all).toHaveLength(3);
			registry.dispose();
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	}, 60_000);

	test('a repository removed from the configuration leaves cleanly: its model retires, screens learn why', async () => {
		const registry = new RepoRegistry(
			[
				{name: 'a', access: a.access},
				{name: 'b', access: b.access},
			],
			clientFor,
			{history: () => []},
		);
		const seen = events(registry);
		await registry.checkAll();
		const modelB = registry.modelFor('b')!;
		const indexing = modelB
			.indexer()
			.update()
			.catch(() => 'stopped');
		registry.setRepositories([{name: 'a', access: a.access}]);
		expect(registry.modelFor('b')).toBeUndefined();
		expect(registry.getSnapshot().repositories.map(r => r.name)).toEqual(['a']);
		expect(registry.getSnapshot().states.has('b')).toBe(false);
		expect(registry.getSnapshot().gone.get('b')).toMatch(/b was removed from the configuration/);
		expect(modelB.getSnapshot().retired).toMatch(/removed/);
		expect(seen).toContainEqual({type: 'removed', names: ['b']});
		await indexing;
		expect(['canceled', 'done']).toContain(modelB.indexer().getSnapshot().phase);
		// A check of a name that is gone is a no-op, not a crash.
		expect(await registry.check('b')).toBeUndefined();
		// Back in the configuration: a fresh model.
		registry.setRepositories([
			{name: 'a', access: a.access},
			{name: 'b', access: b.access},
		]);
		expect(registry.getSnapshot().gone.has('b')).toBe(false);
		expect((await registry.check('b'))!.id).toBe(modelB.id);
		registry.dispose();
	}, 60_000);
});

describe('the model follows what changes the repository', () => {
	test('a backup adds its snapshot to the model; a drill joins the drills of its id only', async () => {
		const registry = new RepoRegistry(
			[
				{name: 'a', access: a.access},
				{name: 'b', access: b.access},
			],
			clientFor,
			{history: () => drillHistory()},
		);
		await registry.checkAll();
		const model = registry.modelFor('a')!;
		const count = model.getSnapshot().status!.snapshotCount!;
		const task = new BackupTask(planFromPaths({name: 'a', access: a.access}, [path.join(a.root, 'src')]), model.client, {onSnapshot: () => model.snapshotAdded()});
		expect(model.claimBackup(task)).toBe(true);
		await task.run();
		model.backupFinished(task);
		for (let i = 0; i < 200 && model.getSnapshot().status?.snapshotCount !== count + 1; i++) await new Promise(r => setTimeout(r, 50));
		expect(model.getSnapshot().status?.snapshotCount).toBe(count + 1);
		expect(model.getSnapshot().snapshots.data).toHaveLength(count + 1);

		const report = await new DrillTask({name: 'a', access: a.access}, model.client, {seed: 3, skipCheck: true}).run();
		expect(report.verdict).toBe('pass');
		registry.recordDrill(report);
		expect(model.getSnapshot().drills[0]).toBe(report);
		expect(registry.modelFor('b')!.getSnapshot().drills).toEqual([]);
		registry.dispose();
	}, 120_000);
});
