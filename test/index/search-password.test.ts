/**
 * `resto search` answering from the index cache with no restic at all must still refuse the password
 * restic would refuse. Real restic makes the repository and its key files; a RESTIC_BIN wrapper logs
 * every restic process, so "answered from the cache" and "restic decided" can be told apart.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {checkPasswordAgainstKeys, keyOpens, localPassword, splitCommand} from '../../source/index/key-check.js';
import {cliPath} from '../e2e/tmux.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let work: string;
let wrapper: string;
let runsLog: string;
let cache: string;

beforeAll(() => {
	repo = makeRepo({password: 'right horse'});
	const src = path.join(repo.root, 'src');
	writeTree(src, {'notes/tax-2024.txt': 'x', 'photo.jpg': 'y'});
	repo.backup([src]);
	work = tempDir('resto-search-pw-');
	runsLog = path.join(work, 'runs.log');
	wrapper = path.join(work, 'restic-counting');
	writeFileSync(wrapper, `#!/bin/sh\necho "$1" >> '${runsLog}'\nexec restic "$@"\n`);
	chmodSync(wrapper, 0o755);
	cache = path.join(work, 'cache');
}, 60_000);

afterAll(() => {
	repo.cleanup();
	rmSync(work, {recursive: true, force: true});
});

function resto(args: string[], password: {file?: string; value?: string}) {
	rmSync(runsLog, {force: true});
	const env: NodeJS.ProcessEnv = {...process.env, RESTIC_REPOSITORY: repo.repoPath, XDG_CACHE_HOME: cache, RESTIC_BIN: wrapper};
	for (const k of Object.keys(env)) if (k.startsWith('RESTIC_PASSWORD')) delete env[k];
	if (password.file !== undefined) env.RESTIC_PASSWORD_FILE = password.file;
	if (password.value !== undefined) env.RESTIC_PASSWORD = password.value;
	const r = spawnSync(process.execPath, [cliPath, ...args], {env, encoding: 'utf8'});
	return {status: r.status, stdout: r.stdout, stderr: r.stderr, runs: existsSync(runsLog) ? readFileSync(runsLog, 'utf8').trim().split('\n') : []};
}

describe('key check against a key file restic wrote', () => {
	test('the right password opens it, a wrong one does not', () => {
		const keys = readdirSync(path.join(repo.repoPath, 'keys'));
		expect(keys).toHaveLength(1);
		const text = readFileSync(path.join(repo.repoPath, 'keys', keys[0]!), 'utf8');
		expect(keyOpens(text, 'right horse')).toBe(true);
		expect(keyOpens(text, 'wrong horse')).toBe(false);
		expect(keyOpens(text, 'right horse ')).toBe(false);
		expect(checkPasswordAgainstKeys(repo.repoPath, 'right horse')).toBe('ok');
		expect(checkPasswordAgainstKeys(repo.repoPath, 'wrong horse')).toBe('wrong');
		// A kdf this code does not know: it cannot tell, so restic decides.
		expect(keyOpens(text.replace('"scrypt"', '"argon2"'), 'right horse')).toBeUndefined();
		expect(checkPasswordAgainstKeys(path.join(work, 'nowhere'), 'right horse')).toBe('unknown');
	});

	test('a second key added by restic key add opens with its own password', () => {
		const other = path.join(work, 'second-password');
		writeFileSync(other, 'second one\n', {mode: 0o600});
		repo.restic(['key', 'add', `--new-password-file=${other}`]);
		expect(checkPasswordAgainstKeys(repo.repoPath, 'second one')).toBe('ok');
		expect(checkPasswordAgainstKeys(repo.repoPath, 'right horse')).toBe('ok');
		expect(checkPasswordAgainstKeys(repo.repoPath, 'neither')).toBe('wrong');
	}, 60_000);

	test('the password restic would use: a file trimmed like restic, none for a command or a missing file', () => {
		expect(localPassword({repository: repo.repoPath, passwordFile: repo.passwordFile})).toBe('right horse');
		expect(localPassword({repository: repo.repoPath, passwordFile: path.join(work, 'missing')})).toBeUndefined();
		expect(localPassword({repository: repo.repoPath, passwordCommand: 'echo right horse'})).toBeUndefined();
		expect(localPassword({repository: repo.repoPath, password: ''})).toBeUndefined();
	});
});

describe('resto search from the cache refuses the password restic refuses (real restic)', () => {
	test('right password: no restic; wrong password: exit 12, the wrong-password message, no result', () => {
		const built = resto(['index'], {file: repo.passwordFile});
		expect(built.status, built.stderr).toBe(0);
		const right = resto(['search', 'tax', '--json'], {file: repo.passwordFile});
		expect(right.status, right.stderr).toBe(0);
		expect(right.runs).toEqual([]);
		expect((JSON.parse(right.stdout) as {results: Array<{path: string}>}).results.map(r => path.basename(r.path))).toContain('tax-2024.txt');

		// What resto says when restic itself refuses the password (another command, same repository).
		const fromRestic = resto(['snapshots'], {value: 'wrong horse'});
		expect(fromRestic.status).toBe(12);
		const wrong = resto(['search', 'tax'], {value: 'wrong horse'});
		expect(wrong.status).toBe(12);
		expect(wrong.runs).toEqual([]);
		expect(wrong.stdout).toBe('');
		expect(wrong.stderr).toContain('Wrong password for');
		expect(wrong.stderr).toBe(fromRestic.stderr);
		expect(wrong.stderr).not.toContain('wrong horse');
		const wrongJson = resto(['search', 'tax', '--json'], {value: 'wrong horse'});
		expect(wrongJson.status).toBe(12);
		expect(wrongJson.stdout).not.toContain('tax-2024');
	}, 120_000);

	test('a missing password file: restic is asked and its message is the one resto prints', () => {
		const missing = path.join(work, 'no-such-password-file');
		const fromRestic = resto(['snapshots'], {file: missing});
		const r = resto(['search', 'tax'], {file: missing});
		expect(r.status).toBe(12);
		expect(r.runs.length).toBeGreaterThan(0);
		expect(r.stdout).toBe('');
		expect(r.stderr).toBe(fromRestic.stderr);
		expect(r.stderr).toMatch(/could not get a password|no such file/i);
	}, 120_000);

	test('a password command is run as restic runs it and checked against the keys: no restic, right or wrong; a failing one leaves it to restic', () => {
		const env = (cmd: string) => {
			rmSync(runsLog, {force: true});
			const e: NodeJS.ProcessEnv = {...process.env, RESTIC_REPOSITORY: repo.repoPath, XDG_CACHE_HOME: cache, RESTIC_BIN: wrapper, RESTIC_PASSWORD_COMMAND: cmd};
			delete e.RESTIC_PASSWORD;
			delete e.RESTIC_PASSWORD_FILE;
			const r = spawnSync(process.execPath, [cliPath, 'search', 'tax', '--json'], {env: e, encoding: 'utf8'});
			return {status: r.status, stdout: r.stdout, stderr: r.stderr, runs: existsSync(runsLog) ? readFileSync(runsLog, 'utf8').trim().split('\n') : []};
		};
		const built = resto(['index'], {file: repo.passwordFile});
		expect(built.status, built.stderr).toBe(0);
		const right = env('echo right horse');
		expect(right.status, right.stderr).toBe(0);
		expect(right.runs).toEqual([]);
		expect(right.stdout).toContain('tax-2024');
		// Quoted words, as restic splits them (no shell): the same password.
		expect(env(`sh -c 'printf "right horse\\n"'`).runs).toEqual([]);
		const wrong = env('echo wrong horse');
		expect(wrong.status).toBe(12);
		expect(wrong.runs).toEqual([]);
		expect(wrong.stdout).not.toContain('tax-2024');
		expect(wrong.stderr).not.toContain('wrong horse');
		// A command that fails: resto cannot tell, restic runs it and says what went wrong.
		const failing = env('false');
		expect(failing.status).not.toBe(0);
		expect(failing.runs.length).toBeGreaterThan(0);
		expect(failing.stdout).not.toContain('tax-2024');
	}, 120_000);
});

describe('splitting a password command like restic', () => {
	test('words, quotes, escapes; an open quote is refused', () => {
		expect(splitCommand('pass show restic/usb')).toEqual(['pass', 'show', 'restic/usb']);
		expect(splitCommand(`sh -c 'echo "a b"'`)).toEqual(['sh', '-c', 'echo "a b"']);
		expect(splitCommand('echo "two  spaces" \\"x')).toEqual(['echo', 'two  spaces', '"x']);
		expect(splitCommand("echo ''")).toEqual(['echo', '']);
		expect(splitCommand("echo 'open")).toBeUndefined();
	});
});
