import {spawn, spawnSync} from 'node:child_process';
import {mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {readDataSubsetProblem} from '../../source/commands/spec.js';
import {ResticCli} from '../../source/restic/client.js';
import {exitCodeMarkdown, exitCodeTable, exitCodes} from '../../source/util/exit-codes.js';
import {makeRepo, startRestServer, tempDir, writeTree, type RestServer, type TestRepo} from '../helpers/restic.js';
import {cliPath, resticPids} from '../e2e/tmux.js';

let repo: TestRepo;
let xdg: string;

function cliEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
	const base: NodeJS.ProcessEnv = {...process.env};
	for (const k of Object.keys(base)) if (k.startsWith('RESTIC_') || k.startsWith('RESTO_')) delete base[k];
	const full: Record<string, string | undefined> = {...base, XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_CACHE_HOME: path.join(xdg, 'cache'), XDG_STATE_HOME: path.join(xdg, 'state'), XDG_DATA_HOME: path.join(xdg, 'data'), ...env};
	for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
	return full as NodeJS.ProcessEnv;
}

function resto(args: string[], env: Record<string, string | undefined> = {}) {
	return spawnSync(process.execPath, [cliPath, ...args], {env: cliEnv(env), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000});
}

/** Exit codes a test below saw resto return against a real repository (checked against the table at the end). */
const covered = new Set<number>();
function expectExit(r: {status: number | null; stderr: string}, code: number): void {
	expect(r.status, r.stderr).toBe(code);
	covered.add(code);
}

beforeAll(() => {
	xdg = tempDir('resto-cli-xdg-');
	repo = makeRepo({password: 'sentinel-PW-9f3k'});
	const src = path.join(repo.root, 'src');
	writeTree(src, {'a.txt': 'a\n', 'b/c.txt': 'c\n'});
	repo.backup([src], {host: 'h1', tags: ['t1']});
	repo.backup([src], {host: 'h2'});
});

afterAll(() => {
	repo.cleanup();
	rmSync(xdg, {recursive: true, force: true});
});

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

/** Every command and an option it does not take (but another command does). */
const foreignOption: Record<string, string[]> = {
	demo: ['--repo', 'x'],
	repos: ['--limit', '3'],
	snapshots: ['--limit', '3'],
	index: ['--target', '/tmp'],
	search: ['--overwrite'],
	restore: ['--dry-run'],
	tree: ['--limit', '3'],
	diff: ['--target', '/tmp'],
	du: ['--overwrite'],
	backup: ['--seed', '1'],
	drill: ['--all-repos'],
};

describe('per-command CLI', () => {
	test('resto --help lists every command and the exit codes; resto COMMAND --help prints that command alone', () => {
		const top = resto(['--help']);
		expect(top.status).toBe(0);
		expect(top.stderr).toBe('');
		for (const name of Object.keys(foreignOption)) expect(top.stdout).toMatch(new RegExp(`^  resto ${name}\\b`, 'm'));
		for (const row of exitCodeTable) expect(top.stdout).toMatch(new RegExp(`^  ${row.code} +\\S`, 'm'));
		const search = resto(['search', '--help']);
		expect(search.status).toBe(0);
		expect(search.stderr).toBe('');
		expect(search.stdout).toMatch(/^resto search — /);
		expect(search.stdout).toMatch(/^ {6}--limit N +at most N results/m);
		expect(search.stdout).toMatch(/^ {2}-r, --repo R +/m);
		expect(search.stdout).not.toMatch(/--overwrite|--seed/);
		const snapshots = resto(['snapshots', '-h']);
		expect(snapshots.stdout).toMatch(/^resto snapshots — /);
		expect(snapshots.stdout).toContain('--host H');
		expect(snapshots.stdout).not.toContain('--limit');
		// Also before the command, and as `resto help COMMAND`.
		expect(resto(['--help', 'drill']).stdout).toBe(resto(['drill', '--help']).stdout);
		expect(resto(['help', 'drill']).stdout).toBe(resto(['drill', '--help']).stdout);
		expect(resto(['drill', '--help']).stdout).toMatch(/--read-data-subset S/);
		expect(resto(['help', 'nope']).status).toBe(2);
	});

	test.each(Object.entries(foreignOption))('resto %s with an option it does not take → exit 2 naming it, on stderr', (name, extra) => {
		const r = resto([name, ...extra]);
		expectExit(r, exitCodes.usage);
		expect(r.stdout).toBe('');
		expect(r.stderr).toContain(`${name} does not take ${extra[0]}`);
		expect(r.stderr).toContain(`see: resto ${name} --help`);
	});

	test('the TUI takes no command options; global --theme is accepted by every command', () => {
		const r = resto(['--json']);
		expectExit(r, exitCodes.usage);
		expect(r.stderr).toMatch(/does not take --json[\s\S]*options come after its name/);
		const themed = resto(['--theme', 'ansi', 'snapshots', '--json', '--repo', repo.repoPath], {RESTIC_PASSWORD_FILE: repo.passwordFile});
		expect(themed.status, themed.stderr).toBe(0);
		expect(resto(['snapshots', '--theme=ansi', '--json', '--repo', repo.repoPath], {RESTIC_PASSWORD_FILE: repo.passwordFile}).status).toBe(0);
	});

	test('positional arguments beyond what a command takes, a boolean with a value, a missing value → exit 2', () => {
		const extra = resto(['snapshots', 'extra']);
		expect(extra.status).toBe(2);
		expect(extra.stderr).toContain('snapshots takes no arguments, got "extra"');
		const withValue = resto(['snapshots', '--json=yes']);
		expect(withValue.status).toBe(2);
		expect(withValue.stderr).toContain('--json takes no value');
		const missing = resto(['search', 'q', '--limit']);
		expect(missing.status).toBe(2);
		expect(missing.stderr).toContain('--limit needs a value');
		expect(resto(['restore', 'a', 'b', 'c']).stderr).toContain('unexpected argument "c"');
	});
});

describe('numeric and restic-format options are validated before anything runs', () => {
	const numeric: Array<[string, string]> = [
		['search', '--limit'],
		['drill', '--seed'],
		['drill', '--months'],
		['drill', '--files'],
		['backup', '--stall-timeout'],
		['tree', '--changed-days'],
		['du', '--top'],
	];
	const bad = ['5abc', '1e3', '-5', 'abc', '', '0x10', '2.5', ' 7', '99999999999999999999'];
	test.each(numeric)('%s %s rejects anything but a whole number, on stderr, exit 2', (command, flag) => {
		for (const value of bad) {
			// The repository does not exist: a value that slipped through would reach restic and exit 10.
			const r = resto([command, flag, value, ...(command === 'search' ? ['q'] : []), ...(command === 'backup' ? ['--repo', path.join(repo.root, 'nope'), '/tmp'] : ['--repo', path.join(repo.root, 'nope')])], {RESTIC_PASSWORD_FILE: repo.passwordFile});
			expect(r.status, `${flag} ${JSON.stringify(value)}: ${r.stderr}`).toBe(2);
			expect(r.stdout).toBe('');
			expect(r.stderr).toContain(`${flag} wants a whole number`);
			expect(r.stderr).toContain(JSON.stringify(value).slice(1, -1).trim() || '""');
		}
	});

	test('lower bounds: --limit 0 and --months 0 are refused, --seed 0 and --stall-timeout 0 are allowed', () => {
		expect(resto(['search', 'q', '--limit', '0']).stderr).toContain('--limit wants a whole number ≥ 1, not 0');
		expect(resto(['drill', '--months', '0']).stderr).toContain('--months wants a whole number ≥ 1, not 0');
		const seed = resto(['drill', '--seed', '0', '--repo', path.join(repo.root, 'nope')], {RESTIC_PASSWORD_FILE: repo.passwordFile});
		expect(seed.stderr).not.toContain('--seed');
	});

	test('search --limit N limits; no match is exit 0 in text and --json modes alike', () => {
		const env = {RESTIC_PASSWORD_FILE: repo.passwordFile};
		const one = resto(['search', 'txt', '--limit', '1', '--json', '--repo', repo.repoPath], env);
		expectExit(one, exitCodes.ok);
		const out = JSON.parse(one.stdout) as {total: number; results: unknown[]};
		expect(out.total).toBe(2);
		expect(out.results).toHaveLength(1);
		const none = resto(['search', 'zzqqxx-none', '--json', '--repo', repo.repoPath], env);
		expect(none.status, none.stderr).toBe(0);
		expect((JSON.parse(none.stdout) as {total: number}).total).toBe(0);
		const noneText = resto(['search', 'zzqqxx-none', '--repo', repo.repoPath], env);
		expect(noneText.status, noneText.stderr).toBe(0);
		expect(noneText.stdout).toContain('no match for "zzqqxx-none"');
	});

	test("--read-data-subset: restic's forms only (n/t, x%, size), exit 2 otherwise", () => {
		for (const value of ['bogus', '0/5', '6/5', '1/0', '0%', '101%', '5 %', '0', '1X', '-1G', '1/2/3']) {
			const r = resto(['drill', '--read-data-subset', value, '--repo', path.join(repo.root, 'nope')], {RESTIC_PASSWORD_FILE: repo.passwordFile});
			expect(r.status, `${value}: ${r.stderr}`).toBe(2);
			expect(r.stdout).toBe('');
			expect(r.stderr).toContain('--read-data-subset');
		}
		for (const value of ['1/5', '5/5', '2.5%', '100%', '500M', '1G', '1g', '4096', '3k']) expect(readDataSubsetProblem(value), value).toBeUndefined();
	});

	test("the config's drill.readDataSubset is checked by the same rule: exit 1 naming file, line and field", () => {
		const cfg = path.join(xdg, 'subset.yaml');
		writeFileSync(cfg, `repositories:\n  - name: main\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\ndrill:\n  readDataSubset: 0/3\n`);
		const r = resto(['drill', '--yes'], {RESTO_CONFIG: cfg});
		expect(r.status).toBe(1);
		expect(r.stdout).toBe('');
		expect(r.stderr).toContain(`${cfg}:6: drill.readDataSubset: n/t needs 1 ≤ n ≤ t, not 0/3`);
	});

	test('a valid --read-data-subset reaches restic check (real drill)', () => {
		const r = resto(['drill', '--read-data-subset', '1/1', '--yes', '--json', '--repo', repo.repoPath], {RESTIC_PASSWORD_FILE: repo.passwordFile});
		expect(r.status, r.stderr).toBe(0);
		const report = JSON.parse(r.stdout) as {verdict: string; check: {ok: boolean; readDataSubset: string}};
		expect(report.check).toMatchObject({ok: true, readDataSubset: '1/1'});
	}, 120_000);
});

/** Run `resto ARGS | READER` in bash; resto's stderr and exit status are captured separately. */
function piped(args: string[], reader: string): {out: string; err: string; status: number} {
	const dir = tempDir('resto-cli-pipe-');
	try {
		const quoted = [process.execPath, cliPath, ...args].map(a => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
		const status = 'echo "${PIPESTATUS[0]}" >"$STATUS"';
		const r = spawnSync('bash', ['-c', `${quoted} 2>"$ERR" | ${reader}; ${status}`], {env: {...cliEnv({RESTIC_PASSWORD_FILE: repo.passwordFile}), ERR: path.join(dir, 'err'), STATUS: path.join(dir, 'status')}, encoding: 'utf8', timeout: 60_000});
		return {out: r.stdout, err: readFileSync(path.join(dir, 'err'), 'utf8'), status: Number(readFileSync(path.join(dir, 'status'), 'utf8'))};
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

describe('output into a closed pipe ends quietly', () => {
	test('resto snapshots | head -1, resto snapshots --json | head -c 10', () => {
		const text = piped(['snapshots', '--repo', repo.repoPath], 'head -1');
		expect(text.err).toBe('');
		expect(text.out).toMatch(/^ID +TIME/);
		expect(text.out.split('\n')).toHaveLength(2);
		expect([0, exitCodes.closedPipe]).toContain(text.status);
		const json = piped(['snapshots', '--json', '--repo', repo.repoPath], 'head -c 10');
		expect(json.err).toBe('');
		expect(json.out).toHaveLength(10);
		expect([0, exitCodes.closedPipe]).toContain(json.status);
	});

	test('a reader that is gone before resto writes: no EPIPE, no stack, exit 141, no restic left', () => {
		// `head -c 0` exits at once, so the pipe is closed long before restic has listed the snapshots.
		for (const args of [['snapshots', '--repo', repo.repoPath], ['snapshots', '--json', '--repo', repo.repoPath], ['search', 'txt', '--repo', repo.repoPath], ['--help']]) {
			const r = piped(args, 'head -c 0');
			// search reports its indexing progress on stderr; nothing else may appear there.
			if (args[0] !== 'search') expect(r.err, args.join(' ')).toBe('');
			expect(r.err).not.toMatch(/EPIPE|Error|at /);
			expect(r.status, args.join(' ')).toBe(exitCodes.closedPipe);
		}
		covered.add(exitCodes.closedPipe);
		expect(resticPids(repo.repoPath)).toEqual([]);
	});
});

describe('exit codes: one table, the same in text and --json modes, each seen against real restic', () => {
	test('readme.md carries the table of source/util/exit-codes.ts', () => {
		const readme = readFileSync(new URL('../../readme.md', import.meta.url), 'utf8');
		expect(readme).toContain(exitCodeMarkdown());
	});

	test('0 ok, 10 missing repository, 12 wrong password: same code with and without --json', () => {
		for (const json of [[], ['--json']]) {
			expectExit(resto(['snapshots', ...json, '--repo', repo.repoPath], {RESTIC_PASSWORD_FILE: repo.passwordFile}), exitCodes.ok);
			expectExit(resto(['snapshots', ...json, '--repo', path.join(repo.root, 'nope')], {RESTIC_PASSWORD_FILE: repo.passwordFile}), exitCodes.noRepo);
			const wrong = resto(['snapshots', ...json], {RESTIC_REPOSITORY: repo.repoPath, RESTIC_PASSWORD: 'sentinel-WRONG-77'});
			expectExit(wrong, exitCodes.wrongPassword);
			expect(wrong.stdout).toBe('');
		}
	});

	test('1 failure: an invalid config, in both modes', () => {
		const cfg = path.join(xdg, 'bad-exit.yaml');
		writeFileSync(cfg, 'repositories: [1, 2\n');
		expectExit(resto(['snapshots'], {RESTO_CONFIG: cfg}), exitCodes.failure);
		expectExit(resto(['snapshots', '--json'], {RESTO_CONFIG: cfg}), exitCodes.failure);
	});

	test('3 incomplete backup: a path that does not exist, in both modes', () => {
		const src = path.join(repo.root, 'src');
		for (const json of [[], ['--json']]) {
			const r = resto(['backup', ...json, '--repo', repo.repoPath, src, path.join(repo.root, 'not-there')], {RESTIC_PASSWORD_FILE: repo.passwordFile});
			expectExit(r, exitCodes.incomplete);
		}
	}, 60_000);

	test('11 locked: an exclusive lock held by a live restic, in both modes', async () => {
		const before = (await new ResticCli(repo.access).snapshots()).length;
		// `restic key passwd` takes an exclusive lock, then waits for the new password on stdin.
		const holder = spawn('restic', ['key', 'passwd'], {env: {...process.env, RESTIC_REPOSITORY: repo.repoPath, RESTIC_PASSWORD_FILE: repo.passwordFile}, stdio: ['pipe', 'ignore', 'ignore']});
		try {
			const client = new ResticCli(repo.access);
			for (let i = 0; i < 100 && !(await client.locks()).some(l => l.exclusive); i++) await new Promise(r => setTimeout(r, 100));
			// A backup needs a lock (listing snapshots does not take one).
			for (const json of [[], ['--json']]) {
				const r = resto(['backup', ...json, '--repo', repo.repoPath, path.join(repo.root, 'src')], {RESTIC_PASSWORD_FILE: repo.passwordFile});
				expectExit(r, exitCodes.locked);
				expect(r.stderr).toMatch(/locked exclusively by PID \d+/);
			}
		} finally {
			holder.stdin.end();
			await new Promise(r => holder.on('exit', r));
		}
		expect((await new ResticCli(repo.access).snapshots()).length).toBe(before);
	}, 60_000);

	test('130 canceled: Ctrl-C while restic runs', async () => {
		// The password command blocks until we write to its FIFO, so restic is reliably running when SIGINT comes.
		const fifo = path.join(repo.root, 'pw-fifo');
		spawnSync('mkfifo', [fifo]);
		const child = spawn(process.execPath, [cliPath, 'snapshots', '--repo', repo.repoPath], {env: cliEnv({RESTIC_PASSWORD_COMMAND: `cat ${fifo}`}), stdio: ['ignore', 'pipe', 'pipe']});
		let err = '';
		child.stderr.on('data', c => (err += c));
		try {
			for (let i = 0; i < 200 && resticPids(repo.repoPath).length === 0; i++) await new Promise(r => setTimeout(r, 50));
			expect(resticPids(repo.repoPath).length).toBeGreaterThan(0);
			child.kill('SIGINT');
			const code = await new Promise<number | null>(resolve => child.on('exit', c => resolve(c)));
			expectExit({status: code, stderr: err}, exitCodes.canceled);
		} finally {
			// Release a `cat` that outlived restic (its reader of the FIFO ends when a writer opens and closes it).
			spawnSync('bash', ['-c', `timeout 2 bash -c ': > "${fifo}"' || true`]);
			rmSync(fifo, {force: true});
		}
		for (let i = 0; i < 50 && resticPids(repo.repoPath).length > 0; i++) await new Promise(r => setTimeout(r, 100));
		expect(resticPids(repo.repoPath)).toEqual([]);
	}, 60_000);

	test('every code of the table was exercised above', () => {
		expect([...covered].sort((a, b) => a - b)).toEqual(exitCodeTable.map(r => r.code).sort((a, b) => a - b));
		expect(readdirSync(repo.root)).not.toContain('pw-fifo');
	});
});

describe('resto backup with no backup set configured', () => {
	test('says how to create one; --init-set writes it into the config (comments kept); then the set runs', () => {
		const cfgDir = tempDir('resto-cli-initset-');
		try {
			const cfg = path.join(cfgDir, 'config.yaml');
			const src = path.join(repo.root, 'src');
			writeFileSync(cfg, `# hand-written\nrepositories:\n  - name: main\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\n`, {mode: 0o600});
			const none = resto(['backup'], {RESTO_CONFIG: cfg});
			expectExit(none, exitCodes.usage);
			expect(none.stderr).toContain('resto backup --init-set home');
			const init = resto(['backup', '--init-set', 'docs', src], {RESTO_CONFIG: cfg});
			expectExit(init, exitCodes.ok);
			expect(init.stderr).toContain(`added to ${cfg}`);
			expect(init.stderr).toContain('resto backup docs --dry-run');
			const text = readFileSync(cfg, 'utf8');
			expect(text).toMatch(/^# hand-written\n/);
			expect(text).toContain('excludeCaches: true');
			expect(text).toContain('"**/node_modules"');
			const again = resto(['backup', '--init-set', 'docs'], {RESTO_CONFIG: cfg});
			expectExit(again, exitCodes.failure);
			expect(again.stderr).toContain('already has a backup set named "docs"');
			const dry = resto(['backup', 'docs', '--dry-run', '--json'], {RESTO_CONFIG: cfg});
			expectExit(dry, exitCodes.ok);
			expect(dry.stdout).toContain('"type":"result"');
		} finally {
			rmSync(cfgDir, {recursive: true, force: true});
		}
	});
});
