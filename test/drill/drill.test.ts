import {execFileSync} from 'node:child_process';
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import type {Repository} from '../../source/config/config.js';
import {drillHistory, drillReminder, lastDrill, type DrillReport} from '../../source/drill/drill.js';
import {ResticCli} from '../../source/restic/client.js';
import {DrillTask} from '../../source/tasks/drill-task.js';
import {hostileNames, writeHostileTree} from '../helpers/hostile.js';
import {makeRepo, resticTestEnv, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let r: Repository;
let state: string;

beforeAll(() => {
	state = tempDir('resto-drillstate-');
	process.env.XDG_STATE_HOME = state;
	repo = makeRepo();
	const src = path.join(repo.root, 'src');
	writeTree(src, {'a.txt': 'alpha\n', 'docs/b.md': '# b\n', 'docs/c.bin': Buffer.alloc(5000, 7), 'empty.txt': ''});
	repo.backup([src], {host: 'h'});
	r = {name: 'local', access: repo.access};
});
afterAll(() => repo.cleanup());

const run = (task: DrillTask) => task.run();

describe('restore drill against real restic', () => {
	test('passes, proves the file with SHA-256, writes 0600 reports that re-verify with restic dump | sha256sum', async () => {
		const report = await run(new DrillTask(r, new ResticCli(repo.access), {seed: 1}));
		expect(report.verdict, report.reason).toBe('pass');
		expect(report.file!.size).toBeGreaterThan(0);
		expect(report.hashes!.restored).toBe(report.hashes!.dump);
		expect(report.hashes!.originalState).toBe('matches');
		expect(report.answers['offsite-copy']).toBe('not asked');
		expect(statSync(report.reportFiles!.json).mode & 0o777).toBe(0o600);
		expect(statSync(path.dirname(report.reportFiles!.json)).mode & 0o777).toBe(0o700);
		const md = readFileSync(report.reportFiles!.markdown, 'utf8');
		expect(md).toContain('Verdict: PASS');
		expect(md).toContain(report.hashes!.dump);
		// Re-verify by hand, as the report says.
		const dumped = execFileSync('restic', ['dump', report.snapshot!.id, report.file!.path], {env: resticTestEnv(repo.access)});
		const {createHash} = await import('node:crypto');
		expect(createHash('sha256').update(dumped).digest('hex')).toBe(report.hashes!.dump);
		// Temp files are gone.
		const tmp = tempDir('resto-drilltmp-');
		process.env.RESTO_DRILL_TMPDIR = tmp;
		try {
			expect((await run(new DrillTask(r, new ResticCli(repo.access), {seed: 2, skipCheck: true}))).verdict).toBe('pass');
			expect(readdirSync(tmp)).toEqual([]);
		} finally {
			delete process.env.RESTO_DRILL_TMPDIR;
		}
		expect(lastDrill('local', drillHistory())?.verdict).toBe('pass');
	});

	test('the same seed picks the same snapshot and file', async () => {
		const a = await run(new DrillTask(r, new ResticCli(repo.access), {seed: 42, skipCheck: true}));
		const b = await run(new DrillTask(r, new ResticCli(repo.access), {seed: 42, skipCheck: true}));
		expect(a.file!.path).toBe(b.file!.path);
		expect(a.snapshot!.id).toBe(b.snapshot!.id);
		const picks = new Set<string>();
		for (let seed = 0; seed < 6; seed++) picks.add((await run(new DrillTask(r, new ResticCli(repo.access), {seed, skipCheck: true}))).file!.path);
		expect(picks.size).toBeGreaterThan(1);
		expect([...picks].some(p => p.endsWith('empty.txt'))).toBe(false);
	});

	test('a damaged pack file fails the drill, naming the step', async () => {
		const bad = makeRepo();
		try {
			const src = path.join(bad.root, 'src');
			writeTree(src, {'only.txt': 'the only file, so its pack is the one we damage\n'.repeat(50)});
			bad.backup([src]);
			const dataDir = path.join(bad.repoPath, 'data');
			for (const sub of readdirSync(dataDir)) {
				for (const pack of readdirSync(path.join(dataDir, sub))) {
					const file = path.join(dataDir, sub, pack);
					const bytes = readFileSync(file);
					bytes[Math.floor(bytes.length / 3)]! ^= 0xff;
					writeFileSync(file, bytes);
				}
			}
			const report = await run(new DrillTask({name: 'bad', access: bad.access}, new ResticCli(bad.access), {seed: 1, readDataSubset: '100%'}));
			expect(report.verdict).toBe('fail');
			expect(report.failedStep).toBe('check');
			const noCheck = await run(new DrillTask({name: 'bad', access: bad.access}, new ResticCli(bad.access), {seed: 1, skipCheck: true}));
			expect(noCheck.verdict).toBe('fail');
			// Trees live in packs too: the damage shows wherever restic first reads it.
			expect(['pick', 'restore', 'verify']).toContain(noCheck.failedStep);
			expect(noCheck.reason).toBeTruthy();
		} finally {
			bad.cleanup();
		}
	});

	test('an empty repository and a window without snapshots explain themselves', async () => {
		const empty = makeRepo();
		try {
			const report = await run(new DrillTask({name: 'empty', access: empty.access}, new ResticCli(empty.access), {seed: 1, skipCheck: true}));
			expect(report.verdict).toBe('fail');
			expect(report.failedStep).toBe('pick');
			expect(report.reason).toMatch(/has no snapshots/);
			const src = path.join(empty.root, 'src');
			writeTree(src, {'x.txt': 'x'});
			empty.backup([src], {time: '2020-01-01 10:00:00'});
			const old = await run(new DrillTask({name: 'empty', access: empty.access}, new ResticCli(empty.access), {seed: 1, skipCheck: true, months: 3}));
			expect(old.failedStep).toBe('pick');
			expect(old.reason).toMatch(/no snapshot in the last 3 months; the newest is from 2020-01-01.*--months/);
		} finally {
			empty.cleanup();
		}
	});

	test('the picked file removed by a concurrent forget+prune fails at restore, cleanly', async () => {
		const f = makeRepo();
		try {
			const src = path.join(f.root, 'src');
			writeTree(src, {'gone.txt': 'soon forgotten\n'});
			f.backup([src]);
			const report = await run(
				new DrillTask({name: 'f', access: f.access}, new ResticCli(f.access), {
					seed: 1,
					skipCheck: true,
					afterPick: async picked => {
						f.restic(['forget', '--prune', picked.snapshot.id]);
					},
				}),
			);
			expect(report.verdict).toBe('fail');
			expect(report.failedStep).toBe('restore');
		} finally {
			f.cleanup();
		}
	});

	test('a restore target that cannot be written fails the restore step', async () => {
		const blocked = path.join(tempDir(), 'not-a-dir');
		writeFileSync(blocked, 'a file where the temp dir should be');
		process.env.RESTO_DRILL_TMPDIR = blocked;
		try {
			const report = await run(new DrillTask(r, new ResticCli(repo.access), {seed: 1, skipCheck: true}));
			expect(report.verdict).toBe('fail');
			expect(report.failedStep).toBe('restore');
		} finally {
			delete process.env.RESTO_DRILL_TMPDIR;
		}
	});

	test('abort in the middle of each step: restic stopped, temp removed, the report says aborted', async () => {
		for (const at of ['check', 'pick', 'restore', 'verify'] as const) {
			const task = new DrillTask(r, new ResticCli(repo.access), {seed: 3});
			const unsub = task.subscribe(() => {
				if (task.getSnapshot().steps.find(s => s.id === at)?.status === 'running') task.abort();
			});
			const report = await task.run();
			unsub();
			expect(report.verdict, at).toBe('aborted');
			expect(report.failedStep).toBe(at);
			expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
		}
	});

	test('hostile file names are picked, restored, verified and reported escaped', async () => {
		const h = makeRepo();
		try {
			const src = path.join(h.root, 'odd');
			mkdirSync(src);
			writeHostileTree(src);
			h.backup([src]);
			const seen = new Set<string>();
			for (let seed = 0; seed < 25; seed++) {
				const report = await run(new DrillTask({name: 'h', access: h.access}, new ResticCli(h.access), {seed, skipCheck: true}));
				expect(report.verdict, `${seed}: ${report.reason}`).toBe('pass');
				seen.add(report.file!.path);
				const md = readFileSync(report.reportFiles!.markdown, 'utf8');
				expect(md).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
			}
			expect([...seen].some(p => /[\n\x1b]/.test(p))).toBe(true);
			expect(hostileNames.length).toBeGreaterThan(5);
		} finally {
			h.cleanup();
		}
	}, 120_000);
});

describe('reminders', () => {
	const base = (date: string, verdict: DrillReport['verdict'] = 'pass') => ({repository: {name: 'r', location: '/r'}, date, verdict}) as DrillReport;
	test('never drilled, over a year, World Backup Day near, done this year', () => {
		expect(drillReminder('r', new Date('2026-06-01'), [])).toMatch(/never passed/);
		expect(drillReminder('r', new Date('2026-06-01'), [base('2025-05-01T00:00:00Z')])).toMatch(/over a year ago/);
		expect(drillReminder('r', new Date('2026-06-01'), [base('2025-09-01T00:00:00Z')])).toBeUndefined();
		expect(drillReminder('r', new Date('2026-03-20T12:00:00'), [base('2025-09-01T00:00:00Z')])).toMatch(/World Backup Day .* in 11 days/);
		expect(drillReminder('r', new Date('2026-03-20T12:00:00'), [base('2026-01-10T00:00:00Z')])).toBeUndefined();
		expect(drillReminder('r', new Date('2026-03-20T12:00:00'), [base('2026-01-10T00:00:00Z', 'fail')])).toMatch(/World Backup Day/);
	});
});
