import {readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import {classifyFailure, parseGoDuration, parseLockInfo, redact, stripAnsi} from '../../source/restic/errors.js';

const errors014 = readFileSync(new URL('../fixtures/restic-0.14/errors-0.14.txt', import.meta.url), 'utf8');

/** The recorded stderr and exit code of one case in errors-0.14.txt. */
function recorded(title: string): {stderr: string; exitCode: number} {
	const start = errors014.indexOf(`### ${title}`);
	if (start < 0) throw new Error(`no case ${title}`);
	const block = errors014.slice(start, errors014.indexOf('\n###', start + 4) === -1 ? undefined : errors014.indexOf('\n###', start + 4));
	const stderr = block.split('--- stderr:\n')[1]!.split('--- exit=')[0]!;
	const exitCode = Number(/--- exit=(\d+)/.exec(block)![1]);
	return {stderr, exitCode};
}

describe('error classification (restic 0.14 stderr, newer exit codes)', () => {
	test.each([
		['wrong password', 'wrong-password', 12],
		['repo does not exist (local)', 'no-repo', 10],
		['REST server not reachable', 'unreachable', 1],
		['missing RESTIC_REPOSITORY', 'no-password', 12],
		['password file missing', 'no-password', 12],
		['password command fails', 'no-password', 12],
		['nonexistent snapshot id (dump)', 'invalid-id', 1],
	])('%s → %s', (title, kind, cliCode) => {
		const {stderr, exitCode} = recorded(title);
		const error = classifyFailure({exitCode, stderr, repository: '/srv/example/repo'})!;
		expect(error.kind).toBe(kind);
		expect(error.cliExitCode).toBe(cliCode);
		expect(error.message.length).toBeGreaterThan(5);
	});

	test('newer exit codes without recognisable text', () => {
		expect(classifyFailure({exitCode: 10, stderr: 'Fatal: repository does not exist: …'})!.kind).toBe('no-repo');
		expect(classifyFailure({exitCode: 11, stderr: 'Fatal: unable to create lock in backend'})!.kind).toBe('locked');
		expect(classifyFailure({exitCode: 12, stderr: ''})!.kind).toBe('wrong-password');
		expect(classifyFailure({exitCode: 130, stderr: '\x1b[2Ksignal interrupt received, cleaning up'})!.kind).toBe('canceled');
		expect(classifyFailure({exitCode: 3, stderr: 'Warning: at least one source file could not be read'})!.kind).toBe('partial');
		expect(classifyFailure({exitCode: 0, stderr: ''})).toBeUndefined();
		expect(classifyFailure({exitCode: 42, stderr: 'something odd'})!.kind).toBe('failed');
	});

	test('0.18 exit_error JSON on stderr', () => {
		const e = classifyFailure({exitCode: 12, stderr: '{"message_type":"exit_error","code":12,"message":"Fatal: wrong password or no key found"}'})!;
		expect(e.kind).toBe('wrong-password');
	});

	test('lock holder, age and staleness', () => {
		const stderr = 'unable to create lock in backend: repository is already locked exclusively by PID 4093 on vm by root (UID 0, GID 0)\nlock was created at 2026-11-23 01:36:23 (768.818285ms ago)\nstorage ID c3530ee8\nthe `unlock` command can be used to remove stale locks';
		const lock = parseLockInfo(stderr)!;
		expect(lock).toMatchObject({pid: 4093, host: 'vm', user: 'root', exclusive: true, storageId: 'c3530ee8', stale: false});
		expect(lock.ageMs).toBeCloseTo(768.8, 0);
		const old = parseLockInfo('repository is already locked by PID 5469 on vm by root (UID 0, GID 0)\nlock was created at 2026-11-20 01:00:00 (72h3m4.5s ago)')!;
		expect(old.exclusive).toBe(false);
		expect(old.stale).toBe(true);
		const e = classifyFailure({exitCode: 1, stderr})!;
		expect(e.kind).toBe('locked');
		expect(e.message).toMatch(/PID 4093 on vm/);
		expect(parseGoDuration('1h2m3s')).toBe(3_723_000);
	});

	test('secrets are redacted from messages and kept stderr', () => {
		const e = classifyFailure({exitCode: 1, stderr: 'Fatal: bad thing with hunter2-secret inside', secrets: ['hunter2-secret']})!;
		expect(e.message).not.toContain('hunter2-secret');
		expect(e.stderr).not.toContain('hunter2-secret');
		expect(redact('rest:https://user:pa55w0rd@host:8000/repo', [])).toBe('rest:https://user:***@host:8000/repo');
		const url = classifyFailure({exitCode: 1, stderr: 'Fatal: unable to open config file: client.Head: Head "https://u:topsecret@h/config": dial tcp: connection refused', repository: 'rest:https://u:topsecret@h/'})!;
		expect(url.message).not.toContain('topsecret');
		expect(stripAnsi('\x1b[2Kx\x1b]0;t\x07y')).toBe('xy');
	});
});
