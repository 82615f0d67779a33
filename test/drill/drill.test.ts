import {execFileSync} from 'node:child_process';
import {chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import type {Repository} from '../../source/config/config.js';
import {drillHistory, drillReminder, lastDrill, pickFile, readDataEstimate, seededRandom, snapshotsInWindow, type DrillReport} from '../../source/drill/drill.js';
import type {ResticClient} from '../../source/restic/client.js';
import type {LsNode, Snapshot} from '../../source/restic/parse.js';
import {ResticCli} from '../../source/restic/client.js';
import {DrillTask} from '../../source/tasks/drill-task.js';
import {writeHostileTree} from '../helpers/hostile.js';
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
	// A second snapshot (same files, other host) so the seed chooses a snapshot as well as a file.
	repo.backup([src], {host: 'h2'});
	r = {name: 'local', access: repo.access};
});
afterAll(() => repo.cleanup());

const run = (task: DrillTask) => task.run();

/** restic processes whose parent is `ppid` (read from /proc: no ps, no shell). */
function resticChildren(ppid = process.pid): number[] {
	const out: number[] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
			const close = stat.lastIndexOf(')');
			const comm = stat.slice(stat.indexOf('(') + 1, close);
			const parent = Number(stat.slice(close + 2).split(' ')[1]);
			if (comm === 'restic' && parent === ppid) out.push(Number(name));
		} catch {
			// the process ended while we looked
		}
	}
	return out;
}

/**
 * Record one real `restic ls` per snapshot, then replay it: the seeded pick over the real listing can
 * be tried for hundreds of seeds without hundreds of restic runs.
 */
async function replayClient(client: ResticClient, snapshots: readonly Snapshot[]): Promise<ResticClient> {
	const listings = new Map<string, LsNode[]>();
	for (const snap of snapshots) {
		const nodes: LsNode[] = [];
		await client.ls(snap.id, {}, node => nodes.push(node));
		listings.set(snap.id, nodes);
	}
	const replay: Pick<ResticClient, 'ls'> = {
		ls: async (id, _options, onNode) => {
			for (const node of listings.get(id) ?? []) onNode(node);
			return snapshots.find(s => s.id === id)!;
		},
	};
	return replay as ResticClient;
}

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
		const id = await new ResticCli(repo.access).repoId();
		expect(lastDrill(id, repo.access.repository, drillHistory())?.verdict).toBe('pass');
		expect(lastDrill('0'.repeat(64), repo.access.repository, drillHistory())).toBeUndefined();
		// A copy of the repository (same id, other storage) has not been drilled.
		expect(lastDrill(id, `${repo.access.repository}-copy`, drillHistory())).toBeUndefined();
	});

	test('the same seed picks the same snapshot and file', async () => {
		const a = await run(new DrillTask(r, new ResticCli(repo.access), {seed: 42, skipCheck: true}));
		const b = await run(new DrillTask(r, new ResticCli(repo.access), {seed: 42, skipCheck: true}));
		expect(a.file!.path).toBe(b.file!.path);
		expect(a.snapshot!.id).toBe(b.snapshot!.id);
		// Other seeds pick other files and snapshots, never the empty file (replayed real listings).
		const client = new ResticCli(repo.access);
		const window = snapshotsInWindow(await client.snapshots(), 3);
		expect(window).toHaveLength(2);
		const replay = await replayClient(client, window);
		const again = await pickFile(replay, window, seededRandom(42));
		expect([again.snapshot.id, again.path]).toEqual([a.snapshot!.id, a.file!.path]);
		const paths = new Set<string>();
		const snaps = new Set<string>();
		for (let seed = 0; seed < 200; seed++) {
			const p = await pickFile(replay, window, seededRandom(seed));
			paths.add(p.path);
			snaps.add(p.snapshot.id);
			expect(p.size).toBeGreaterThan(0);
		}
		expect([...paths].map(p => path.basename(p)).sort()).toEqual(['a.txt', 'b.md', 'c.bin']);
		expect(snaps.size).toBe(2);
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

	test('a damaged data pack that restic check (without --read-data) misses is caught by the restore, never a pass', async () => {
		const bad = makeRepo();
		try {
			const src = path.join(bad.root, 'src');
			writeTree(src, {'only.txt': 'one file: its content is the only data pack\n'.repeat(40)});
			bad.backup([src]);
			// Damage only the packs that hold file data (tree packs stay intact, so check's structure pass is clean).
			const dataPacks = new Set<string>();
			for (const id of bad.restic(['list', 'index']).trim().split('\n')) {
				const index = JSON.parse(bad.restic(['cat', 'index', id])) as {packs: Array<{id: string; blobs: Array<{type: string}>}>};
				for (const pack of index.packs) if (pack.blobs.some(b => b.type === 'data')) dataPacks.add(pack.id);
			}
			expect(dataPacks.size).toBe(1);
			for (const id of dataPacks) {
				const file = path.join(bad.repoPath, 'data', id.slice(0, 2), id);
				const bytes = readFileSync(file);
				// Byte 20 is inside the first blob's ciphertext (after its 16-byte IV): its MAC must fail.
				bytes[20]! ^= 0xff;
				chmodSync(file, 0o600);
				writeFileSync(file, bytes);
			}
			const report = await run(new DrillTask({name: 'bad', access: bad.access}, new ResticCli(bad.access), {seed: 1}));
			expect(report.steps.find(s => s.id === 'check')?.status).toBe('passed');
			expect(report.verdict).toBe('fail');
			expect(report.failedStep).toBe('restore');
			expect(report.reason).toMatch(/ciphertext verification failed|errors/);
			expect(report.steps.find(s => s.id === 'verify')?.status).toBe('pending');
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
		const tmp = tempDir('resto-drillabort-');
		process.env.RESTO_DRILL_TMPDIR = tmp;
		try {
			for (const at of ['check', 'pick', 'restore', 'verify'] as const) {
				const task = new DrillTask(r, new ResticCli(repo.access), {seed: 3});
				// Abort only once restic is really running inside the step, as a Ctrl-C would land.
				let poll: NodeJS.Timeout | undefined;
				let killedPid: number | undefined;
				const unsub = task.subscribe(() => {
					if (poll || task.getSnapshot().steps.find(s => s.id === at)?.status !== 'running') return;
					poll = setInterval(() => {
						const kids = resticChildren();
						if (kids.length === 0) return;
						clearInterval(poll);
						killedPid = kids[0];
						task.abort();
					}, 5);
				});
				const report = await task.run();
				clearInterval(poll);
				unsub();
				expect(killedPid, `${at}: restic seen running`).toBeDefined();
				expect(report.verdict, at).toBe('aborted');
				expect(report.failedStep).toBe(at);
				expect(report.reportFiles).toBeDefined();
				expect(readFileSync(report.reportFiles!.markdown, 'utf8')).toContain('Verdict: ABORTED');
				expect(resticChildren(), `${at}: no restic left`).toEqual([]);
				expect(readdirSync(tmp), `${at}: temp removed`).toEqual([]);
				expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
			}
		} finally {
			delete process.env.RESTO_DRILL_TMPDIR;
		}
	});

	test('hostile file names are picked, restored, verified and reported escaped; invalid UTF-8 names are never picked', async () => {
		const h = makeRepo();
		try {
			const src = path.join(h.root, 'odd');
			mkdirSync(src);
			writeHostileTree(src);
			h.backup([src]);
			const client = new ResticCli(h.access);
			const window = await client.snapshots();
			const replay = await replayClient(client, window);
			// The listing really holds the invalid-UTF-8 file (as U+FFFD, which cannot address it)...
			const nodes: string[] = [];
			await replay.ls(window[0]!.id, {}, n => nodes.push(n.path));
			expect(nodes.some(p => p.includes('\ufffd'))).toBe(true);
			// ...and no seed ever picks it, while every other name gets its turn.
			const bySeed = new Map<string, number>();
			for (let seed = 0; seed < 600; seed++) {
				const p = await pickFile(replay, window, seededRandom(seed));
				expect(p.path).not.toContain('\ufffd');
				if (!bySeed.has(p.path)) bySeed.set(p.path, seed);
			}
			const newline = [...bySeed].find(([p]) => p.includes('\n'));
			const esc = [...bySeed].find(([p]) => p.includes('\x1b['));
			const dash = [...bySeed].find(([p]) => path.basename(p) === '--help');
			expect(newline && esc && dash).toBeTruthy();
			for (const [name, seed] of [newline!, esc!, dash!]) {
				const report = await run(new DrillTask({name: 'h', access: h.access}, new ResticCli(h.access), {seed, skipCheck: true}));
				expect(report.verdict, `${JSON.stringify(name)}: ${report.reason}`).toBe('pass');
				expect(report.file!.path).toBe(name);
				expect(report.hashes!.originalState).toBe('matches');
				const md = readFileSync(report.reportFiles!.markdown, 'utf8');
				// eslint-disable-next-line no-control-regex
				expect(md).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
				// The JSON keeps the exact name; the hand re-verification command is one shell-safe line.
				expect((JSON.parse(readFileSync(report.reportFiles!.json, 'utf8')) as DrillReport).file!.path).toBe(name);
				// eslint-disable-next-line no-control-regex
				expect(report.reverify).not.toMatch(/[\x00-\x1f]/);
				const rehash = execFileSync('bash', ['-c', report.reverify!], {env: resticTestEnv(h.access)}).toString();
				expect(rehash.split(' ')[0]).toBe(report.hashes!.dump);
			}
		} finally {
			h.cleanup();
		}
	}, 60_000);
});

describe('read-data estimate', () => {
	test('groups, percentages and sizes become bytes and seconds at the stated throughput', () => {
		expect(readDataEstimate('1/20', 2e9, true)).toEqual({bytes: 1e8, seconds: 1, bytesPerSecond: 100e6});
		expect(readDataEstimate('5%', 2e9, false)).toEqual({bytes: 1e8, seconds: 10, bytesPerSecond: 10e6});
		expect(readDataEstimate('100M', 1e12, true)!.bytes).toBe(100 * 1024 ** 2);
		expect(readDataEstimate('100G', 1e6, true)!.bytes).toBe(1e6);
		expect(readDataEstimate('half', 1e6, true)).toBeUndefined();
		expect(readDataEstimate('1/0', 1e6, true)).toBeUndefined();
	});
});

describe('reminders', () => {
	const id = 'a'.repeat(64);
	const base = (date: string, verdict: DrillReport['verdict'] = 'pass', repoId = id) => ({repository: {name: 'r', location: '/r', id: repoId}, date, verdict}) as DrillReport;
	const r = {label: 'r', id};
	test('a drill of another repository with the same name counts for nothing; no reminder before the id is known', () => {
		expect(drillReminder(r, new Date('2026-06-01'), [base('2026-05-01T00:00:00Z', 'pass', 'b'.repeat(64))])).toMatch(/never passed/);
		expect(drillReminder({label: 'r'}, new Date('2026-06-01'), [])).toBeUndefined();
	});
	test('never drilled, over a year, World Backup Day near, done this year', () => {
		expect(drillReminder(r, new Date('2026-06-01'), [])).toMatch(/never passed/);
		expect(drillReminder(r, new Date('2026-06-01'), [base('2025-05-01T00:00:00Z')])).toMatch(/over a year ago/);
		expect(drillReminder(r, new Date('2026-06-01'), [base('2025-09-01T00:00:00Z')])).toBeUndefined();
		expect(drillReminder(r, new Date('2026-03-20T12:00:00'), [base('2025-09-01T00:00:00Z')])).toMatch(/World Backup Day .* in 11 days/);
		expect(drillReminder(r, new Date('2026-03-20T12:00:00'), [base('2026-01-10T00:00:00Z')])).toBeUndefined();
		expect(drillReminder(r, new Date('2026-03-20T12:00:00'), [base('2026-01-10T00:00:00Z', 'aborted')])).toMatch(/World Backup Day/);
	});
	test('a failed last drill outranks every reminder, with its step and the first sentence of its reason', () => {
		const failed = {...base('2026-05-01T00:00:00Z', 'fail'), failedStep: 'check', reason: 'restic check found problems: pack 31c6: does not exist; Fatal: repository contains errors. What to do: …'} as DrillReport;
		const text = drillReminder(r, new Date('2026-06-01'), [failed, base('2026-04-01T00:00:00Z')]);
		expect(text).toMatch(/^r's last restore drill FAILED on 2026-05-01 at "Check the repository": restic check found problems: pack 31c6: does not exist \(H: report, d: drill again\)\.$/);
		expect(drillReminder(r, new Date('2026-03-20T12:00:00'), [failed])).toMatch(/FAILED/);
		// A pass after the failure: back to the usual reminders.
		expect(drillReminder(r, new Date('2026-06-01'), [base('2026-05-02T00:00:00Z'), failed])).toBeUndefined();
	});
});
