/**
 * Backup sets: resolve a configured set (or ad-hoc paths) into restic options, check everything that
 * can be checked before restic starts (paths, exclude patterns), run hooks, and hold a
 * per-repository lock file so only one backup per repository runs, even across resto processes.
 */
import {execa} from 'execa';
import {closeSync, existsSync, openSync, readFileSync, rmSync, writeSync} from 'node:fs';
import {createHash} from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type {BackupSetConfig, Config, Repository} from '../config/config.js';
import {ensurePrivateDir, restoPaths} from '../config/paths.js';
import type {BackupOptions} from '../restic/argv.js';

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

/** Why a restic (Go filepath.Match) pattern is invalid, or undefined when it is fine. */
export function patternProblem(pattern: string): string | undefined {
	let inClass = false;
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i];
		if (c === '\\') {
			if (i === pattern.length - 1) return 'ends with a lone backslash';
			i++;
		} else if (c === '[' && !inClass) {
			inClass = true;
			if (pattern[i + 1] === ']') return 'empty character class "[]"';
		} else if (c === ']' && inClass) inClass = false;
	}
	return inClass ? 'unclosed "[" character class' : undefined;
}

/** Build a plan from a configured set. */
export function planFromSet(config: Config, set: BackupSetConfig, overrides: {dryRun?: boolean} = {}): BackupPlan {
	const repo = config.repositories.find(r => r.name === set.repository);
	if (!repo) throw new BackupPreflightError(`backup set "${set.name}": no repository named "${set.repository}"`, 1);
	return plan(set.name, repo, {
		paths: set.paths.map(p => path.resolve(p)),
		exclude: set.exclude,
		excludeCaches: set.excludeCaches,
		excludeIfPresent: set.excludeIfPresent,
		tags: set.tags,
		host: set.host,
		dryRun: overrides.dryRun,
	}, set.lowPriority ?? false, set.hooks ?? {});
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
	const missing = options.paths.filter(p => !existsSync(p));
	if (missing.length === options.paths.length) {
		throw new BackupPreflightError(`backup "${name}": none of its paths exist: ${missing.join(', ')}`, 1);
	}
	return {name, repo, options: {...options, paths: options.paths.filter(p => existsSync(p))}, lowPriority, hooks, missing};
}

/** Run a hook with sh; a failing pre-hook means no backup. */
export async function runHook(kind: 'pre' | 'post', command: string, env: Record<string, string>, signal?: AbortSignal): Promise<void> {
	const r = await execa('sh', ['-c', command], {env: {...process.env, ...env}, reject: false, stdin: 'ignore', cancelSignal: signal, all: true});
	if (r.exitCode !== 0) {
		const output = String(r.all ?? '').trim().split('\n').slice(-3).join(' / ');
		throw new BackupPreflightError(`${kind}-backup hook failed (exit ${r.exitCode ?? r.signal}): ${command}${output ? ` — ${output}` : ''}`, 1);
	}
}

/** A held per-repository backup lock; release() removes it. */
export interface BackupLock {
	file: string;
	release: () => void;
}

function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Take the per-repository lock, or throw if another resto on this machine is backing it up. */
export function acquireBackupLock(repository: string, dir = path.join(restoPaths().state, 'locks')): BackupLock {
	ensurePrivateDir(dir);
	const file = path.join(dir, `backup-${createHash('sha256').update(repository).digest('hex').slice(0, 16)}.lock`);
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const fd = openSync(file, 'wx', 0o600);
			writeSync(fd, JSON.stringify({pid: process.pid, host: os.hostname(), started: new Date().toISOString()}));
			closeSync(fd);
			return {file, release: () => rmSync(file, {force: true})};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			let holder: {pid?: number; started?: string} = {};
			try {
				holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
			} catch {
				// unreadable: treat as stale
			}
			if (holder.pid && pidAlive(holder.pid)) {
				throw new BackupPreflightError(`another resto (PID ${holder.pid}, started ${holder.started ?? '?'}) is already backing up this repository; wait for it or cancel it`, 11);
			}
			rmSync(file, {force: true});
		}
	}
	throw new BackupPreflightError('could not take the backup lock', 1);
}
