import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {ResticCli} from '../../source/restic/client.js';
import type {Snapshot} from '../../source/restic/parse.js';
import {forgetPolicyArgv, isoWeek, parseForgetJson, parsePruneDryRun, policyFromFlags, refusalReason, simulateForget, type RetentionPolicy} from '../../source/ops/retention.js';
import {makeRepo, resticTestEnv, writeTree, type TestRepo} from '../helpers/restic.js';

describe('retention simulator (pure)', () => {
	test('parses restic 0.14 forget --dry-run --json (reasons matched without ids)', () => {
		const text = readFileSync(path.join(import.meta.dirname, '../fixtures/restic-0.14/forget-dryrun.json'), 'utf8');
		const r = parseForgetJson(text);
		expect(r.groups).toHaveLength(2);
		expect(r.keep).toEqual(['ef2833e0637dca386c09952af009395a3c769a872d606f72e3bd8d5253bfc27f', '600c7055fe7093c556c38a906d61c27b4ca8d26e6058c9fd1bcc1e4c41aa1a1c']);
		expect(r.remove).toEqual(['ed2e4914290ef68171defe6ae45e7a824ca59149c945d3f35d3a624caa002671']);
		expect(r.groups[0]!.keep[0]!.reasons).toEqual(['last snapshot']);
	});

	test('prune --dry-run text gives the bytes it would reclaim', () => {
		const text = 'to repack:             0 blobs / 0 B\nthis removes:          0 blobs / 0 B\nto delete:             6 blobs / 1.462 KiB\ntotal prune:           6 blobs / 1.462 KiB\nremaining:             6 blobs / 1.131 KiB\nunused size after prune: 0 B (0.00% of remaining size)\n';
		expect(parsePruneDryRun(text)).toEqual({
			reclaimBytes: 1497,
			deleteBytes: 1497,
			repackBytes: 0,
			remainingBytes: 1158,
			unusedAfterBytes: 0,
		});
		expect(parsePruneDryRun('loading indexes...\n')).toBeUndefined();
	});

	test('ISO weeks at year boundaries (Go ISOWeek)', () => {
		expect(isoWeek(new Date(Date.UTC(2021, 0, 3)))).toEqual({
			year: 2020,
			week: 53,
		});
		expect(isoWeek(new Date(Date.UTC(2024, 11, 30)))).toEqual({
			year: 2025,
			week: 1,
		});
		expect(isoWeek(new Date(Date.UTC(2026, 5, 15)))).toEqual({
			year: 2026,
			week: 25,
		});
	});

	test('a policy that deletes every snapshot is refused; a keep-last policy is not', () => {
		const snaps = [1, 2, 3].map(i => ({
			id: `${i}`.repeat(64),
			time: Date.UTC(2026, 0, i),
			timeText: new Date(Date.UTC(2026, 0, i)).toISOString(),
			hostname: 'h',
			paths: ['/p'],
			tags: [],
		}));
		const none = simulateForget(snaps, {keepTags: [['never']]});
		expect(none.keep).toEqual([]);
		expect(refusalReason(none)).toMatch(/delete every snapshot \(3\)/);
		expect(refusalReason(simulateForget(snaps, {keepLast: 1}))).toBeUndefined();
	});

	test('flags: bad values are usage errors, tag lists split on commas', () => {
		expect(() => policyFromFlags({'keep-last': 'four'})).toThrow(/whole number/);
		expect(() => policyFromFlags({'keep-within': '7days'})).toThrow(/restic duration/);
		expect(policyFromFlags({'keep-tag': ['a,b', 'c'], 'keep-daily': '7'})).toEqual({keepDaily: 7, keepTags: [['a', 'b'], ['c']]});
		expect(forgetPolicyArgv({keepLast: 4, keepYearly: 4, hosts: ['-x']}, {dryRun: true, json: true})).toEqual(['forget', '--keep-last=4', '--keep-yearly=4', '--host=-x', '--dry-run', '--no-lock', '--json']);
	});
});

describe('retention simulator equals restic forget --dry-run (30 snapshots, real restic)', () => {
	let repo: TestRepo;
	let snapshots: Snapshot[];

	beforeAll(async () => {
		repo = makeRepo();
		const src = path.join(repo.root, 'src');
		writeTree(src, {'a.txt': 'a\n'});
		const base = Date.UTC(2024, 10, 28, 22, 30, 0);
		// 30 snapshots: bursts on one day, a gap of months, two hosts, tags, a week boundary, and a few
		// made in Europe/Berlin whose local day differs from the UTC day (buckets use the snapshot's zone).
		const offsetsHours = [0, 1, 2, 5, 23, 24, 25, 49, 24 * 6, 24 * 7, 24 * 8, 24 * 13, 24 * 14 + 1, 24 * 30, 24 * 31, 24 * 45, 24 * 60, 24 * 90, 24 * 120, 24 * 200, 24 * 365, 24 * 366, 24 * 400, 24 * 500, 24 * 600, 24 * 640, 24 * 700, 24 * 701, 24 * 702, 24 * 702 + 3];
		for (const [i, h] of offsetsHours.entries()) {
			const t = new Date(base + h * 3_600_000);
			const berlin = i % 7 === 3;
			const host = i % 5 === 4 ? 'h2' : 'h1';
			const tags = i % 6 === 0 ? ['monthly'] : i % 4 === 1 ? ['daily', 'x'] : [];
			const args = ['backup', '--json', `--host=${host}`, ...tags.map(x => `--tag=${x}`)];
			// restic reads --time in the local zone.
			const local = berlin ? new Date(t.getTime() + (t.getUTCMonth() >= 3 && t.getUTCMonth() <= 9 ? 2 : 1) * 3_600_000) : t;
			args.push(`--time=${local.toISOString().slice(0, 19).replace('T', ' ')}`, '--', src);
			execFileSync('restic', args, {
				env: {
					...resticTestEnv(repo.access),
					TZ: berlin ? 'Europe/Berlin' : 'UTC',
				},
				stdio: ['ignore', 'pipe', 'pipe'],
			});
		}
		snapshots = await new ResticCli(repo.access).snapshots();
	}, 300_000);

	afterAll(() => repo?.cleanup());

	const policies: Array<[string, RetentionPolicy]> = [
		['keep-last 4 keep-yearly 4', {keepLast: 4, keepYearly: 4}],
		['daily/weekly/monthly', {keepDaily: 7, keepWeekly: 4, keepMonthly: 6}],
		['hourly + within + tag', {keepHourly: 3, keepWithin: '30d', keepTags: [['monthly']]}],
		[
			'within buckets grouped by host',
			{
				keepWithinDaily: '10d',
				keepWithinWeekly: '2m',
				keepWithinYearly: '5y',
				groupBy: 'host',
			},
		],
		['host filter grouped by host,tags', {keepLast: 2, hosts: ['h2'], groupBy: 'host,tags'}],
		['weekly, no grouping', {keepWeekly: 10, groupBy: ''}],
		['exact within boundary', {keepWithin: '1d', keepLast: 1}],
		['tag filter, monthly', {keepMonthly: 3, tags: [['daily', 'x']]}],
	];

	test('the fixture really has 30 snapshots and zone offsets other than Z', () => {
		expect(snapshots).toHaveLength(30);
		expect(snapshots.some(s => /\+0[12]:00$/.test(s.timeText))).toBe(true);
	});

	test.each(policies)('%s', (_name, policy) => {
		const ours = simulateForget(snapshots, policy);
		const theirs = parseForgetJson(repo.restic(forgetPolicyArgv(policy, {dryRun: true, json: true})));
		expect(new Set(ours.keep)).toEqual(new Set(theirs.keep));
		expect(new Set(ours.remove)).toEqual(new Set(theirs.remove));
		expect(ours.keep.length + ours.remove.length).toBe(theirs.considered);
		const reasons = (r: typeof ours) => Object.fromEntries(r.groups.flatMap(g => g.keep.map(k => [k.id, k.reasons])));
		expect(reasons(ours)).toEqual(reasons(theirs));
		// Something is removed in most cases, so the comparison means something.
		if (!policy.keepWithinYearly) expect(ours.remove.length).toBeGreaterThan(0);
	});
});
