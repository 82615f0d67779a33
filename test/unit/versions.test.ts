/**
 * restic 0.14 → 0.19: recorded lines, shaped as restic's source prints them at each tag
 * (internal/ui/backup/json.go, internal/ui/restore/json.go, cmd/restic/cmd_check.go, cmd/restic/main.go),
 * and 0.14 captures from the Debian build. Pure parsers and builders only.
 */
import {describe, expect, test} from 'vitest';
import {restoreArgv, checkArgv} from '../../source/restic/argv.js';
import {damageAdvice} from '../../source/restic/damage.js';
import {classifyFailure, stripGoStack} from '../../source/restic/errors.js';
import {parseBackupLine, parseCheckJsonLine, parseLsLine, parseRestoreLine, parseVersion} from '../../source/restic/parse.js';

const full = '6f4e87b732dae9f0b26c7383689771229f6d5c3fea34088cc8f6a6c43c6f7adf';

describe('backup summaries across versions', () => {
	test('0.14: short id; a dry run names one but never reports it', () => {
		const real = parseBackupLine(
			'{"message_type":"summary","files_new":0,"files_changed":0,"files_unmodified":1,"dirs_new":0,"dirs_changed":2,"dirs_unmodified":1,"data_blobs":0,"tree_blobs":2,"data_added":714,"total_files_processed":1,"total_bytes_processed":3,"total_duration":0.232379256,"snapshot_id":"6f4e87b7"}',
		);
		expect(real).toMatchObject({type: 'summary', summary: {snapshotId: '6f4e87b7', dryRun: false}});
		const dry = parseBackupLine(
			'{"message_type":"summary","files_new":0,"files_changed":0,"files_unmodified":1,"dirs_new":0,"dirs_changed":0,"dirs_unmodified":3,"data_blobs":0,"tree_blobs":0,"data_added":0,"total_files_processed":1,"total_bytes_processed":3,"total_duration":0.211978622,"snapshot_id":"f9e980f6","dry_run":true}',
		);
		expect(dry).toMatchObject({type: 'summary', summary: {snapshotId: '', dryRun: true}});
	});

	test('0.15: full snapshot id', () => {
		expect(parseBackupLine(`{"message_type":"summary","files_new":1,"data_added":10,"total_files_processed":1,"total_bytes_processed":3,"total_duration":0.2,"snapshot_id":"${full}"}`)).toMatchObject({summary: {snapshotId: full}});
	});

	test('0.17: data_added_packed, and --skip-if-unchanged omits snapshot_id', () => {
		expect(parseBackupLine('{"message_type":"summary","files_new":0,"data_added":0,"data_added_packed":0,"total_files_processed":1,"total_bytes_processed":3,"total_duration":0.2}')).toMatchObject({summary: {snapshotId: ''}});
	});

	test('0.18: backup_start/backup_end are tolerated', () => {
		expect(
			parseBackupLine(`{"message_type":"summary","files_new":1,"data_added":5,"data_added_packed":4,"total_files_processed":1,"total_bytes_processed":3,"total_duration":0.2,"backup_start":"2025-03-27T10:00:00.1+01:00","backup_end":"2025-03-27T10:00:01.2+01:00","snapshot_id":"${full}"}`),
		).toMatchObject({summary: {snapshotId: full, filesNew: 1}});
	});

	test('0.14 scan_finished (action before message_type) and 0.16 verbose_status', () => {
		expect(parseBackupLine('{"message_type":"verbose_status","action":"scan_finished","item":"","duration":0.01,"data_size":3,"data_size_in_repo":0,"metadata_size":0,"total_files":1}')).toMatchObject({type: 'scan-finished', totalFiles: 1, totalBytes: 3});
		expect(parseBackupLine('{"message_type":"verbose_status","action":"new","item":"/a","duration":0.01,"data_size":3,"data_size_in_repo":3}')).toMatchObject({type: 'verbose', verbose: {action: 'new', item: '/a'}});
	});

	test('0.18 exit_error on stderr', () => {
		expect(parseBackupLine('{"message_type":"exit_error","code":10,"message":"Fatal: repository does not exist: unable to open config file"}')).toEqual({type: 'exit-error', code: 10, message: 'Fatal: repository does not exist: unable to open config file'});
	});
});

describe('restore across versions', () => {
	test('0.14 prints one text line', () => {
		expect(parseRestoreLine('restoring <Snapshot 600c7055 of [/srv] at 2026-11-23 01:34:56 +0000 UTC by root@hostB> to r1')).toMatchObject({type: 'text'});
	});
	test('0.16 status and summary; 0.17 skipped counts; 0.18 files_deleted', () => {
		expect(parseRestoreLine('{"message_type":"status","seconds_elapsed":1,"percent_done":0.25,"total_files":4,"files_restored":1,"total_bytes":400,"bytes_restored":100}')).toEqual({type: 'status', percentDone: 0.25, filesRestored: 1, totalFiles: 4, bytesRestored: 100, totalBytes: 400});
		expect(parseRestoreLine('{"message_type":"summary","seconds_elapsed":2,"total_files":4,"files_restored":3,"files_skipped":1,"total_bytes":400,"bytes_restored":300,"bytes_skipped":100}')).toMatchObject({type: 'summary', filesRestored: 3, totalFiles: 4});
		expect(parseRestoreLine('{"message_type":"summary","seconds_elapsed":2,"total_files":4,"files_restored":4,"files_deleted":2,"total_bytes":400,"bytes_restored":400}')).toMatchObject({type: 'summary', filesRestored: 4});
	});
	test('0.17.1 JSON errors on stderr', () => {
		expect(parseRestoreLine('{"message_type":"error","error":{"message":"open /t/a: permission denied"},"during":"restore","item":"/a"}')).toEqual({type: 'error', message: 'open /t/a: permission denied', item: '/a'});
	});
	test('0.17 options are refused for an older restic, passed to a newer one', () => {
		const v014 = {major: 0, minor: 14, version: '0.14.0'};
		expect(() => restoreArgv('latest', {target: '/t', overwrite: 'if-changed'}, v014)).toThrow(/restic 0\.14\.0 has no `restore --overwrite` \(it came in restic 0\.17\)/);
		expect(() => restoreArgv('latest', {target: '/t', dryRun: true, delete: true}, v014)).toThrow(/--dry-run --delete/);
		expect(restoreArgv('latest', {target: '/t', overwrite: 'never', dryRun: true, delete: true}, {major: 0, minor: 17})).toEqual(['restore', '--no-lock', '--target=/t', '--overwrite=never', '--dry-run', '--delete', '--', 'latest']);
		expect(restoreArgv('latest', {target: '/t'}, v014)).toEqual(['restore', '--no-lock', '--target=/t', '--', 'latest']);
	});
});

describe('check, ls, version across versions', () => {
	test('0.18 check --json: errors, summary with broken packs, exit_error', () => {
		expect(checkArgv({json: true})).toEqual(['check', '--json']);
		expect(parseCheckJsonLine('{"message_type":"error","message":"pack 1959b7f2: does not exist"}')).toEqual({type: 'error', message: 'pack 1959b7f2: does not exist'});
		expect(parseCheckJsonLine(`{"message_type":"summary","num_errors":1,"broken_packs":["${full}"],"suggest_repair_index":true,"suggest_prune":false}`)).toEqual({type: 'summary', numErrors: 1, brokenPacks: [full], suggestRepairIndex: true, suggestPrune: false});
		expect(parseCheckJsonLine('{"message_type":"exit_error","code":1,"message":"repository contains errors"}')).toEqual({type: 'error', message: 'Fatal: repository contains errors'});
		expect(parseCheckJsonLine('load indexes')).toEqual({type: 'other'});
	});
	test('ls: 0.14 struct_type, 0.17 message_type', () => {
		expect(parseLsLine('{"time":"2026-11-23T01:34:56Z","tree":"ab","paths":["/srv"],"hostname":"h","id":"ab12","short_id":"ab12","struct_type":"snapshot"}').kind).toBe('snapshot');
		expect(parseLsLine('{"name":"a","type":"file","path":"/a","size":3,"message_type":"node","struct_type":"node","inode":7}').kind).toBe('node');
	});
	test('version: 0.14 text, 0.17 JSON', () => {
		expect(parseVersion('restic 0.14.0 compiled with go1.19.8 on linux/amd64')).toMatchObject({major: 0, minor: 14, patch: 0});
		expect(parseVersion('{"message_type":"version","version":"0.17.3","go_version":"go1.23.2","go_os":"linux","go_arch":"amd64"}')).toMatchObject({minor: 17, patch: 3});
	});
	test('damage advice names the commands the version has', () => {
		expect(damageAdvice({major: 0, minor: 14})).toMatch(/rebuild-index/);
		expect(damageAdvice({major: 0, minor: 14})).not.toMatch(/repair packs/);
		expect(damageAdvice({major: 0, minor: 16})).toMatch(/repair index/);
		expect(damageAdvice({major: 0, minor: 18})).toMatch(/repair packs/);
	});
});

describe('exit codes and exit_error across versions', () => {
	test.each([
		[10, '{"message_type":"exit_error","code":10,"message":"Fatal: repository does not exist: unable to open config file: stat /x/config: no such file or directory"}', 'no-repo'],
		[
			11,
			'{"message_type":"exit_error","code":11,"message":"unable to create lock in backend: repository is already locked by PID 5469 on vm by root (UID 0, GID 0)\\nlock was created at 2026-11-23 01:36:23 (1m2s ago)\\nstorage ID c3530ee8\\nthe `unlock` command can be used to remove stale locks"}',
			'locked',
		],
		[12, '{"message_type":"exit_error","code":12,"message":"Fatal: wrong password or no key found"}', 'wrong-password'],
		[130, 'signal interrupt received, cleaning up', 'canceled'],
		[1, 'Fatal: unable to open config file: client.Head: Head "http://127.0.0.1:1/config": dial tcp 127.0.0.1:1: connect: connection refused', 'unreachable'],
	])('exit %i → %s', (code, stderr, kind) => {
		expect(classifyFailure({exitCode: code, stderr: String(stderr)})?.kind).toBe(kind);
	});
});

describe('Go stack lines never reach the user', () => {
	// restic 0.14 `find '[unclosed'` (Debian build), exit 1.
	const findStack = `syntax error in pattern
Match
github.com/restic/restic/internal/filter.match
	github.com/restic/restic/internal/filter/filter.go:207
github.com/restic/restic/internal/filter.Match
	github.com/restic/restic/internal/filter/filter.go:90
main.(*Finder).findInSnapshot.func1
	github.com/restic/restic/cmd/restic/cmd_find.go:288
main.glob..func10
	github.com/restic/restic/cmd/restic/cmd_find.go:41
github.com/spf13/cobra.(*Command).execute
	github.com/spf13/cobra/command.go:916
main.main
	github.com/restic/restic/cmd/restic/main.go:98
runtime.main
	runtime/proc.go:250
runtime.goexit
	runtime/asm_amd64.s:1594`;

	test("find with a bad pattern: restic's message, outermost first", () => {
		expect(stripGoStack(findStack)).toBe('Match: syntax error in pattern');
		const e = classifyFailure({exitCode: 1, stderr: findStack});
		expect(e?.message).toBe('restic failed: Match: syntax error in pattern');
		expect(e?.stderr).not.toMatch(/\.go:\d+|asm_amd64/);
	});

	test('zero-size config and a missing index tree', () => {
		const config = 'config file has zero size, invalid repository?\nmain.open\n\tgithub.com/restic/restic/cmd/restic/global.go:760\nmain.OpenRepository\n\tgithub.com/restic/restic/cmd/restic/global.go:432\nmain.runSnapshots\n\tgithub.com/restic/restic/cmd/restic/cmd_snapshots.go:65';
		expect(classifyFailure({exitCode: 1, stderr: config})?.message).toBe('restic failed: config file has zero size, invalid repository?');
		const tree = `id ${full} not found in repository\ngithub.com/restic/restic/internal/repository.(*Repository).LoadBlob\n\tgithub.com/restic/restic/internal/repository/repository.go:256\nruntime.goexit\n\truntime/asm_amd64.s:1594`;
		const e = classifyFailure({exitCode: 1, stderr: tree, repository: '/r'});
		expect(e?.kind).toBe('damaged');
		expect(e?.message).not.toMatch(/\.go:|asm_amd64/);
	});

	test("a panic's goroutine dump and +0x offsets go too", () => {
		const panic = 'panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.runLs(0xc000123, 0x1)\n\t/build/restic/cmd/restic/cmd_ls.go:98 +0x1a5\nmain.main()\n\t/build/restic/cmd/restic/main.go:98 +0x45\nexit status 2';
		const text = stripGoStack(panic);
		expect(text).toContain('panic: runtime error: index out of range [3] with length 3');
		expect(text).not.toMatch(/goroutine|\.go:\d+|\+0x/);
	});

	test('ordinary lines survive', () => {
		const text = 'Load(<data/b83b5e8de7>, 0, 0) returned error, retrying after 1s: unexpected EOF\nFatal: repository contains errors';
		expect(stripGoStack(text)).toBe(text);
	});
});
