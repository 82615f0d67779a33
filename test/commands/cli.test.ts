import {spawnSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {makeRepo, startRestServer, tempDir, writeTree, type RestServer, type TestRepo} from '../helpers/restic.js';
import {cliPath} from '../e2e/tmux.js';

let repo: TestRepo;
let xdg: string;

function resto(args: string[], env: Record<string, string | undefined> = {}) {
	const base: NodeJS.ProcessEnv = {...process.env};
	for (const k of Object.keys(base)) if (k.startsWith('RESTIC_') || k.startsWith('RESTO_')) delete base[k];
	const full: Record<string, string | undefined> = {...base, XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_CACHE_HOME: path.join(xdg, 'cache'), XDG_STATE_HOME: path.join(xdg, 'state'), XDG_DATA_HOME: path.join(xdg, 'data'), ...env};
	for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
	return spawnSync(process.execPath, [cliPath, ...args], {env: full as NodeJS.ProcessEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000});
}

beforeAll(() => {
	xdg = tempDir('resto-cli-xdg-');
	repo = makeRepo({password: 'sentinel-PW-9f3k'});
	const src = path.join(repo.root, 'src');
	writeTree(src, {'a.txt': 'a\n', 'b/c.txt': 'c\n'});
	repo.backup([src], {host: 'h1', tags: ['t1']});
	repo.backup([src], {host: 'h2'});
});

afterAll(() => repo.cleanup());

describe('resto snapshots / repos (built CLI, real restic)', () => {
	test('snapshots --json on any repository string, password from the environment', () => {
		const r = resto(['snapshots', '--json', '--repo', repo.repoPath], {RESTIC_PASSWORD_FILE: repo.passwordFile});
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		const list = JSON.parse(r.stdout) as Array<{id: string; hostname: string; tags: string[]}>;
		expect(list.map(s => s.hostname)).toEqual(['h2', 'h1']);
		expect(list[1]!.tags).toEqual(['t1']);
		expect(list[0]!.id).toMatch(/^[0-9a-f]{64}$/);
	});

	test('zero-config: RESTIC_REPOSITORY + RESTIC_PASSWORD', () => {
		const r = resto(['snapshots'], {RESTIC_REPOSITORY: repo.repoPath, RESTIC_PASSWORD: repo.password});
		expect(r.status).toBe(0);
		expect(r.stdout).toMatch(/2 snapshots/);
		expect(r.stdout + r.stderr).not.toContain(repo.password);
	});

	test('wrong password → exit 12, message without the password', () => {
		const r = resto(['snapshots', '--json'], {RESTIC_REPOSITORY: repo.repoPath, RESTIC_PASSWORD: 'sentinel-WRONG-77'});
		expect(r.status).toBe(12);
		expect(r.stdout).toBe('');
		expect(r.stderr).toMatch(/Wrong password/);
		expect(r.stderr).not.toContain('sentinel-WRONG-77');
	});

	test('missing repository → exit 10', () => {
		const r = resto(['snapshots', '--repo', path.join(repo.root, 'nope')], {RESTIC_PASSWORD_FILE: repo.passwordFile});
		expect(r.status).toBe(10);
		expect(r.stderr).toMatch(/No restic repository at/);
	});

	test('unknown --repo name → exit 2 naming the configured ones', () => {
		const cfg = path.join(xdg, 'named.yaml');
		writeFileSync(cfg, `repositories:\n  - name: main\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\n`);
		const r = resto(['snapshots', '--repo', 'typo'], {RESTO_CONFIG: cfg});
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/unknown repository "typo" \(configured: main\)/);
		const ok = resto(['snapshots', '--repo', 'main', '--json'], {RESTO_CONFIG: cfg});
		expect(ok.status).toBe(0);
	});

	test('invalid config → exit 1 naming file, line and field', () => {
		const cfg = path.join(xdg, 'bad.yaml');
		writeFileSync(cfg, 'repositories:\n  - name: x\n    repositry: /r\n');
		const r = resto(['repos'], {RESTO_CONFIG: cfg});
		expect(r.status).toBe(1);
		expect(r.stderr).toContain(`${cfg}:3: repositories[0].repositry: unknown key "repositry"`);
	});

	test('restic not installed → clear message, exit 1', () => {
		const r = resto(['snapshots'], {RESTIC_REPOSITORY: repo.repoPath, RESTIC_PASSWORD_FILE: repo.passwordFile, RESTIC_BIN: '/nonexistent/restic'});
		expect(r.status).toBe(1);
		expect(r.stderr).toMatch(/restic is not installed.*apt-get install restic/);
	});

	test('usage errors → exit 2', () => {
		expect(resto(['frobnicate']).status).toBe(2);
		expect(resto(['snapshots', '--bogus']).status).toBe(2);
		expect(resto(['--help']).status).toBe(0);
	});

	test('repos --json: one broken repository does not hide the others; exit 1 when any is broken', () => {
		const cfg = path.join(xdg, 'repos.yaml');
		mkdirSync(path.dirname(cfg), {recursive: true});
		writeFileSync(
			cfg,
			`repositories:\n  - name: good\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\n  - name: gone\n    repository: ${path.join(repo.root, 'missing')}\n    passwordFile: ${repo.passwordFile}\n  - name: badpw\n    repository: ${repo.repoPath}\n    passwordCommand: echo nope\n`,
		);
		const r = resto(['repos', '--json'], {RESTO_CONFIG: cfg});
		expect(r.status).toBe(1);
		const out = JSON.parse(r.stdout) as {repositories: Array<{name: string; status: string; snapshots: number | null}>};
		expect(out.repositories.map(x => [x.name, x.status])).toEqual([
			['good', 'ok'],
			['gone', 'not-found'],
			['badpw', 'wrong-password'],
		]);
		expect(out.repositories[0]!.snapshots).toBe(2);
	});
});

describe('REST backend', () => {
	let server: RestServer;
	let rest: TestRepo;
	beforeAll(async () => {
		const root = tempDir('resto-cli-rest-');
		server = await startRestServer(path.join(root, 'data'));
		rest = makeRepo({root, repository: server.url});
		writeTree(path.join(root, 'src'), {'x.txt': 'x'});
		rest.backup([path.join(root, 'src')]);
	});
	afterAll(async () => {
		await server.kill();
		rest.cleanup();
	});

	test('snapshots over REST, then unreachable → clear message, non-zero exit', async () => {
		const env = {RESTIC_PASSWORD_FILE: rest.passwordFile};
		const ok = resto(['snapshots', '--json', '--repo', server.url], env);
		expect(ok.status).toBe(0);
		expect((JSON.parse(ok.stdout) as unknown[]).length).toBe(1);
		await server.kill();
		const down = resto(['snapshots', '--repo', server.url], env);
		expect(down.status).toBe(1);
		expect(down.stderr).toMatch(/Cannot reach rest:http:\/\/127\.0\.0\.1:\d+\/.*connection refused/);
	});
});
