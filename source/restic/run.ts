/**
 * The only place resto spawns restic. Streams stdout line by line, keeps a bounded tail of stderr,
 * cancels with SIGINT (restic releases its lock on SIGINT) and force-kills only after a grace period,
 * and always awaits the process before reporting.
 */
import {rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {deathSignalPrefix, ioCounter, liveChildCount, loadSpawner, spawnTracked, stopAllChildren, which} from './process.js';
import {locationSecrets} from '../util/redact.js';
import {backendRetryPattern, classifyFailure, damagedMessage, isLocalLocation, notInstalledError, redact, ResticError, retryCause} from './errors.js';
import {parseDamageLine, type PackDamage} from './damage.js';

/** A damage line restic goes on retrying (a Load of a pack that is missing or unreadable). */
const retryingDamage = /returned error, retrying after/;

/** How to reach one repository. Secrets only travel through the child's environment. */
export interface RepoAccess {
	/** Any restic repository string (local path, rest:, sftp:, b2:, rclone:…). */
	repository: string;
	passwordFile?: string;
	passwordCommand?: string;
	password?: string;
	/** Extra environment for backends (B2_ACCOUNT_ID, AWS_*…). */
	env?: Record<string, string>;
}

export interface RunOptions {
	signal?: AbortSignal;
	/** Called for each complete stdout line, synchronously, in order. */
	onLine?: (line: string) => void;
	/** Called for each complete stderr line. */
	onStderrLine?: (line: string) => void;
	/** Called with raw stdout chunks (for binary output such as `dump`). Lines are not split then. */
	onChunk?: (chunk: Buffer) => void;
	/** Keep the whole stdout text and return it (for single-document JSON). */
	collectStdout?: boolean;
	/** Run with nice 19 / ionice idle. */
	lowPriority?: boolean;
	/** Extra env for this run only (e.g. RESTIC_PROGRESS_FPS). */
	env?: Record<string, string>;
	/** Exit codes that are not failures (e.g. 3 for a partial backup). */
	okExitCodes?: readonly number[];
	/** Grace period after SIGINT before SIGKILL. */
	forceKillAfterMs?: number;
	/**
	 * Stop restic when it has been retrying a failing backend for this long without producing any
	 * output (restic itself retries for up to 15 minutes). Default: RESTO_STALL_TIMEOUT seconds, else
	 * 60 s; 0 disables. Called with the backend's error while restic retries.
	 */
	stallTimeoutMs?: number;
	onBackendRetry?: (cause: string, retryingForMs: number) => void;
	/**
	 * Stop restic at the first damaged pack it reports (default). `check` turns this off: it should go
	 * on and name every damaged pack.
	 */
	stopOnDamage?: boolean;
	/**
	 * Stop restic when it has printed nothing and done no I/O for this long (a server that accepts
	 * connections and never answers). Default: the stall limit; 0 disables.
	 */
	silenceTimeoutMs?: number;
	/**
	 * A second repository this run locks (restic copy's source, given by RESTIC_FROM_*): a lock of a stopped
	 * run is removed there too.
	 */
	alsoLocks?: RepoAccess;
}

/** What restic is going through with a failing backend, for a notice in the UI. */
export interface BackendRetry {
	repository: string;
	/** The backend's error, redacted ("connect: connection refused"). */
	cause: string;
	/** How long the object has been failing. */
	retryingForMs: number;
	/** When restic will be stopped if it keeps failing (0: never). */
	stallLimitMs: number;
	at: number;
}

const retryListeners = new Set<(retry: BackendRetry) => void>();

/** Hear about every backend retry of every restic run (the TUI shows a notice). Returns an unsubscribe. */
export function onBackendRetry(listener: (retry: BackendRetry) => void): () => void {
	retryListeners.add(listener);
	return () => retryListeners.delete(listener);
}

/** The stall limit for a run: the option, else RESTO_STALL_TIMEOUT (seconds), else 60 s. */
export function stallLimitMs(option?: number): number {
	if (option !== undefined) return option;
	const env = Number(process.env.RESTO_STALL_TIMEOUT);
	return Number.isFinite(env) && env >= 0 && process.env.RESTO_STALL_TIMEOUT !== '' ? env * 1000 : 60_000;
}

export interface RunResult {
	exitCode: number;
	stdout: string;
	stderr: string;
}

/** restic binary to run: RESTIC_BIN, else "restic" from PATH. */
export function resticBin(): string {
	return process.env.RESTIC_BIN || 'restic';
}

const passwordVars = ['RESTIC_PASSWORD', 'RESTIC_PASSWORD_FILE', 'RESTIC_PASSWORD_COMMAND', 'RESTIC_REPOSITORY', 'RESTIC_REPOSITORY_FILE'];

/** The environment restic runs with: ours minus inherited repo/password settings, plus the repo's. */
export function resticEnv(access: RepoAccess, extra: Record<string, string> = {}): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (value !== undefined && !passwordVars.includes(key)) env[key] = value;
	}
	Object.assign(env, access.env ?? {});
	env.RESTIC_REPOSITORY = access.repository;
	if (access.passwordFile) env.RESTIC_PASSWORD_FILE = access.passwordFile;
	else if (access.passwordCommand) env.RESTIC_PASSWORD_COMMAND = access.passwordCommand;
	else if (access.password !== undefined) env.RESTIC_PASSWORD = access.password;
	Object.assign(env, extra);
	return env;
}

/** Strings that must never appear in output: the password and secret-looking backend env values. */
export function secretsOf(access: RepoAccess): string[] {
	const secrets: string[] = locationSecrets(access.repository);
	if (access.password) secrets.push(access.password);
	for (const [key, value] of Object.entries(access.env ?? {})) {
		if (/KEY|SECRET|TOKEN|PASS/i.test(key) && value.length >= 4) secrets.push(value);
	}
	return secrets;
}

/** Number of restic processes resto is running right now. */
export function liveProcessCount(): number {
	return liveChildCount('restic');
}

/**
 * Stop every running restic with SIGINT (and every hook), wait up to `graceMs`, then SIGKILL what
 * is left. Used on SIGTERM/SIGHUP/exit so no restic outlives resto and locks are released.
 */
export async function stopAllRestic(graceMs = 8000): Promise<void> {
	await stopAllChildren(graceMs);
}

/** How many restic processes may run at once: RESTO_MAX_RESTIC, else 6 (60 repositories must not start 118). */
export function maxConcurrentRestic(): number {
	const n = Number(process.env.RESTO_MAX_RESTIC);
	return Number.isInteger(n) && n > 0 ? n : 6;
}

let running = 0;
const waiting: Array<() => void> = [];

/** Wait for a free restic slot (or the signal); returns the release function. */
async function acquireSlot(signal?: AbortSignal): Promise<() => void> {
	if (running < maxConcurrentRestic() && waiting.length === 0) running++;
	else {
		// A releasing run hands its slot straight to the first waiter, so the count never overshoots.
		await new Promise<void>((resolve, reject) => {
			const go = () => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			};
			const onAbort = () => {
				const i = waiting.indexOf(go);
				if (i >= 0) waiting.splice(i, 1);
				reject(new ResticError('canceled', 'canceled'));
			};
			signal?.addEventListener('abort', onAbort, {once: true});
			waiting.push(go);
		});
	}
	let released = false;
	return () => {
		if (released) return;
		released = true;
		const next = waiting.shift();
		if (next) next();
		else running--;
	};
}

/** How long a password command may take: RESTO_PASSWORD_TIMEOUT seconds, else 60 s. */
export function passwordTimeoutMs(): number {
	const env = Number(process.env.RESTO_PASSWORD_TIMEOUT);
	return process.env.RESTO_PASSWORD_TIMEOUT && Number.isFinite(env) && env > 0 ? env * 1000 : 60_000;
}

/**
 * restic runs RESTIC_PASSWORD_COMMAND itself (split into words, no shell) and waits for it forever.
 * Prefixing coreutils' `timeout` keeps its word splitting and stops a command that hangs.
 */
function passwordCommandWithTimeout(command: string): string {
	if (!which('timeout')) return command;
	const seconds = Math.max(1, Math.round(passwordTimeoutMs() / 1000));
	return `timeout --foreground -k 5 ${seconds} ${command}`;
}

const stderrLimit = 64 * 1024;

function splitter(onLine: (line: string) => void): {push: (chunk: Buffer | string) => void; end: () => void} {
	let rest = '';
	return {
		push(chunk) {
			const text = rest + chunk.toString();
			let start = 0;
			let nl = text.indexOf('\n', start);
			while (nl !== -1) {
				const line = text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl);
				if (line.length > 0) onLine(line);
				start = nl + 1;
				nl = text.indexOf('\n', start);
			}
			rest = text.slice(start);
		},
		end() {
			if (rest.length > 0) onLine(rest);
			rest = '';
		},
	};
}

/**
 * Run restic with `argv` against `access`. Resolves on success (exit 0 or an ok code), rejects with
 * a classified, redacted ResticError otherwise. Cancelling via `signal` sends SIGINT, waits for
 * restic to exit, and rejects with kind "canceled".
 */
export async function runRestic(access: RepoAccess, argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
	const bin = resticBin();
	if (options.signal?.aborted) throw new ResticError('canceled', 'canceled');
	let command = bin;
	let args = [...argv];
	if (options.lowPriority) {
		// nice is in coreutils everywhere; ionice (util-linux) may be missing, so it is optional.
		const prefix = (await hasIonice()) ? ['ionice', '-c', '3', bin] : [bin];
		command = 'nice';
		args = ['-n', '19', ...prefix, ...args];
	}
	// Under a parent-death signal, a resto killed by SIGKILL still stops its restic (SIGINT: lock released).
	const deathPrefix = deathSignalPrefix('INT');
	if (deathPrefix.length > 0) {
		args = [...deathPrefix.slice(1), command, ...args];
		command = deathPrefix[0]!;
	}
	const release = await acquireSlot(options.signal);
	let pid: number | undefined;
	try {
		return await runAcquired(access, argv, options, bin, command, args, p => (pid = p));
	} catch (error) {
		release();
		// Out of the slot first: the look for a leftover lock runs restic itself.
		if (error instanceof ResticError && pid !== undefined && takesLock(argv)) {
			if (error.kind === 'canceled') await removeOwnLeftoverLock(access, pid);
			// Stopped for a dead backend, restic was killed: the other repository answers and keeps its lock otherwise.
			if ((error.kind === 'canceled' || error.kind === 'unreachable') && options.alsoLocks) await removeOwnLeftoverLock(options.alsoLocks, pid);
		}
		throw error;
	} finally {
		release();
	}
}

/** Commands that never lock the repository (the rest do unless --no-lock is given). */
const lockFree = new Set(['version', 'help', 'init', 'generate', 'self-update', 'cache']);

function takesLock(argv: readonly string[]): boolean {
	return argv.length > 0 && !lockFree.has(argv[0]!) && !argv.includes('--no-lock');
}

/**
 * restic 0.14 interrupted by SIGINT while it is creating its lock exits 130 and leaves that lock
 * behind (observed: 3 of 40 `prune --dry-run` runs interrupted at random moments): the lock file is
 * written, but not yet known to the cleanup that removes it. A canceled run must never leave a lock,
 * so after it exits, a lock of its PID on this host is removed: the file itself on a local repository,
 * else `restic unlock` when every stale lock there is this run's (restic's own rule calls it stale:
 * this host, dead PID; someone else's stale lock stays for the user to see).
 */
async function removeOwnLeftoverLock(access: RepoAccess, pid: number): Promise<void> {
	try {
		const list = await runRestic(access, ['list', 'locks', '--no-lock'], {collectStdout: true, stallTimeoutMs: 30_000});
		const ids = list.stdout.split('\n').filter(l => /^[0-9a-f]{64}$/.test(l.trim()));
		if (ids.length === 0) return;
		const host = os.hostname();
		const mine: string[] = [];
		let othersStale = false;
		for (const id of ids) {
			const r = await runRestic(access, ['cat', 'lock', '--no-lock', '--', id.trim()], {collectStdout: true, stallTimeoutMs: 30_000}).catch(() => undefined);
			if (!r) continue;
			const lock = JSON.parse(r.stdout) as {pid?: number; hostname?: string};
			if (lock.hostname === host && lock.pid === pid) mine.push(id.trim());
			else if (lock.hostname === host && lock.pid !== undefined && !pidAlive(lock.pid)) othersStale = true;
		}
		if (mine.length === 0) return;
		if (isLocalLocation(access.repository)) {
			const dir = path.join(access.repository.replace(/^local:/, ''), 'locks');
			for (const id of mine) rmSync(path.join(dir, id), {force: true});
		} else if (!othersStale) await runRestic(access, ['unlock'], {stallTimeoutMs: 30_000});
	} catch {
		// Best effort: the repositories screen shows a lock that is still there, with its remedy.
	}
}

function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

async function runAcquired(access: RepoAccess, argv: readonly string[], options: RunOptions, bin: string, command: string, args: string[], onPid: (pid: number | undefined) => void): Promise<RunResult> {
	const wrapped = command !== bin;

	const secrets = secretsOf(access);
	// A backend that stays down makes restic retry silently for minutes: a watchdog stops it.
	const stallMs = stallLimitMs(options.stallTimeoutMs);
	const watchdog = new AbortController();
	const cancel = options.signal ? AbortSignal.any([options.signal, watchdog.signal]) : watchdog.signal;
	// When each object restic is retrying was first seen failing (since restic last printed anything).
	const failingSince = new Map<string, number>();
	let lastCause = '';
	let stalledFor = 0;
	const local = isLocalLocation(access.repository);
	const damage: PackDamage[] = [];
	let stoppedForDamage = false;
	const passwordTimeout = access.passwordCommand && !access.passwordFile ? passwordTimeoutMs() : 0;
	const runAccess = passwordTimeout ? {...access, passwordCommand: passwordCommandWithTimeout(access.passwordCommand!)} : access;
	await loadSpawner();
	const subprocess = spawnTracked(command, args, {
		kind: 'restic',
		env: resticEnv(runAccess, {RESTIC_PROGRESS_FPS: '10', ...options.env}),
		extendEnv: false,
		stdin: 'ignore',
		stdout: 'pipe',
		stderr: 'pipe',
		buffer: false,
		reject: false,
		cancelSignal: cancel,
		killSignal: 'SIGINT',
		forceKillAfterDelay: options.forceKillAfterMs ?? 15_000,
		cleanup: true,
		windowsHide: true,
	});
	// setpriv, nice and ionice exec restic in place: this is restic's PID, the one its lock names.
	onPid(subprocess.pid);
	// Stopped because the backend stopped answering: restic's SIGINT cleanup would spend its whole grace
	// time retrying to remove its lock from that dead backend (observed: minutes). It cannot succeed, so
	// the kill follows soon.
	let deadBackendKill: NodeJS.Timeout | undefined;
	const killSoon = () => {
		deadBackendKill = setTimeout(() => subprocess.kill('SIGKILL'), Math.min(3000, options.forceKillAfterMs ?? 15_000));
		deadBackendKill.unref();
	};

	// A server that accepts and never answers leaves restic waiting without a word (no retry lines,
	// no output). Silence *and* no I/O (read/write syscalls, sockets included) for the stall limit is
	// a stall; a restore or find that works silently keeps reading and writing. A password command
	// gets its own time first.
	const silenceMs = options.silenceTimeoutMs ?? stallMs;
	let lastActivity = Date.now() + passwordTimeout;
	let lastIo = ioCounter(subprocess.pid);
	let silentFor = 0;
	const silenceTimer =
		silenceMs > 0 && lastIo !== undefined
			? setInterval(
					() => {
						const io = ioCounter(subprocess.pid);
						const now = Date.now();
						if (io !== undefined && io !== lastIo) {
							lastIo = io;
							lastActivity = Math.max(lastActivity, now);
						}
						if (now - lastActivity >= silenceMs && !watchdog.signal.aborted) {
							silentFor = now - lastActivity;
							watchdog.abort();
							killSoon();
						}
					},
					Math.min(1000, Math.max(100, silenceMs / 5)),
				)
			: undefined;
	silenceTimer?.unref();

	const stdoutParts: string[] = [];
	let stderr = '';
	const out = options.onLine ? splitter(options.onLine) : undefined;
	const err = splitter(line => {
		const damaged = parseDamageLine(line, {local});
		if (damaged) {
			if (damage.length < 100 && !damage.some(d => d.packId === damaged.packId && d.problem === damaged.problem)) damage.push(damaged);
			// restic would retry this pack for ~45 s as if the backend were flaky (check: for minutes, for every
			// blob of it); it will not get better. check goes on past damage it reports once, never past a retry.
			if ((options.stopOnDamage !== false || retryingDamage.test(line)) && !watchdog.signal.aborted) {
				stoppedForDamage = true;
				watchdog.abort();
			}
		} else if (backendRetryPattern.test(line)) {
			const now = Date.now();
			// restic retries each object with growing pauses (several at once during a restore). One object
			// failing for the whole limit is a dead backend; a flaky one fails ever new objects briefly.
			const key = /^\w+\(<[^>]*>/.exec(line)?.[0] ?? '';
			if (!failingSince.has(key) && failingSince.size < 10_000) failingSince.set(key, now);
			const since = failingSince.get(key) ?? now;
			lastCause = redact(retryCause(line).slice(0, 160), secrets);
			options.onBackendRetry?.(lastCause, now - since);
			for (const listener of retryListeners) listener({repository: redact(access.repository, secrets), cause: lastCause, retryingForMs: now - since, stallLimitMs: stallMs, at: now});
			if (stallMs > 0 && now - since >= stallMs && !watchdog.signal.aborted) {
				stalledFor = now - since;
				watchdog.abort();
				killSoon();
			}
		}
		options.onStderrLine?.(line);
	});
	subprocess.stdout?.on('data', (chunk: Buffer) => {
		// Output means the backend answers again.
		failingSince.clear();
		lastActivity = Date.now();
		if (options.onChunk) options.onChunk(chunk);
		else out?.push(chunk);
		if (options.collectStdout) stdoutParts.push(chunk.toString());
	});
	subprocess.stderr?.on('data', (chunk: Buffer) => {
		lastActivity = Date.now();
		stderr += chunk.toString();
		if (stderr.length > stderrLimit * 2) stderr = stderr.slice(-stderrLimit);
		err.push(chunk);
	});

	let result;
	try {
		result = await subprocess;
	} finally {
		if (silenceTimer) clearInterval(silenceTimer);
		if (deadBackendKill) clearTimeout(deadBackendKill);
	}
	out?.end();
	err.end();

	const stdout = stdoutParts.join('');
	const code = result.exitCode;
	if (result.failed && code === undefined && !result.isCanceled && !result.signal) {
		// Spawn failure: ENOENT means the binary (or nice) is missing.
		const cause = result.cause as NodeJS.ErrnoException | undefined;
		if (cause?.code === 'ENOENT') throw notInstalledError(bin);
		throw new ResticError('failed', `could not start restic: ${cause?.message ?? result.shortMessage}`);
	}
	if (code === 127 && wrapped && /failed to execute|No such file or directory|not found/.test(stderr)) throw notInstalledError(bin);
	if (damage.length > 0 && (options.stopOnDamage !== false || stoppedForDamage) && !options.signal?.aborted && code !== 0) {
		const repo = redact(access.repository, secrets);
		throw new ResticError('damaged', redact(damagedMessage(repo, damage), secrets), {exitCode: code, stderr: redact(stderr, secrets), damage: damage.map(d => ({...d, line: redact(d.line, secrets)}))});
	}
	if (silentFor > 0 && stalledFor === 0 && !options.signal?.aborted && code !== 0) {
		throw new ResticError('unreachable', `The backend stopped responding: restic got no answer for ${Math.round(silentFor / 1000)} s and was stopped (RESTO_STALL_TIMEOUT). Nothing was changed; try again once ${redact(access.repository, secrets)} answers.`, {
			exitCode: code,
			stderr: redact(stderr, secrets),
		});
	}
	if (stalledFor > 0 && !options.signal?.aborted && code !== 0) {
		throw new ResticError('unreachable', `The backend stopped responding: restic retried for ${Math.round(stalledFor / 1000)} s (${lastCause}) and was stopped. Nothing was changed; try again once the backend is back.`, {exitCode: code, stderr: redact(stderr, secrets)});
	}
	const okCodes = options.okExitCodes ?? [];
	// restic may finish on its own just as it is canceled: a clean exit is still a clean exit.
	if (code === 0 || (!result.isCanceled && code !== undefined && okCodes.includes(code))) {
		return {exitCode: code, stdout, stderr};
	}
	const error = classifyFailure({
		exitCode: code,
		stderr,
		signal: result.signal ?? undefined,
		canceled: options.signal?.aborted || (result.isCanceled && !watchdog.signal.aborted),
		repository: access.repository,
		secrets,
	});
	if (error?.kind === 'no-password' && passwordTimeout && /exit status 12[45]|signal: (terminated|killed)/.test(stderr)) {
		throw new ResticError('no-password', redact(`The password command \`${access.passwordCommand}\` did not finish within ${Math.round(passwordTimeout / 1000)} s and was stopped (RESTO_PASSWORD_TIMEOUT sets the limit).`, secrets), {exitCode: code, stderr: error.stderr});
	}
	throw error ?? new ResticError('failed', `restic exited with ${code}`, {exitCode: code, stderr});
}

let ioniceCache: Promise<boolean> | undefined;
function hasIonice(): Promise<boolean> {
	ioniceCache ??= loadSpawner()
		.then(() => spawnTracked('ionice', ['-c', '3', 'true'], {kind: 'other', reject: false, stdin: 'ignore'}))
		.then(
			r => r.exitCode === 0,
			() => false,
		);
	return ioniceCache;
}
