/**
 * Child processes, end to end with the built CLI and real restic: a SIGKILLed resto leaves no restic;
 * `resto repos` over 60 repositories runs a bounded number of restic at once; a password command that
 * hangs is stopped and named; a server that accepts and never answers is stopped after the stall
 * timeout for every command; a hanging pre-hook is stopped with resto on SIGTERM.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {makeRepo, startRestServer, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {cliPath} from '../e2e/tmux.js';

interface Proc {
	pid: number;
	ppid: number;
	comm: string;
	cmd: string;
}

/** Every process on the machine (pid, parent, name, command line). */
function processes(): Proc[] {
	const out: Proc[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const close = stat.lastIndexOf(')');
			const comm = stat.slice(stat.indexOf('(') + 1, close);
			const ppid = Number(stat.slice(close + 2).split(' ')[1]);
			const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
			out.push({pid: Number(entry), ppid, comm, cmd});
		} catch {
			// Gone meanwhile.
		}
	}
	return out;
}

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		// A zombie is dead for our purposes.
		return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return false;
	}
};

async function waitUntil<T>(probe: () => T | undefined | false, ms: number, step = 25): Promise<T | undefined> {
	const end = Date.now() + ms;
	for (;;) {
		const v = probe();
		if (v) return v;
		if (Date.now() > end) return undefined;
		await new Promise(r => setTimeout(r, step));
	}
}

let xdg: string;
let repo: TestRepo;
let src: string;

function restoEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env};
	for (const k of Object.keys(env)) if (k.startsWith('RESTIC_') || k.startsWith('RESTO_')) delete env[k];
	return {...env, XDG_CONFIG_HOME: path.join(xdg, 'config-none'), XDG_CACHE_HOME: path.join(xdg, 'cache'), XDG_STATE_HOME: path.join(xdg, 'state'), XDG_DATA_HOME: path.join(xdg, 'data'), ...extra};
}

interface Run {
	child: ChildProcess;
	done: Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number}>;
}

function startResto(args: string[], env: NodeJS.ProcessEnv): Run {
	const started = Date.now();
	const child = spawn(process.execPath, [cliPath, ...args], {env, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
	child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
	const done = new Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number}>(resolve => {
		child.on('close', (code, signal) => resolve({code, signal, stdout, stderr, ms: Date.now() - started}));
	});
	return {child, done};
}

/** A config file with `repositories` (name → location) sharing one password file, and optional sets. */
function writeConfig(dir: string, repos: Array<{name: string; repository: string; passwordFile?: string; passwordCommand?: string}>, sets = ''): string {
	mkdirSync(path.join(dir, 'resto'), {recursive: true});
	const lines = ['repositories:'];
	for (const r of repos) {
		lines.push(`  - name: ${r.name}`, `    repository: ${r.repository}`);
		if (r.passwordFile) lines.push(`    passwordFile: ${r.passwordFile}`);
		if (r.passwordCommand) lines.push(`    passwordCommand: ${JSON.stringify(r.passwordCommand)}`);
	}
	writeFileSync(path.join(dir, 'resto', 'config.yaml'), `${lines.join('\n')}\n${sets}`, {mode: 0o600});
	return dir;
}

beforeAll(() => {
	xdg = tempDir('resto-procs-');
	mkdirSync(path.join(xdg, 'r'));
	repo = makeRepo({root: path.join(xdg, 'r')});
	src = path.join(xdg, 'src');
	writeTree(src, {'a.txt': 'a\n', 'docs/b.txt': 'b\n'});
	repo.backup([src]);
}, 60_000);

afterAll(() => rmSync(xdg, {recursive: true, force: true}));

describe('processes (built CLI, real restic)', () => {
	test('a resto killed with SIGKILL mid-backup leaves no restic running', async () => {
		// A REST server throttled to 256 KiB/s makes an 8 MiB backup take half a minute.
		const server = await startRestServer(path.join(xdg, 'slow-rest'), undefined, {args: ['--bwlimit', '256k']});
		const root = path.join(xdg, 'slow');
		mkdirSync(root);
		try {
			const slow = makeRepo({repository: server.url, root});
			const big = Buffer.alloc(8 << 20);
			for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
			writeTree(path.join(root, 'src'), {'big.bin': big});
			const run = startResto(['backup', '--repo', server.url, '--json', '--', path.join(root, 'src')], restoEnv({RESTIC_PASSWORD_FILE: slow.passwordFile}));
			const restic = await waitUntil(() => processes().find(p => p.ppid === run.child.pid && p.comm === 'restic' && p.cmd.includes('backup')), 30_000);
			expect(restic, 'resto started restic backup').toBeDefined();
			// Let it get going (lock taken, data flowing) before the kill.
			await new Promise(r => setTimeout(r, 1500));
			run.child.kill('SIGKILL');
			await run.done;
			const gone = await waitUntil(() => !alive(restic!.pid), 8000);
			expect(gone, 'restic stopped within a few seconds of resto dying').toBe(true);
			// restic got SIGINT from the kernel, but the line it prints about it ("signal interrupt received,
			// cleaning up") hits the closed pipe and SIGPIPE ends it before its cleanup: the lock it leaves is
			// stale (same host, dead PID) and `restic unlock` removes it. restic calls a PID dead only once no
			// process has it: a zombie the orphan reaper has not collected yet still counts as alive, so wait
			// for the PID itself to go (a busy machine reaps late).
			expect(await waitUntil(() => !existsSync(`/proc/${restic!.pid}`), 30_000), 'the dead restic was reaped').toBe(true);
			slow.restic(['unlock']);
			expect(slow.restic(['list', 'locks', '--no-lock']).trim()).toBe('');
		} finally {
			await server.kill();
		}
	}, 120_000);

	test('resto repos over 60 repositories runs at most 6 restic at once', async () => {
		const repos: Array<{name: string; repository: string; passwordFile: string}> = [];
		for (let i = 0; i < 60; i++) {
			const copy = path.join(xdg, 'many', `repo-${i}`);
			cpSync(repo.repoPath, copy, {recursive: true});
			repos.push({name: `r${i}`, repository: copy, passwordFile: repo.passwordFile});
		}
		const config = writeConfig(path.join(xdg, 'config-many'), repos);
		const run = startResto(['repos', '--json'], restoEnv({XDG_CONFIG_HOME: config}));
		let max = 0;
		let samples = 0;
		let finished = false;
		void run.done.then(() => (finished = true));
		while (!finished) {
			const n = processes().filter(p => p.ppid === run.child.pid && p.comm === 'restic').length;
			max = Math.max(max, n);
			samples++;
			await new Promise(r => setTimeout(r, 10));
		}
		const result = await run.done;
		const out = JSON.parse(result.stdout) as {repositories: Array<{status: string}>};
		expect(out.repositories).toHaveLength(60);
		expect(out.repositories.filter(r => r.status === 'ok')).toHaveLength(60);
		expect(samples).toBeGreaterThan(5);
		expect(max).toBeGreaterThan(1);
		expect(max).toBeLessThanOrEqual(6);
		// 60 repositories × a few restic start-ups each: minutes on a loaded 2-core machine.
	}, 420_000);

	test('a password command that hangs is stopped after RESTO_PASSWORD_TIMEOUT, named, for snapshots, repos and backup', async () => {
		const marker = 'sleep 1000.25';
		const config = writeConfig(path.join(xdg, 'config-pwcmd'), [{name: 'hang', repository: repo.repoPath, passwordCommand: marker}], `backupSets:\n  - name: s\n    repository: hang\n    paths: [${src}]\n`);
		const env = restoEnv({XDG_CONFIG_HOME: config, RESTO_PASSWORD_TIMEOUT: '2'});
		// The commands are independent resto processes: they wait out their timeouts side by side.
		const commands = [['snapshots'], ['repos'], ['backup', 's'], ['snapshots', '--json']];
		const [r, ...results] = await Promise.all([
			// The zero-config form: RESTIC_PASSWORD_COMMAND from the environment.
			startResto(['snapshots'], restoEnv({RESTIC_REPOSITORY: repo.repoPath, RESTIC_PASSWORD_COMMAND: marker, RESTO_PASSWORD_TIMEOUT: '2'})).done,
			...commands.map(args => startResto(args, env).done),
		]);
		commands.forEach((args, i) => {
			const result = results[i]!;
			expect(result.code, args.join(' ')).not.toBe(0);
			expect(result.ms, args.join(' ')).toBeLessThan(20_000);
			expect(result.stdout + result.stderr, args.join(' ')).toContain(`password command \`${marker}\` did not finish within 2 s`);
		});
		expect(r!.stderr).toContain(`\`${marker}\``);
		expect(await waitUntil(() => !processes().some(p => p.cmd.includes(marker)), 8000)).toBe(true);
	}, 120_000);

	test('a server that accepts and never answers is stopped after the stall timeout: snapshots, search, repos, backup', async () => {
		const sockets = new Set<net.Socket>();
		const server = net.createServer(socket => {
			sockets.add(socket);
			socket.on('data', () => undefined);
			socket.on('error', () => undefined);
		});
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		const port = (server.address() as net.AddressInfo).port;
		const location = `rest:http://127.0.0.1:${port}/`;
		try {
			const config = writeConfig(path.join(xdg, 'config-silent'), [{name: 'silent', repository: location, passwordFile: repo.passwordFile}], `backupSets:\n  - name: s\n    repository: silent\n    paths: [${src}]\n`);
			const env = restoEnv({XDG_CONFIG_HOME: config, RESTO_STALL_TIMEOUT: '2'});
			// Independent resto processes (each with its own cache and state: one backup slot per repository and
			// state dir), so they wait out the stall side by side.
			const commands = [['snapshots'], ['snapshots', '--json'], ['search', 'a.txt'], ['search', 'a.txt', '--find'], ['repos'], ['backup', 's'], ['backup', 's', '--json']];
			await Promise.all(
				commands.map(async (args, i) => {
					const run = startResto(args, {...env, XDG_CACHE_HOME: path.join(xdg, `silent-${i}`, 'cache'), XDG_STATE_HOME: path.join(xdg, `silent-${i}`, 'state')});
					const r = await run.done;
					expect(r.code, args.join(' ')).not.toBe(0);
					expect(r.ms, args.join(' ')).toBeLessThan(25_000);
					expect(r.stdout + r.stderr, args.join(' ')).toMatch(/stopped responding|no answer/);
					expect(processes().filter(p => p.ppid === run.child.pid)).toEqual([]);
				}),
			);
		} finally {
			for (const s of sockets) s.destroy();
			server.close();
		}
	}, 240_000);

	test('a pre-hook that hangs is stopped, with everything it started, when resto gets SIGTERM', async () => {
		const marker = 'sleep 1000.5';
		const config = writeConfig(path.join(xdg, 'config-hook'), [{name: 'local', repository: repo.repoPath, passwordFile: repo.passwordFile}], `backupSets:\n  - name: s\n    repository: local\n    paths: [${src}]\n    hooks:\n      pre: "${marker} & ${marker}; wait"\n`);
		const run = startResto(['backup', 's'], restoEnv({XDG_CONFIG_HOME: config}));
		const hooks = await waitUntil(() => {
			const found = processes().filter(p => p.cmd === marker);
			return found.length === 2 ? found : undefined;
		}, 30_000);
		expect(hooks, 'both sleeps of the hook started').toBeDefined();
		run.child.kill('SIGTERM');
		const r = await run.done;
		expect(r.code === 143 || r.signal === 'SIGTERM' || r.code === 130).toBe(true);
		expect(await waitUntil(() => hooks!.every(h => !alive(h.pid)), 8000)).toBe(true);
		expect(processes().filter(p => p.cmd.includes(marker))).toEqual([]);
	}, 60_000);
});
