/**
 * Test helpers that create real restic repositories (local directories and rclone REST servers on
 * 127.0.0.1). Nothing here fakes restic: tests call the real binary.
 */
import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import {chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type {RepoAccess} from '../../source/restic/run.js';
import {setLowCostKey} from './low-cost-key.js';
import {removeTree, tempDir} from './temp.js';

export interface TestRepo {
	/** Temp root holding repo/, src/, password file; removed by cleanup(). */
	root: string;
	repoPath: string;
	passwordFile: string;
	password: string;
	access: RepoAccess;
	/** Run restic synchronously against this repo; returns stdout. */
	restic: (args: string[], options?: {cwd?: string; allowFail?: boolean}) => string;
	/** Back up absolute `paths`; returns the new snapshot's full id. */
	backup: (paths: string[], options?: {host?: string; tags?: string[]; time?: string}) => string;
	cleanup: () => void;
}

/** restic's environment for a repository, with no inherited RESTIC_* settings. */
export function resticTestEnv(access: RepoAccess): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env};
	for (const k of Object.keys(env)) if (k.startsWith('RESTIC_')) delete env[k];
	env.RESTIC_REPOSITORY = access.repository;
	if (access.passwordFile) env.RESTIC_PASSWORD_FILE = access.passwordFile;
	if (access.password) env.RESTIC_PASSWORD = access.password;
	env.RESTIC_CACHE_DIR = path.join(os.tmpdir(), 'resto-test-restic-cache');
	return env;
}

export {removeTree, tempDir} from './temp.js';

/** Create and init a local repository (or use `repository` for an existing location such as rest:…). */
export function makeRepo(options: {password?: string; repository?: string; root?: string; init?: boolean} = {}): TestRepo {
	const root = options.root ?? tempDir('resto-repo-');
	const password = options.password ?? 'correct horse battery staple';
	const passwordFile = path.join(root, 'password');
	writeFileSync(passwordFile, `${password}\n`, {mode: 0o600});
	const repoPath = options.repository ?? path.join(root, 'repo');
	const access: RepoAccess = {repository: repoPath, passwordFile};
	const restic = (args: string[], opts: {cwd?: string; allowFail?: boolean} = {}) => {
		try {
			return execFileSync('restic', args, {env: resticTestEnv(access), cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024}).toString();
		} catch (error) {
			if (opts.allowFail) return String((error as {stdout?: Buffer}).stdout ?? '');
			const e = error as {stderr?: Buffer; status?: number};
			throw new Error(`restic ${args.join(' ')} failed (${e.status}): ${e.stderr?.toString()}`, {cause: error});
		}
	};
	if (options.init !== false) {
		restic(['init']);
		// A local repository gets a cheap scrypt key: every restic process of the suite opens it faster (see low-cost-key.ts).
		const local = options.repository ? restServerDirs.get(options.repository) : repoPath;
		if (local) setLowCostKey(local, password);
	}
	const backup = (paths: string[], opts: {host?: string; tags?: string[]; time?: string} = {}) => {
		const args = ['backup', '--json'];
		if (opts.host) args.push(`--host=${opts.host}`);
		for (const t of opts.tags ?? []) args.push(`--tag=${t}`);
		if (opts.time) args.push(`--time=${opts.time}`);
		args.push('--', ...paths);
		const out = restic(args);
		const summary = out
			.split('\n')
			.map(l => l.trim())
			.filter(l => l.includes('"summary"'))
			.pop();
		const shortId = summary ? (JSON.parse(summary) as {snapshot_id: string}).snapshot_id : '';
		const snaps = JSON.parse(restic(['snapshots', '--json'])) as Array<{id: string}>;
		const full = snaps.find(s => s.id.startsWith(shortId));
		if (!full) throw new Error(`backup produced no snapshot: ${out.slice(-500)}`);
		return full.id;
	};
	return {
		root,
		repoPath,
		passwordFile,
		password,
		access,
		restic,
		backup,
		cleanup: () => removeTree(root),
	};
}

/** Write a tree of files: keys are relative paths, values contents (string or Buffer). */
export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
	for (const [rel, content] of Object.entries(files)) {
		const file = path.join(dir, rel);
		mkdirSync(path.dirname(file), {recursive: true});
		writeFileSync(file, content);
	}
}

/** Every file under dir, recursively (the inverse of writeTree). */
export function filesUnder(dir: string): string[] {
	const out: string[] = [];
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const p = path.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...filesUnder(p));
		else out.push(p);
	}
	return out;
}

/**
 * A free TCP port on 127.0.0.1, outside the kernel's range for outgoing connections
 * (/proc/sys/net/ipv4/ip_local_port_range, 32768–60999 by default). An ephemeral port that is free now can be
 * taken a moment later by any client's connection (restic talking to another test's server), and a server the
 * test stops and restarts on its port would then fail with "address already in use".
 */
export async function freePort(): Promise<number> {
	let [low, high] = [32_768, 60_999];
	try {
		const range = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
		if (range.length === 2 && range.every(Number.isInteger)) [low, high] = range as [number, number];
	} catch {
		// Not Linux: the default range.
	}
	// The wider gap below or above the ephemeral range; random, so parallel test files rarely pick the same port.
	const [from, to] = low - 10_000 >= 65_535 - high ? [10_000, low - 1] : [high + 1, 65_535];
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = from + Math.floor(Math.random() * (to - from + 1));
		if (await portIsFree(port)) return port;
	}
	throw new Error(`no free port in ${from}–${to}`);
}

function portIsFree(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const server = net.createServer();
		server.unref();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

export interface RestServer {
	url: string;
	port: number;
	dataDir: string;
	process: ChildProcess;
	/** Kill the server (SIGKILL by default) and wait for it to exit. */
	kill: (signal?: NodeJS.Signals) => Promise<void>;
	/** Start it again on the same port and data. */
	restart: () => Promise<void>;
	/**
	 * Resolve once the server has been asked for a path matching `pattern` ("GET /data/…"), so a test can
	 * kill it at a chosen moment of restic's work. Needs `{logRequests: true}`.
	 */
	waitForRequest: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
}

/** Start `rclone serve restic` on 127.0.0.1 over `dataDir` (`options.args`: extra rclone flags such as --bwlimit). */
/** Data directory of each REST server this process started, by its repository URL (for setLowCostKey). */
const restServerDirs = new Map<string, string>();

export async function startRestServer(dataDir: string, port?: number, options: {args?: string[]; logRequests?: boolean} = {}): Promise<RestServer> {
	const p = port ?? (await freePort());
	mkdirSync(dataDir, {recursive: true});
	restServerDirs.set(`rest:http://127.0.0.1:${p}/`, dataDir);
	// rclone -vv logs every request ("… : GET /data/ab12…"): kept (bounded) for waitForRequest.
	let requests = '';
	const waiters = new Set<{pattern: RegExp; resolve: () => void}>();
	const start = async (): Promise<ChildProcess> => {
		const child = spawn('rclone', ['serve', 'restic', '--addr', `127.0.0.1:${p}`, ...(options.logRequests ? ['-vv'] : []), ...(options.args ?? []), dataDir], {stdio: ['ignore', 'ignore', 'pipe']});
		child.stderr?.on('data', (chunk: Buffer) => {
			if (!options.logRequests) return;
			requests = (requests + chunk.toString()).slice(-65_536);
			for (const w of waiters) if (w.pattern.test(requests)) w.resolve();
		});
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('rclone serve restic did not start')), 15_000);
			let seen = '';
			child.stderr?.on('data', (chunk: Buffer) => {
				seen += chunk.toString();
				if (/Serving restic REST API/.test(seen)) {
					clearTimeout(timer);
					resolve();
				}
			});
			child.on('exit', code => {
				clearTimeout(timer);
				reject(new Error(`rclone exited ${code}: ${seen}`));
			});
		});
		child.stderr?.resume();
		return child;
	};
	const server: RestServer = {
		url: `rest:http://127.0.0.1:${p}/`,
		port: p,
		dataDir,
		process: await start(),
		kill: async (signal = 'SIGKILL') => {
			const child = server.process;
			if (child.exitCode !== null || child.signalCode !== null) return;
			await new Promise<void>(resolve => {
				child.once('exit', () => resolve());
				child.kill(signal);
			});
		},
		restart: async () => {
			server.process = await start();
		},
		waitForRequest: (pattern, timeoutMs = 30_000) => {
			requests = '';
			return new Promise<void>((resolve, reject) => {
				const w = {
					pattern,
					resolve: () => {
						waiters.delete(w);
						clearTimeout(timer);
						resolve();
					},
				};
				const timer = setTimeout(() => {
					waiters.delete(w);
					reject(new Error(`rclone saw no request matching ${String(pattern)}`));
				}, timeoutMs);
				waiters.add(w);
			});
		},
	};
	return server;
}

/** Make `file` unreadable-proof helper: chmod, ignoring errors (root can still read). */
export function chmodQuiet(file: string, mode: number): void {
	try {
		chmodSync(file, mode);
	} catch {
		// ignore
	}
}
