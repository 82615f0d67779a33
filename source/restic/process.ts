/**
 * The one place resto starts child processes: restic (through run.ts), backup hooks and anything else.
 * Every child is tracked so a signal to resto stops it, is started under a parent-death signal where
 * the system has one (so even a SIGKILLed resto leaves nothing running), and has its output redacted.
 */
import {accessSync, constants, readFileSync} from 'node:fs';
import path from 'node:path';
import type {Options, ResultPromise} from 'execa';
import {redact} from '../util/redact.js';

/** What kind of child it is, which decides how it is stopped. */
export type ChildKind = 'restic' | 'hook' | 'other';

interface Tracked {
	proc: ResultPromise;
	kind: ChildKind;
	/** The child leads its own process group (hooks: `sh -c` and whatever it starts). */
	group: boolean;
}

const live = new Set<Tracked>();

/** Number of child processes resto is running right now (all kinds). */
export function liveChildCount(kind?: ChildKind): number {
	let n = 0;
	for (const t of live) if (!kind || t.kind === kind) n++;
	return n;
}

const whichCache = new Map<string, string | undefined>();

/** The absolute path of `name` on PATH, or undefined (cached). */
export function which(name: string): string | undefined {
	if (whichCache.has(name)) return whichCache.get(name);
	let found: string | undefined;
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		if (!dir) continue;
		const candidate = path.join(dir, name);
		try {
			accessSync(candidate, constants.X_OK);
			found = candidate;
			break;
		} catch {
			// not here
		}
	}
	whichCache.set(name, found);
	return found;
}

/**
 * The prefix that makes the kernel signal a child when resto dies, however it dies (Linux
 * PR_SET_PDEATHSIG through util-linux's setpriv; it survives the exec into restic). restic releases
 * its lock on SIGINT, so that is the signal for restic; hooks get SIGTERM. Empty where unavailable or
 * when RESTO_NO_PDEATHSIG is set.
 */
export function deathSignalPrefix(signal: 'INT' | 'TERM'): string[] {
	if (process.platform !== 'linux' || process.env.RESTO_NO_PDEATHSIG) return [];
	const setpriv = which('setpriv');
	return setpriv ? [setpriv, '--pdeathsig', signal] : [];
}

type Execa = typeof import('execa').execa;
let execaFn: Execa | undefined;
let loading: Promise<void> | undefined;

/**
 * Load execa (and with it node:child_process) on first use. resto's first frame needs neither, and
 * loading them costs a good part of startup; spawnTracked needs this to have finished.
 */
export function loadSpawner(): Promise<void> {
	loading ??= import('execa').then(m => {
		execaFn = m.execa;
	});
	return loading;
}

/** Start a tracked child (after loadSpawner()). It leaves the tracked set when it ends. */
export function spawnTracked(command: string, args: readonly string[], options: Options & {kind: ChildKind; group?: boolean}): ResultPromise {
	const {kind, group = false, ...execaOptions} = options;
	if (!execaFn) throw new Error('spawnTracked before loadSpawner() finished');
	const proc = execaFn(command, args, {...execaOptions, detached: group}) as unknown as ResultPromise;
	const entry: Tracked = {proc, kind, group};
	live.add(entry);
	const done = () => live.delete(entry);
	proc.then(done, done);
	return proc;
}

/** Send `signal` to a tracked child, to its whole process group when it has one. */
function signalChild(t: Tracked, signal: NodeJS.Signals): void {
	try {
		if (t.group && t.proc.pid) process.kill(-t.proc.pid, signal);
		else t.proc.kill(signal);
	} catch {
		// Already gone.
	}
}

/** Stop one process group (a hook and everything it started): SIGTERM, then SIGKILL after `graceMs`. */
export async function stopGroup(proc: ResultPromise, graceMs = 3000): Promise<void> {
	const entry = [...live].find(t => t.proc === proc) ?? {proc, kind: 'other' as const, group: true};
	signalChild(entry, 'SIGTERM');
	const timer = new Promise<'timeout'>(resolve => setTimeout(() => resolve('timeout'), graceMs).unref());
	const ended = await Promise.race([
		proc.then(
			() => 'ended' as const,
			() => 'ended' as const,
		),
		timer,
	]);
	if (ended === 'timeout') signalChild(entry, 'SIGKILL');
	// The group may outlive its leader (a backgrounded `sleep`): kill what is left of it.
	if (entry.group && proc.pid) {
		try {
			process.kill(-proc.pid, 'SIGKILL');
		} catch {
			// Nothing left.
		}
	}
}

/**
 * Stop every child: restic with SIGINT (it releases its lock), hooks' process groups with SIGTERM;
 * wait up to `graceMs`, then SIGKILL what is left. Used on SIGTERM/SIGHUP/exit.
 */
export async function stopAllChildren(graceMs = 8000): Promise<void> {
	const all = [...live];
	for (const t of all) signalChild(t, t.kind === 'restic' ? 'SIGINT' : 'SIGTERM');
	const timer = new Promise<void>(resolve => setTimeout(resolve, graceMs).unref());
	await Promise.race([Promise.allSettled(all.map(t => t.proc)), timer]);
	for (const t of live) signalChild(t, 'SIGKILL');
	for (const t of all) {
		if (t.group && t.proc.pid) {
			try {
				process.kill(-t.proc.pid, 'SIGKILL');
			} catch {
				// Group already empty.
			}
		}
	}
}

/** The result of a shell command run through runCommand. */
export interface CommandResult {
	exitCode: number | undefined;
	signal: string | undefined;
	/** stdout and stderr interleaved, redacted, at most the last 64 KiB. */
	output: string;
	timedOut: boolean;
	canceled: boolean;
}

/**
 * Run a shell command line (a backup hook) as a tracked child in its own process group, under a
 * parent-death signal. Cancel or timeout stops the whole group; output is kept redacted.
 */
export async function runCommand(commandLine: string, options: {env?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number; secrets?: readonly string[]; kind?: ChildKind} = {}): Promise<CommandResult> {
	if (options.signal?.aborted) return {exitCode: undefined, signal: undefined, output: '', timedOut: false, canceled: true};
	const prefix = deathSignalPrefix('TERM');
	const [command, ...args] = [...prefix, 'sh', '-c', commandLine];
	await loadSpawner();
	const proc = spawnTracked(command!, args, {kind: options.kind ?? 'hook', group: true, env: {...process.env, ...options.env}, extendEnv: false, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false});
	let output = '';
	const keep = (chunk: Buffer) => {
		output += chunk.toString();
		if (output.length > 128 * 1024) output = output.slice(-64 * 1024);
	};
	proc.stdout?.on('data', keep);
	proc.stderr?.on('data', keep);
	let timedOut = false;
	let canceled = false;
	const stop = () => void stopGroup(proc);
	const onAbort = () => {
		canceled = true;
		stop();
	};
	options.signal?.addEventListener('abort', onAbort, {once: true});
	const timer = options.timeoutMs
		? setTimeout(() => {
				timedOut = true;
				stop();
			}, options.timeoutMs)
		: undefined;
	try {
		const r = await proc;
		return {exitCode: r.exitCode, signal: r.signal ?? undefined, output: redact(output, options.secrets ?? []), timedOut, canceled};
	} finally {
		if (timer) clearTimeout(timer);
		options.signal?.removeEventListener('abort', onAbort);
	}
}

/**
 * How much I/O a process has done (bytes read + written through syscalls, sockets included), from
 * /proc/<pid>/io; undefined where that is not readable. A restic that waits on a silent server does none.
 */
export function ioCounter(pid: number | undefined): number | undefined {
	if (!pid) return undefined;
	try {
		const text = readFileSync(`/proc/${pid}/io`, 'utf8');
		const rchar = /^rchar:\s*(\d+)/m.exec(text);
		const wchar = /^wchar:\s*(\d+)/m.exec(text);
		if (!rchar || !wchar) return undefined;
		return Number(rchar[1]) + Number(wchar[1]);
	} catch {
		return undefined;
	}
}
