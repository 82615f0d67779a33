/**
 * Credentials inside a repository string (`rest:http://u:SECRET@host/`) never leave resto: a real
 * `rclone serve restic --user u --pass …` on 127.0.0.1, the built CLI, and a grep of every stdout,
 * stderr, restic/resto command line and every file (and file name) under the XDG directories.
 */
import {spawn} from 'node:child_process';
import {mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {filesUnder, makeRepo, startRestServer, tempDir, writeTree, type RestServer, type TestRepo} from '../helpers/restic.js';
import {ArgvWatcher, cliPath} from './tmux.js';
import {rmSync} from 'node:fs';

const secret = 'SECRETxyz';
let server: RestServer;
let repo: TestRepo;
let xdg: string;
let location: string;
const outputs: Array<{args: string[]; stdout: string; stderr: string; code: number | null}> = [];

function resto(args: string[], env: Record<string, string> = {}): Promise<{stdout: string; stderr: string; code: number | null}> {
	const base: NodeJS.ProcessEnv = {...process.env};
	for (const k of Object.keys(base)) if (k.startsWith('RESTIC_') || k.startsWith('RESTO_')) delete base[k];
	const full = {...base, XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_CACHE_HOME: path.join(xdg, 'cache'), XDG_STATE_HOME: path.join(xdg, 'state'), XDG_DATA_HOME: path.join(xdg, 'data'), RESTO_STALL_TIMEOUT: '5', ...env};
	return new Promise(resolve => {
		const child = spawn(process.execPath, [cliPath, ...args], {env: full, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		child.on('close', code => {
			outputs.push({args, stdout, stderr, code});
			resolve({stdout, stderr, code});
		});
	});
}

beforeAll(async () => {
	xdg = tempDir('resto-url-secret-');
	server = await startRestServer(path.join(xdg, 'rest-data'), undefined, {args: ['--user', 'u', '--pass', secret]});
	location = `rest:http://u:${secret}@127.0.0.1:${server.port}/`;
	mkdirSync(path.join(xdg, 'repo-root'));
	repo = makeRepo({repository: location, root: path.join(xdg, 'repo-root')});
	writeTree(path.join(xdg, 'src'), {'docs/report.txt': 'quarterly numbers\n', 'docs/b.bin': Buffer.from([0, 1, 2])});
	repo.backup([path.join(xdg, 'src')]);
	mkdirSync(path.join(xdg, 'config', 'resto'), {recursive: true});
	writeFileSync(
		path.join(xdg, 'config', 'resto', 'config.yaml'),
		[
			'repositories:',
			`  - name: rest`,
			`    repository: ${location}`,
			`    passwordFile: ${repo.passwordFile}`,
			`  - name: missing`,
			`    repository: rest:http://u:${secret}@127.0.0.1:${server.port}/nope/`,
			`    passwordFile: ${repo.passwordFile}`,
			'backupSets:',
			'  - name: docs',
			'    repository: rest',
			`    paths: [${path.join(xdg, 'src')}]`,
			'',
		].join('\n'),
		{mode: 0o600},
	);
}, 120_000);

afterAll(async () => {
	await server?.kill();
	rmSync(xdg, {recursive: true, force: true});
});

describe('e2e: URL credentials in the repository string stay secret', () => {
	test('every command, output and file is free of the password', async () => {
		const watcher = new ArgvWatcher().start();
		// Zero-config (RESTIC_REPOSITORY) applies only without a config file.
		const noConfig = path.join(xdg, 'config-none');
		const zero = {RESTIC_REPOSITORY: location, RESTIC_PASSWORD_FILE: repo.passwordFile, XDG_CONFIG_HOME: noConfig};
		try {
			expect((await resto(['snapshots', '--repo', 'rest'])).code).toBe(0);
			expect((await resto(['snapshots', '--json'], zero)).code).toBe(0);
			const repos = await resto(['repos', '--json']);
			expect(repos.stdout).toContain(`u:***@127.0.0.1:${server.port}`);
			await resto(['repos']);
			expect((await resto(['index', '--repo', 'rest'])).code).toBe(0);
			expect((await resto(['search', 'report', '--repo', 'rest'])).stdout).toContain('report.txt');
			await resto(['search', 'report', '--json'], zero);
			await resto(['search', 'report', '--find', '--repo', 'rest']);
			const backup = await resto(['backup', 'docs', '--json']);
			expect(backup.code).toBe(0);
			await resto(['backup', 'docs', '--json', '--dry-run']);
			await resto(['backup', '--repo', 'rest', '--json', '--', path.join(xdg, 'src')]);
			const drill = await resto(['drill', '--yes', '--json', '--repo', 'rest']);
			expect(drill.stdout).toContain('"verdict"');
			await resto(['drill', '--yes'], zero);
			// Errors: no repository there, a wrong password, a dead port with the same credentials.
			expect((await resto(['snapshots', '--repo', 'missing'])).code).toBe(10);
			await resto(['snapshots', '--json', '--repo', 'missing']);
			writeFileSync(path.join(xdg, 'wrong-pw'), 'wrong\n', {mode: 0o600});
			expect((await resto(['snapshots'], {...zero, RESTIC_PASSWORD_FILE: path.join(xdg, 'wrong-pw')})).code).toBe(12);
			await resto(['snapshots', '--json'], {...zero, RESTIC_REPOSITORY: `rest:http://u:${secret}@127.0.0.1:1/`});
			await resto(['restore', 'deadbeef', '/x', '--repo', 'rest', '--target', path.join(xdg, 'out')]);
		} finally {
			watcher.stop();
		}
		for (const o of outputs) {
			expect(o.stdout, `stdout of resto ${o.args.join(' ')}`).not.toContain(secret);
			expect(o.stderr, `stderr of resto ${o.args.join(' ')}`).not.toContain(secret);
		}
		// rclone's own command line holds the password (the test put it there); nothing resto started may.
		const leaked = watcher.containing(secret).filter(c => !c.startsWith('rclone '));
		expect(leaked).toEqual([]);
		expect(watcher.containing('restic').length).toBeGreaterThan(0);
		const dirs = ['config', 'config-none', 'cache', 'state', 'data'].map(d => path.join(xdg, d));
		const files = dirs.flatMap(d => {
			try {
				return filesUnder(d);
			} catch {
				return [];
			}
		});
		expect(files.some(f => f.includes(`${path.sep}drills${path.sep}`))).toBe(true);
		for (const file of files) {
			expect(file).not.toContain(secret);
			if (file.endsWith('config.yaml')) continue; // the user's own config holds the string
			if (statSync(file).isFile()) expect(readFileSync(file).includes(Buffer.from(secret)), file).toBe(false);
		}
	}, 300_000);
});
