/**
 * Offsite copies: mirror a repository directory with `rclone sync`, or `restic copy` its snapshots into a
 * second repository. Both check before writing that the target is the repository they think it is (a
 * mirror has the source's id; a restic copy keeps the id it had the first time) and after the copy that
 * it still is. Progress is reported as it comes (rclone's JSON stats, restic's per-snapshot lines);
 * cancelling stops rclone/restic with SIGINT and waits for them.
 */
import {existsSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import type {CopyConfig} from '../config/ops-schema.js';
import type {Repository} from '../config/config.js';
import {readPrivateJson, writePrivateJson} from './state-file.js';
import {ResticError} from '../restic/errors.js';
import {runRestic, secretsOf, type RepoAccess} from '../restic/run.js';
import {parseCatConfig, parseSnapshots, type Snapshot} from '../restic/parse.js';
import {redact} from '../restic/errors.js';

/** Live progress of a copy. */
export interface CopyProgress {
	phase: 'checking' | 'copying' | 'verifying';
	/** rclone: bytes; restic: snapshots. */
	done: number;
	total: number;
	unit: 'bytes' | 'snapshots';
	/** The latest line worth showing ("snapshot 1a2b3c4d of [/home] …"). */
	message?: string;
}

/** Why a copy failed, for messages and tests. */
export type CopyFailure = 'id-mismatch' | 'target-full' | 'target-gone' | 'target-unwritable' | 'not-a-repository' | 'unsupported' | 'canceled' | 'failed';

export class CopyError extends Error {
	readonly kind: CopyFailure;
	constructor(kind: CopyFailure, message: string) {
		super(message);
		this.name = 'CopyError';
		this.kind = kind;
	}
}

export interface CopyOutcome {
	copy: string;
	type: CopyConfig['type'];
	sourceId: string;
	targetId: string;
	/** Snapshots in the copy afterwards, newest first. */
	snapshots: Snapshot[];
	/** rclone: bytes transferred; restic: snapshots copied. */
	transferred: number;
	seconds: number;
}

/** The restic access of a copy (mirror: the source's password at the mirror's location). */
export function copyAccess(source: Repository, copy: CopyConfig): RepoAccess {
	const repository = copy.type === 'rclone' ? mirrorRepository(copy.target) : copy.target;
	if (copy.type === 'rclone' || (!copy.passwordFile && !copy.passwordCommand))
		return {
			...source.access,
			repository,
			env: {...source.access.env, ...copy.env},
		};
	const access: RepoAccess = {repository, env: copy.env};
	if (copy.passwordFile) access.passwordFile = copy.passwordFile;
	if (copy.passwordCommand) access.passwordCommand = copy.passwordCommand;
	return access;
}

/** An rclone target as a restic repository string: a local directory as is, remote:path as rclone:remote:path. */
export function mirrorRepository(target: string): string {
	return isRcloneRemote(target) ? `rclone:${target}` : target;
}

function isRcloneRemote(target: string): boolean {
	return /^[A-Za-z0-9_.-]+:/.test(target) && !target.startsWith('/');
}

/** The rclone source path of a repository (a local directory, or rclone:remote:path). */
export function rcloneSourceOf(repository: string): string | undefined {
	if (repository.startsWith('rclone:')) return repository.slice('rclone:'.length);
	if (/^(rest|sftp|s3|b2|azure|gs|swift):/.test(repository)) return undefined;
	return path.resolve(repository);
}

/** Classify an rclone/restic failure text. */
export function classifyCopyFailure(text: string): CopyFailure {
	if (/no space left on device|file too big for remaining disk space|quota exceeded|disk quota|ENOSPC/i.test(text)) return 'target-full';
	if (/read-only file system|EROFS|permission denied|EACCES|operation not permitted/i.test(text)) return 'target-unwritable';
	if (/directory not found|no such file or directory|not a directory|ENOTDIR|not mounted|stale file handle|ENOENT|Is a directory|connection refused|stopped responding|unreachable/i.test(text)) return 'target-gone';
	return 'failed';
}

/** What a failure kind means, for the message. */
function failureText(kind: CopyFailure, otherwise: string): string {
	if (kind === 'target-full') return 'the copy target is full (no space left)';
	if (kind === 'target-gone') return 'the copy target went away during the copy';
	if (kind === 'target-unwritable') return 'the copy target cannot be written (read-only or permission denied)';
	return otherwise;
}

/** rclone's JSON stats line → progress, or undefined. */
export function parseRcloneStats(line: string): {bytes: number; totalBytes: number; errors: number} | undefined {
	if (!line.startsWith('{')) return undefined;
	try {
		const o = JSON.parse(line) as {
			stats?: {bytes?: number; totalBytes?: number; errors?: number};
		};
		if (!o.stats) return undefined;
		return {
			bytes: o.stats.bytes ?? 0,
			totalBytes: o.stats.totalBytes ?? 0,
			errors: o.stats.errors ?? 0,
		};
	} catch {
		return undefined;
	}
}

/** An rclone JSON log line's level and message. */
function rcloneLog(line: string): {level: string; msg: string} | undefined {
	try {
		const o = JSON.parse(line) as {
			level?: string;
			msg?: string;
			object?: string;
		};
		return {
			level: o.level ?? '',
			msg: `${o.object ? `${o.object}: ` : ''}${o.msg ?? ''}`.trim(),
		};
	} catch {
		return line.trim() ? {level: 'error', msg: line.trim()} : undefined;
	}
}

async function repoIdAt(access: RepoAccess, signal?: AbortSignal): Promise<string> {
	const r = await runRestic(access, ['cat', 'config', '--no-lock'], {
		collectStdout: true,
		signal,
		stallTimeoutMs: 30_000,
	});
	return parseCatConfig(r.stdout).id;
}

async function snapshotsAt(access: RepoAccess, signal?: AbortSignal): Promise<Snapshot[]> {
	const r = await runRestic(access, ['snapshots', '--json', '--no-lock'], {
		collectStdout: true,
		signal,
		stallTimeoutMs: 30_000,
	});
	return parseSnapshots(r.stdout).sort((a, b) => b.time - a.time);
}

function copiesStateFile(): string {
	return 'copies.json';
}

/** The id a restic-copy target had at its first copy (source id + copy name → target id). */
export function rememberedCopyId(sourceId: string, copyName: string): string | undefined {
	return readPrivateJson<Record<string, string>>(copiesStateFile(), {})[`${sourceId}/${copyName}`];
}

function rememberCopyId(sourceId: string, copyName: string, targetId: string): void {
	const all = readPrivateJson<Record<string, string>>(copiesStateFile(), {});
	all[`${sourceId}/${copyName}`] = targetId;
	writePrivateJson(copiesStateFile(), all);
}

function mismatch(copy: CopyConfig, found: string, expected: string, why: string): CopyError {
	return new CopyError('id-mismatch', `copy "${copy.name}": the repository at the target has id ${found.slice(0, 12)}…, not ${expected.slice(0, 12)}… (${why}); nothing was copied. Point the copy at the right place, or remove what is there.`);
}

/** Run one copy of `source` to `copy`. */
export async function runCopy(
	source: Repository,
	copy: CopyConfig,
	options: {
		signal?: AbortSignal;
		onProgress?: (p: CopyProgress) => void;
		stallTimeoutMs?: number;
	} = {},
): Promise<CopyOutcome> {
	const started = Date.now();
	const {signal, onProgress} = options;
	onProgress?.({
		phase: 'checking',
		done: 0,
		total: 0,
		unit: copy.type === 'rclone' ? 'bytes' : 'snapshots',
	});
	const sourceId = await repoIdAt(source.access, signal).catch(error => {
		throw asCopyError(copy, error);
	});
	const target = copyAccess(source, copy);
	const secrets = [...secretsOf(source.access), ...secretsOf(target)];
	let transferred = 0;
	if (copy.type === 'rclone') {
		const from = rcloneSourceOf(source.access.repository);
		if (!from) throw new CopyError('unsupported', `copy "${copy.name}": rclone can mirror a local or rclone: repository, not ${redact(source.access.repository, secrets)}; use type: restic`);
		await preflightMirror(copy, target, sourceId, signal);
		transferred = await rcloneSync(from, copy.target, {
			signal,
			onProgress,
			secrets,
		}).catch((error: unknown) => {
			// Name the copy: a set may have several, and the log line must say which one failed.
			if (error instanceof CopyError && error.kind !== 'canceled') throw new CopyError(error.kind, `copy "${copy.name}": ${error.message}`);
			throw error;
		});
		onProgress?.({
			phase: 'verifying',
			done: transferred,
			total: transferred,
			unit: 'bytes',
		});
		const after = await repoIdAt(target, signal).catch(error => {
			throw new CopyError(classifyCopyFailure(String((error as Error).message)), `copy "${copy.name}": the mirror cannot be read after the sync: ${(error as Error).message}`);
		});
		if (after !== sourceId) throw mismatch(copy, after, sourceId, 'after the sync');
		const snapshots = await snapshotsAt(target, signal);
		return {
			copy: copy.name,
			type: copy.type,
			sourceId,
			targetId: after,
			snapshots,
			transferred,
			seconds: (Date.now() - started) / 1000,
		};
	}
	// restic copy: the target is its own repository with its own id.
	const expected = copy.repositoryId ?? rememberedCopyId(sourceId, copy.name);
	let targetId: string | undefined;
	try {
		targetId = await repoIdAt(target, signal);
	} catch (error) {
		if (!(error instanceof ResticError) || error.kind !== 'no-repo' || expected) {
			if (error instanceof ResticError && error.kind === 'wrong-password') throw new CopyError('id-mismatch', `copy "${copy.name}": the copy's password does not open the repository at the target, so it is not the copy configured; nothing was copied`);
			if (error instanceof ResticError && error.kind === 'no-repo') throw new CopyError('target-gone', `copy "${copy.name}": no repository at the target any more (it had id ${expected!.slice(0, 12)}…); nothing was copied`);
			throw error;
		}
	}
	if (targetId && expected && targetId !== expected) throw mismatch(copy, targetId, expected, copy.repositoryId ? 'the id configured as repositoryId' : 'the id it had at the first copy');
	if (targetId === sourceId) throw new CopyError('id-mismatch', `copy "${copy.name}": the target is the source repository itself`);
	const fromEnv = fromRepoEnv(source.access);
	if (!targetId) {
		// A new copy: same chunker parameters as the source, so deduplication survives the copy.
		await runRestic(target, ['init', '--copy-chunker-params'], {
			env: fromEnv,
			signal,
		});
		targetId = await repoIdAt(target, signal);
	}
	const total = (await snapshotsAt(source.access, signal)).length;
	let done = 0;
	try {
		await runRestic(target, ['copy'], {
			env: fromEnv,
			// restic copy also holds a lock in the source: a copy stopped for a dead target must not leave it there.
			alsoLocks: source.access,
			signal,
			stallTimeoutMs: options.stallTimeoutMs,
			onLine: line => {
				const m = /^(?:snapshot [0-9a-f]{8} of|skipping snapshot [0-9a-f]{8})/.exec(line);
				if (m) {
					done++;
					if (line.startsWith('snapshot')) transferred++;
					onProgress?.({
						phase: 'copying',
						done,
						total,
						unit: 'snapshots',
						message: redact(line.trim(), secrets),
					});
				}
			},
		});
	} catch (error) {
		throw asCopyError(copy, error);
	}
	rememberCopyId(sourceId, copy.name, targetId);
	onProgress?.({phase: 'verifying', done, total, unit: 'snapshots'});
	const snapshots = await snapshotsAt(target, signal);
	return {
		copy: copy.name,
		type: copy.type,
		sourceId,
		targetId,
		snapshots,
		transferred,
		seconds: (Date.now() - started) / 1000,
	};
}

function asCopyError(copy: CopyConfig, error: unknown): Error {
	if (error instanceof CopyError) return error;
	if (error instanceof ResticError && error.kind === 'canceled') return new CopyError('canceled', `copy "${copy.name}" canceled; what was copied stays (a later copy continues)`);
	const text = error instanceof ResticError ? `${error.message}\n${error.stderr ?? ''}` : String((error as Error).message);
	const kind = error instanceof ResticError && error.kind === 'unreachable' ? 'target-gone' : classifyCopyFailure(text);
	const what = failureText(kind, 'the copy failed');
	return new CopyError(kind, `copy "${copy.name}": ${what}: ${(error as Error).message.split('\n')[0]}`);
}

/** RESTIC_FROM_* for `restic copy` / `init --copy-chunker-params` from the source. */
function fromRepoEnv(source: RepoAccess): Record<string, string> {
	const env: Record<string, string> = {
		RESTIC_FROM_REPOSITORY: source.repository,
	};
	if (source.passwordFile) env.RESTIC_FROM_PASSWORD_FILE = source.passwordFile;
	else if (source.passwordCommand) env.RESTIC_FROM_PASSWORD_COMMAND = source.passwordCommand;
	else if (source.password !== undefined) env.RESTIC_FROM_PASSWORD = source.password;
	return {...source.env, ...env};
}

/** Before a mirror overwrites anything: the target is empty, missing, or this very repository. */
async function preflightMirror(copy: CopyConfig, target: RepoAccess, sourceId: string, signal?: AbortSignal): Promise<void> {
	if (!isRcloneRemote(copy.target)) {
		if (!existsSync(copy.target)) return;
		const entries = readdirSync(copy.target);
		if (entries.length === 0) return;
		if (!entries.includes('config')) throw new CopyError('not-a-repository', `copy "${copy.name}": ${copy.target} holds files but no restic repository; rclone sync would delete them, so nothing was copied`);
	}
	let found: string;
	try {
		found = await repoIdAt(target, signal);
	} catch (error) {
		if (error instanceof ResticError && error.kind === 'no-repo') return;
		if (error instanceof ResticError && error.kind === 'wrong-password') throw new CopyError('id-mismatch', `copy "${copy.name}": the target holds a different repository (the source's password does not open it); rclone sync would overwrite it, so nothing was copied`);
		throw error;
	}
	if (found !== sourceId) throw mismatch(copy, found, sourceId, "a mirror must have the source repository's id");
}

async function rcloneSync(
	from: string,
	to: string,
	options: {
		signal?: AbortSignal;
		onProgress?: (p: CopyProgress) => void;
		secrets: string[];
	},
): Promise<number> {
	const sub = execa('rclone', ['sync', '--stats=1s', '--stats-log-level=NOTICE', '--use-json-log', '-v', '--retries=1', '--low-level-retries=2', '--', from, to], {
		reject: false,
		stdin: 'ignore',
		stdout: 'ignore',
		stderr: 'pipe',
		buffer: false,
		cancelSignal: options.signal,
		killSignal: 'SIGINT',
		forceKillAfterDelay: 10_000,
		cleanup: true,
	});
	let bytes = 0;
	const errors: string[] = [];
	let rest = '';
	// rclone's last stats line (the whole transfer) may come in the last chunk: read stderr to its end, not
	// only to the exit, so the final progress is never lost.
	const stderrDone = new Promise<void>(resolve => {
		if (!sub.stderr) resolve();
		else sub.stderr.once('close', () => resolve());
	});
	const onText = (text: string, flush = false) => {
		rest += text;
		if (flush && rest && !rest.endsWith('\n')) rest += '\n';
		let nl: number;
		while ((nl = rest.indexOf('\n')) >= 0) {
			const line = rest.slice(0, nl);
			rest = rest.slice(nl + 1);
			const stats = parseRcloneStats(line);
			if (stats) {
				bytes = stats.bytes;
				options.onProgress?.({
					phase: 'copying',
					done: stats.bytes,
					total: stats.totalBytes,
					unit: 'bytes',
				});
				continue;
			}
			const log = rcloneLog(line);
			if (log && log.level === 'error' && errors.length < 20) errors.push(redact(log.msg, options.secrets));
		}
	};
	sub.stderr?.on('data', (chunk: Buffer) => onText(chunk.toString()));
	const result = await sub;
	await stderrDone;
	onText('', true);
	if (result.isCanceled || options.signal?.aborted) throw new CopyError('canceled', 'copy canceled; the mirror is incomplete until the next copy finishes');
	if (result.failed && result.exitCode === undefined) throw new CopyError('failed', `could not start rclone: ${(result.cause as Error | undefined)?.message ?? result.shortMessage}`);
	if (result.exitCode !== 0) {
		const text = errors.join('\n') || `rclone exited with ${result.exitCode}`;
		const kind = classifyCopyFailure(text);
		const what = failureText(kind, 'rclone sync failed');
		throw new CopyError(kind, `${what}: ${errors.at(-1) ?? text}`);
	}
	return bytes;
}
