/**
 * Backup sets: resolve a configured set (or ad-hoc paths) into restic options, check everything that
 * can be checked before restic starts (paths, exclude patterns), run hooks, and hold a
 * per-repository lock file so only one backup per repository runs, even across resto processes.
 */
import {closeSync, lstatSync, openSync, readFileSync, rmSync, statSync, writeSync} from 'node:fs';
import {createHash} from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type {BackupSetConfig, Config, Repository} from '../config/config.js';
import {ensurePrivateDir, restoPaths} from '../config/paths.js';
import type {BackupOptions} from '../restic/argv.js';
import {redactLocation} from '../util/redact.js';
import {runCommand} from '../restic/process.js';

/** A backup ready to run. */
export interface BackupPlan {
	name: string;
	repo: Repository;
	options: BackupOptions;
	lowPriority: boolean;
	hooks: {pre?: string; post?: string};
	/** Paths that do not exist (restic 0.14 skips them silently with exit 0). */
	missing: string[];
}

/** A problem found before anything starts. */
export class BackupPreflightError extends Error {
	constructor(
		message: string,
		readonly exitCode: number,
	) {
		super(message);
		this.name = 'BackupPreflightError';
	}
}

/**
 * Why a restic exclude pattern is invalid, or undefined when it is fine. restic 0.14 splits a pattern at
 * "/" and validates each part with Go's filepath.Match; this is a port of that validation, so a bad
 * pattern is rejected before a pre-hook runs instead of by restic afterwards
 * ("Fatal: --exclude: invalid pattern(s) provided").
 */
export function patternProblem(pattern: string): string | undefined {
	for (const part of pattern.split('/')) {
		const problem = matchPartProblem(part);
		if (problem) return problem;
	}
	return undefined;
}

function matchPartProblem(p: string): string | undefined {
	let i = 0;
	// Go's getEsc: one (possibly escaped) character of a class, which must not end the pattern.
	const classChar = (): string | undefined => {
		if (i >= p.length) return 'unclosed "[" character class';
		if (p[i] === '-' || p[i] === ']') return `unexpected "${p[i]}" in a character class (escape it as "\\${p[i]}")`;
		if (p[i] === '\\') {
			i++;
			if (i >= p.length) return 'ends with a lone backslash';
		}
		i += p.codePointAt(i)! > 0xffff ? 2 : 1;
		return i >= p.length ? 'unclosed "[" character class' : undefined;
	};
	while (i < p.length) {
		const c = p[i];
		if (c === '\\') {
			if (i === p.length - 1) return 'ends with a lone backslash';
			i += 2;
		} else if (c === '[') {
			i++;
			if (p[i] === '^') i++;
			let ranges = 0;
			for (;;) {
				if (p[i] === ']' && ranges > 0) {
					i++;
					break;
				}
				if (p[i] === ']' && ranges === 0) return 'empty character class "[]"';
				const lo = classChar();
				if (lo) return lo;
				if (p[i] === '-') {
					i++;
					const hi = classChar();
					if (hi) return hi;
				}
				ranges++;
			}
		} else i++;
	}
	return undefined;
}

/** Build a plan from a configured set. */
export function planFromSet(config: Config, set: BackupSetConfig, overrides: {dryRun?: boolean} = {}): BackupPlan {
	const repo = config.repositories.find(r => r.name === set.repository);
	if (!repo) throw new BackupPreflightError(`backup set "${set.name}": no repository named "${set.repository}"`, 1);
	return plan(
		set.name,
		repo,
		{
			paths: set.paths.map(p => path.resolve(p)),
			exclude: set.exclude,
			excludeCaches: set.excludeCaches,
			excludeIfPresent: set.excludeIfPresent,
			tags: set.tags,
			host: set.host,
			dryRun: overrides.dryRun,
		},
		set.lowPriority ?? false,
		set.hooks ?? {},
	);
}

/** Build a plan for ad-hoc paths. */
export function planFromPaths(repo: Repository, paths: readonly string[], options: {dryRun?: boolean; lowPriority?: boolean; tags?: string[]} = {}): BackupPlan {
	return plan('ad-hoc', repo, {paths: paths.map(p => path.resolve(p)), dryRun: options.dryRun, tags: options.tags}, options.lowPriority ?? false, {});
}

function plan(name: string, repo: Repository, options: BackupOptions, lowPriority: boolean, hooks: {pre?: string; post?: string}): BackupPlan {
	if (options.paths.length === 0) throw new BackupPreflightError(`backup "${name}" has no paths`, 2);
	for (const pattern of [...(options.exclude ?? [])]) {
		const problem = patternProblem(pattern);
		if (problem) throw new BackupPreflightError(`backup "${name}": invalid exclude pattern ${JSON.stringify(pattern)}: ${problem}`, 2);
	}
	// lstat: a symlink given as a path is backed up as a symlink even when its target is gone.
	const exists = (p: string) => lstatSync(p, {throwIfNoEntry: false}) !== undefined;
	const missing = options.paths.filter(p => !exists(p));
	if (missing.length === options.paths.length) {
		throw new BackupPreflightError(`backup "${name}": none of its paths exist: ${missing.join(', ')}`, 1);
	}
	return {name, repo, options: {...options, paths: options.paths.filter(exists)}, lowPriority, hooks, missing};
}

/** Run a hook with sh; a failing pre-hook means no backup. Output goes into the error, never to the terminal. */
export async function runHook(kind: 'pre' | 'post', command: string, env: Record<string, string>, options: {signal?: AbortSignal; timeoutMs?: number; secrets?: readonly string[]} = {}): Promise<void> {
	// Through the one process runner: tracked (stopped with resto), in its own process group (a hook's
	// children stop with it), output redacted.
	const r = await runCommand(command, {env, signal: options.signal, timeoutMs: options.timeoutMs, secrets: options.secrets});
	if (r.exitCode !== 0) {
		const output = r.output.trim().split('\n').slice(-3).join(' / ');
		const why = r.timedOut ? `timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)} s` : r.canceled ? 'canceled' : `exit ${r.exitCode ?? r.signal}`;
		throw new BackupPreflightError(`${kind}-backup hook failed (${why}): ${command}${output ? ` — ${output}` : ''}`, 1);
	}
}

/** A held per-repository backup lock; release() removes it. */
export interface BackupLock {
	file: string;
	release: () => void;
}

/** The kernel's start time of a process (clock ticks since boot), to tell a reused PID from the holder. */
function processStart(pid: number): string | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Field 22; the command name (field 2) may contain spaces and parentheses, so count from its end.
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
	} catch {
		return undefined;
	}
}

function holderAlive(pid: number, start: string | undefined): boolean {
	try {
		process.kill(pid, 0);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
	}
	const now = processStart(pid);
	return start === undefined || now === undefined || now === start;
}

/**
 * Take the per-repository lock, or throw (exit code 11) if another resto on this machine is backing up
 * the same repository. restic's own locks do not prevent two backups (both take shared locks), and two
 * at once only compete for the disk and the network. A lock whose holder died is taken over.
 */
export function acquireBackupLock(repository: string, dir = path.join(restoPaths().state, 'locks')): BackupLock {
	ensurePrivateDir(dir);
	const file = path.join(dir, `backup-${createHash('sha256').update(repository).digest('hex').slice(0, 16)}.lock`);
	for (let attempt = 0; attempt < 3; attempt++) {
		try {
			const fd = openSync(file, 'wx', 0o600);
			const mine = JSON.stringify({pid: process.pid, start: processStart(process.pid), host: os.hostname(), started: new Date().toISOString(), repository: redactLocation(repository)});
			writeSync(fd, mine);
			closeSync(fd);
			// Released only while it is still ours: another resto may have taken over a lock it judged stale.
			const release = () => {
				try {
					if (readFileSync(file, 'utf8') === mine) rmSync(file, {force: true});
				} catch {
					// Already gone.
				}
			};
			return {file, release};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			let text = '';
			let holder: {pid?: number; start?: string; started?: string} = {};
			try {
				text = readFileSync(file, 'utf8');
				holder = JSON.parse(text) as typeof holder;
			} catch {
				// Unreadable or half-written: a holder that died mid-write, or one writing right now; the
				// next attempt tells them apart.
			}
			const young = !holder.pid && Date.now() - (statSync(file, {throwIfNoEntry: false})?.mtimeMs ?? 0) < 5000;
			if (young || (holder.pid && holderAlive(holder.pid, holder.start))) {
				const who = holder.pid ? `PID ${holder.pid}, started ${holder.started ?? '?'}` : 'starting right now';
				throw new BackupPreflightError(`another resto (${who}) is already backing up this repository; wait for it or cancel it`, 11);
			}
			// Remove the stale file only if it is still the one we judged: another resto may have
			// replaced it in the meantime.
			try {
				if (readFileSync(file, 'utf8') === text) rmSync(file, {force: true});
			} catch {
				// Already gone.
			}
		}
	}
	throw new BackupPreflightError('could not take the backup lock (another resto keeps taking it)', 11);
}
