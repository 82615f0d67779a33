import {readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {parseRunLog} from '../../source/ops/run-log.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {resto} from './helpers.js';

let repo: TestRepo;
let xdg: string;
let env: Record<string, string>;

beforeAll(() => {
	xdg = tempDir('resto-forget-');
	repo = makeRepo();
	const src = path.join(repo.root, 'src');
	writeTree(src, {'a.txt': 'a\n'});
	for (const [i, day] of ['2026-01-01', '2026-01-02', '2026-02-01', '2026-03-01', '2026-03-02', '2026-03-03'].entries()) {
		writeTree(src, {[`f${i}.bin`]: Buffer.alloc(50_000, i + 1)});
		repo.backup([src], {
			time: `${day} 12:00:00`,
			tags: i === 0 ? ['keep'] : [],
		});
	}
	const config = path.join(xdg, 'config.yaml');
	writeFileSync(config, `repositories:\n  - name: usb\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\n    retention: {keepLast: 2, keepMonthly: 2}\n`);
	env = {RESTO_CONFIG: config};
});

afterAll(() => {
	repo?.cleanup();
	rmSync(xdg, {recursive: true, force: true});
});

const count = () => (JSON.parse(repo.restic(['snapshots', '--json'])) as unknown[]).length;

describe('resto forget (built CLI, real restic)', () => {
	test('--dry-run --json with restic flags: kept and removed ids with reasons, restic agrees, prune estimate', () => {
		const r = resto(xdg, ['forget', '--keep-last', '2', '--keep-tag', 'keep', '--dry-run', '--json'], env);
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		const out = JSON.parse(r.stdout) as {
			keep: string[];
			remove: string[];
			resticAgrees: boolean;
			groups: Array<{keep: Array<{reasons: string[]; time: string}>}>;
			reclaimEstimateBytes: number;
			policySource: string;
		};
		expect(out.keep).toHaveLength(3);
		expect(out.remove).toHaveLength(3);
		expect(out.resticAgrees).toBe(true);
		expect(out.policySource).toBe('flags');
		const reasons = out.groups[0]!.keep.map(k => k.reasons);
		expect(reasons).toEqual([['last snapshot'], ['last snapshot'], ['has tags [keep]']]);
		// The three removed snapshots each added a 50 kB file of their own (compressible: well under 150 kB).
		expect(out.reclaimEstimateBytes).toBeGreaterThan(0);
		expect(count()).toBe(6);
	});

	test('the policy from the config (repository retention)', () => {
		const r = resto(xdg, ['forget', '--dry-run'], env);
		expect(r.status).toBe(0);
		expect(r.stdout).toMatch(/keep 3, remove 3/);
		expect(r.stdout).toMatch(/keep {3}[0-9a-f]{8} {2}2026-03-03 \d\d:00 {2}last snapshot, monthly snapshot/);
		expect(r.stderr).toMatch(/policy from repository usb; restic's forget --dry-run agrees/);
	});

	test('a policy that deletes every snapshot is refused, nothing deleted', () => {
		const r = resto(xdg, ['forget', '--keep-tag', 'nope', '--json', '--confirm', 'usb'], env);
		expect(r.status).toBe(1);
		expect((JSON.parse(r.stdout) as {refused: string}).refused).toMatch(/would delete every snapshot \(6\)/);
		expect(r.stderr).toMatch(/refusing/);
		expect(count()).toBe(6);
	});

	test('bad flag values are usage errors', () => {
		expect(resto(xdg, ['forget', '--keep-last', 'x', '--dry-run'], env).status).toBe(2);
		expect(resto(xdg, ['forget', '--keep-within', '2weeks', '--dry-run'], env).stderr).toMatch(/restic duration/);
	});

	test('applying needs the repository name typed in full; then exactly the previewed snapshots go and the run log says so', () => {
		const wrong = resto(xdg, ['forget', '--keep-last', '4', '--confirm', 'us'], env);
		expect(wrong.status).toBe(2);
		expect(wrong.stderr).toMatch(/--confirm must be the repository name "usb"/);
		expect(count()).toBe(6);
		const noTty = resto(xdg, ['forget', '--keep-last', '4'], env);
		expect(noTty.status).toBe(2);
		expect(noTty.stderr).toMatch(/pass --confirm usb/);
		const preview = JSON.parse(resto(xdg, ['forget', '--keep-last', '4', '--dry-run', '--json'], env).stdout) as {remove: string[]};
		const r = resto(xdg, ['forget', '--keep-last', '4', '--confirm', 'usb', '--prune'], env);
		expect(r.status).toBe(0);
		expect(r.stderr).toMatch(/removed 2 snapshot\(s\); prune freed/);
		const left = (JSON.parse(repo.restic(['snapshots', '--json'])) as Array<{id: string}>).map(s => s.id);
		expect(left).toHaveLength(4);
		for (const id of preview.remove) expect(left).not.toContain(id);
		const dir = path.join(xdg, 'state', 'resto', 'runs');
		const records = readdirSync(dir)
			.filter(f => f.endsWith('.jsonl'))
			.flatMap(f => parseRunLog(readFileSync(path.join(dir, f), 'utf8')));
		expect(records.map(x => [x.op, x.result])).toEqual([
			['forget', 'ok'],
			['prune', 'ok'],
		]);
	});
});
