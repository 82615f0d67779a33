import {readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import * as parse from '../../source/restic/parse.js';

const sample = (name: string) => readFileSync(new URL(`../fixtures/restic-0.14/${name}`, import.meta.url), 'utf8');

describe('parsers (recorded restic 0.14 output)', () => {
	test('snapshots, including --group-by', () => {
		const snaps = parse.parseSnapshots(sample('snapshots.json'));
		expect(snaps.length).toBeGreaterThan(1);
		for (const s of snaps) {
			expect(s.id).toMatch(/^[0-9a-f]{64}$/);
			expect(s.time).toBeGreaterThan(0);
		}
		const grouped = parse.parseSnapshots(sample('snapshots-groupby-host.json'));
		expect(grouped.length).toBeGreaterThan(0);
		expect(parse.parseSnapshots('[]')).toEqual([]);
		expect(() => parse.parseSnapshots('{"oops":1}')).toThrow();
	});

	test('time with nanoseconds and offsets', () => {
		expect(parse.parseTime('2026-11-23T01:34:55.565289535Z')).toBe(Date.parse('2026-11-23T01:34:55.565Z'));
		expect(parse.parseTime('2026-11-23T02:34:55.5+01:00')).toBe(Date.parse('2026-11-23T01:34:55.5Z'));
		expect(parse.parseTime('garbage')).toBe(0);
	});

	test('ls lines: header, nodes, odd names, unknown lines', () => {
		const lines = sample('ls-latest.jsonl').trim().split('\n').map(parse.parseLsLine);
		expect(lines[0]!.kind).toBe('snapshot');
		const nodes = lines.filter(l => l.kind === 'node').map(l => (l as {node: parse.LsNode}).node);
		expect(nodes.some(n => n.name === 'new\nline.txt')).toBe(true);
		expect(nodes.some(n => n.name.includes('\u001b[31m'))).toBe(true);
		expect(nodes.some(n => n.name.includes('\ufffd'))).toBe(true);
		const dir = nodes.find(n => n.type === 'dir');
		expect(dir?.size).toBe(0);
		expect(parse.parseLsLine('not json').kind).toBe('other');
		// 0.17+ uses message_type and adds fields.
		const modern = parse.parseLsLine('{"message_type":"node","name":"a","type":"file","path":"/a","size":3,"inode":7,"struct_type":"node"}');
		expect(modern.kind).toBe('node');
	});

	test('find, with both link target spellings', () => {
		const found = parse.parseFind(sample('find-txt.json'));
		expect(found.length).toBeGreaterThan(0);
		expect(found[0]!.snapshot).toMatch(/^[0-9a-f]{64}$/);
		const link = parse.parseFind('[{"matches":[{"path":"/l","type":"symlink","link_target":"x"}],"hits":1,"snapshot":"ab"}]');
		expect(link[0]!.matches[0]!.linkTarget).toBe('x');
		expect(parse.parseFind('[]')).toEqual([]);
	});

	test('backup stream: status, scan_finished quirk, verbose, summary, errors', () => {
		const events = sample('backup-verbose.jsonl').trim().split('\n').map(parse.parseBackupLine);
		expect(events.some(e => e.type === 'scan-finished')).toBe(true);
		expect(events.some(e => e.type === 'verbose')).toBe(true);
		const summary = events.find(e => e.type === 'summary');
		expect(summary && summary.type === 'summary' && summary.summary.snapshotId.length).toBeGreaterThanOrEqual(8);
		const errs = sample('backup-errors-exit3.stderr.jsonl').trim().split('\n').map(parse.parseBackupLine);
		const errorEvents = errs.filter(e => e.type === 'error');
		expect(errorEvents.length).toBeGreaterThan(0);
		expect(errs.some(e => e.type === 'error' && /permission denied/.test(e.error.message))).toBe(true);
		expect(errs.some(e => e.type === 'text' && /could not be read/.test(e.text))).toBe(true);
		const dry = sample('backup-dryrun.jsonl').trim().split('\n').map(parse.parseBackupLine);
		expect(dry.some(e => e.type === 'summary' && e.summary.dryRun)).toBe(true);
		// 0.18 exit_error and 0.17.1 error messages.
		expect(parse.parseBackupLine('{"message_type":"exit_error","code":12,"message":"wrong password"}')).toEqual({type: 'exit-error', code: 12, message: 'wrong password'});
		const e = parse.parseBackupLine('{"message_type":"error","error":{"message":"open /x: permission denied"},"during":"archival","item":"/x"}');
		expect(e.type === 'error' && e.error.message).toBe('open /x: permission denied');
		// Early status lines lack most fields.
		const early = parse.parseBackupLine('{"message_type":"status","percent_done":0,"total_files":1,"total_bytes":5}');
		expect(early.type === 'status' && early.status.bytesDone).toBe(0);
	});

	test('stats, cat config, version, check, lock file', () => {
		expect(parse.parseStats('{"total_size":105351,"total_file_count":30131,"snapshots_count":9}').totalFileCount).toBe(30131);
		expect(parse.parseCatConfig(sample('cat-config.json')).id).toMatch(/^[0-9a-f]{64}$/);
		expect(() => parse.parseCatConfig('{}')).toThrow();
		expect(parse.parseVersion('restic 0.14.0 compiled with go1.19.8 on linux/amd64')).toMatchObject({major: 0, minor: 14, patch: 0});
		expect(parse.parseVersion('{"message_type":"version","version":"0.18.1","go_version":"go1.24"}')).toMatchObject({minor: 18, patch: 1});
		expect(parse.versionAtLeast(parse.parseVersion('restic 0.17.1'), 0, 17)).toBe(true);
		expect(parse.parseCheckOutput('load indexes\nno errors were found\n', '', 0).ok).toBe(true);
		const bad = parse.parseCheckOutput('check snapshots\nerror for tree 1234: id mismatch\nFatal: repository contains errors', '', 1);
		expect(bad.ok).toBe(false);
		expect(bad.errors.length).toBeGreaterThan(0);
		// restic 0.14 check on a repository with a missing pack (recorded): the key line, not the retry noise.
		const pack = '31c697d5e3a4b1519893bd3f2c86b7d91806ccbf6faa0125a2adcfe5e6038594';
		const missing = parse.parseCheckOutput(
			`using temporary cache in /tmp/restic-check-cache-1\nload indexes\ncheck all packs\npack ${pack}: does not exist\ncheck snapshots, trees and blobs\n`,
			`Load(<data/31c697d5e3>, 0, 0) returned error, retrying after 552.330144ms: open /r/data/31/${pack}: no such file or directory\nFatal: repository contains errors\n`,
			1,
		);
		expect(missing.errors).toEqual([`pack ${pack}: does not exist`, 'Fatal: repository contains errors']);
		expect(missing.summary).toBe(`pack ${pack}: does not exist`);
		// Only a retry line: it is all there is, so it stays.
		expect(parse.parseCheckOutput('', `Load(<data/31c697d5e3>, 0, 0) returned error, retrying after 1s: open /r/data/31/${pack}: no such file or directory\n`, 1).errors).toHaveLength(1);
		const lock = parse.parseLockFile('c'.repeat(64), '{"time":"2026-11-23T01:36:23.1Z","exclusive":true,"hostname":"vm","username":"root","pid":4093,"uid":0,"gid":0}');
		expect(lock).toMatchObject({exclusive: true, hostname: 'vm', pid: 4093});
	});

	test('restore lines: 0.14 text and 0.16+ JSON', () => {
		expect(parse.parseRestoreLine('restoring <Snapshot 600c7055 of [/srv] at …> to r1').type).toBe('text');
		expect(parse.parseRestoreLine('{"message_type":"status","percent_done":0.5,"total_files":4,"files_restored":2}')).toMatchObject({type: 'status', percentDone: 0.5, filesRestored: 2});
		expect(parse.parseRestoreLine('{"message_type":"summary","total_files":4,"files_restored":4,"total_bytes":10,"bytes_restored":10}')).toMatchObject({type: 'summary', filesRestored: 4});
	});
});
