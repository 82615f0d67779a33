/**
 * ResticClient: the typed operations resto needs, built from argv builders, the runner and parsers.
 * Screens and tasks take a ResticClient so tests can inject a different one.
 */
import {rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as argv from './argv.js';
import {ensurePrivateDir, restoPaths} from '../config/paths.js';
import {makeScratchDir} from '../util/scratch.js';
import {classifyFailure, ResticError} from './errors.js';
import {
	parseBackupLine,
	parseCatConfig,
	parseCheckJsonLine,
	parseCheckOutput,
	versionAtLeast,
	type CheckJsonLine,
	parseFind,
	parseLsLine,
	parseRestoreLine,
	parseSnapshots,
	parseStats,
	parseVersion,
	type BackupErrorEvent,
	type BackupEvent,
	type BackupSummary,
	type FindResult,
	type LsNode,
	type RestoreEvent,
	type ResticVersion,
	type Snapshot,
	type Stats,
	type LockFile,
	parseLockFile,
} from './parse.js';
import {damageAdvice, parseDamage, type PackDamage} from './damage.js';
import {damagedMessage, isLocalLocation, redact} from './errors.js';
import {escapeForTerminal} from '../util/escape.js';
import {rememberVersion} from './damage.js';
import {resticBin, runRestic, secretsOf, stallLimitMs, type RepoAccess, type RunOptions, type RunResult} from './run.js';
import {diffArgv, parseDiffLine, type DiffChange, type DiffStatistics} from './diff.js';

export interface BackupRunResult {
	exitCode: number;
	summary?: BackupSummary;
	errors: BackupErrorEvent[];
	/** Plain-text stderr lines such as "/x does not exist, skipping". */
	warnings: string[];
}

export interface CheckResult {
	ok: boolean;
	errors: string[];
	summary: string;
	output: string;
	/** Damaged packs restic named (empty when none), with what to do in `advice`. */
	damage?: PackDamage[];
	advice?: string;
}

/** Everything resto asks of restic for one repository. */
export interface ResticClient {
	readonly access: RepoAccess;
	version(signal?: AbortSignal): Promise<ResticVersion>;
	repoId(signal?: AbortSignal): Promise<string>;
	snapshots(filter?: argv.SnapshotFilter & {latest?: number}, signal?: AbortSignal): Promise<Snapshot[]>;
	/** Stream `ls`; returns the snapshot header. Throws invalid-id for an unknown snapshot. */
	ls(snapshotId: string, options: {dir?: string; recursive?: boolean}, onNode: (node: LsNode) => void, signal?: AbortSignal): Promise<Snapshot>;
	find(patterns: readonly string[], options?: argv.SnapshotFilter & {ignoreCase?: boolean; snapshots?: readonly string[]}, signal?: AbortSignal): Promise<FindResult[]>;
	/** Bytes of a file (or tar of a directory); stops restic after `maxBytes` when given. */
	/** `discard`: only stream to onChunk (hashing a large file), keep nothing in memory. */
	dump(snapshotId: string, path: string, options?: {maxBytes?: number; onChunk?: (chunk: Buffer) => void; discard?: boolean}, signal?: AbortSignal): Promise<Buffer>;
	restore(snapshotId: string, options: argv.RestoreOptions, onEvent?: (event: RestoreEvent) => void, signal?: AbortSignal): Promise<void>;
	backup(options: argv.BackupOptions, hooks?: {onEvent?: (event: BackupEvent) => void; lowPriority?: boolean; signal?: AbortSignal; stallTimeoutMs?: number}): Promise<BackupRunResult>;
	check(options?: {readDataSubset?: string}, onLine?: (line: string) => void, signal?: AbortSignal): Promise<CheckResult>;
	stats(options?: Parameters<typeof argv.statsArgv>[0], signal?: AbortSignal): Promise<Stats>;
	listLocks(signal?: AbortSignal): Promise<string[]>;
	/** Details of every lock (holder, age, exclusive). */
	locks(signal?: AbortSignal): Promise<LockFile[]>;
	unlock(options?: {removeAll?: boolean}, signal?: AbortSignal): Promise<void>;
	init(signal?: AbortSignal): Promise<void>;
	forget(snapshotIds: readonly string[], signal?: AbortSignal): Promise<void>;
	/** Stream `restic diff --json --metadata A B`; returns the statistics line. */
	diff(a: string, b: string, onChange: (change: DiffChange) => void, signal?: AbortSignal): Promise<DiffStatistics | undefined>;
}

const versionCache = new Map<string, Promise<ResticVersion>>();

/** The error for a RESTIC_BIN (or `restic` on PATH) that is some other program. */
function notResticError(bin: string, said: string): ResticError {
	const shown = escapeForTerminal(said.trim().split('\n')[0]?.slice(0, 80) ?? '');
	const name = process.env.RESTIC_BIN ? `RESTIC_BIN (${bin})` : `"${bin}" on PATH`;
	return new ResticError('not-installed', `${name} is not restic: \`${bin} version\` printed ${shown ? `"${shown}"` : 'nothing'}. Point RESTIC_BIN at the restic binary, or install restic (sudo apt-get install restic).`);
}

/** Detect the restic version once per process (per binary); a binary that is not restic says so. */
export function detectVersion(access: RepoAccess = {repository: ''}, signal?: AbortSignal): Promise<ResticVersion> {
	const bin = resticBin();
	let cached = versionCache.get(bin);
	if (!cached) {
		cached = runRestic(access, argv.versionArgv(), {collectStdout: true, signal}).then(
			r => {
				const v = parseVersion(r.stdout);
				if (!v) throw notResticError(bin, r.stdout);
				rememberVersion(v);
				return v;
			},
			(error: unknown) => {
				if (error instanceof ResticError && (error.kind === 'not-installed' || error.kind === 'canceled')) throw error;
				throw notResticError(bin, error instanceof ResticError ? error.stderr : String(error));
			},
		);
		versionCache.set(bin, cached);
		cached.catch(() => versionCache.delete(bin));
	}
	return cached;
}

/**
 * restic's output did not parse, or it failed in a way nothing explains: if the binary is not restic
 * at all, say that instead; otherwise say restic printed something resto cannot read.
 */
async function explainUnreadable(error: unknown, what: string, output: string, signal?: AbortSignal): Promise<never> {
	await detectVersion(undefined, signal);
	if (error instanceof ResticError) throw error;
	const shown = escapeForTerminal(output.trim().slice(0, 80));
	throw new ResticError('failed', `restic ${what} printed output resto cannot read${shown ? `: "${shown}${output.trim().length > 80 ? '…' : ''}"` : ' (nothing)'}`);
}

/** restic prints "Ignoring …" and exits 0 for unknown snapshot ids on 0.14. */
function ignoredIdError(stderr: string, access: RepoAccess): ResticError | undefined {
	if (!/Ignoring ".*": (no matching ID|multiple IDs)/.test(stderr)) return undefined;
	return classifyFailure({exitCode: 1, stderr, repository: access.repository, secrets: secretsOf(access)});
}

/** Where restic keeps its local cache for `access` (RESTIC_CACHE_DIR, else <XDG cache>/restic). */
export function resticCacheDir(access: RepoAccess, env: NodeJS.ProcessEnv = process.env): string {
	const explicit = access.env?.RESTIC_CACHE_DIR ?? env.RESTIC_CACHE_DIR;
	if (explicit) return explicit;
	const xdg = access.env?.XDG_CACHE_HOME ?? env.XDG_CACHE_HOME;
	return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'restic');
}

/**
 * restic 0.14 retries a failed write into its full cache directory for up to 15 minutes ("Load(<data/…>)
 * returned error, retrying after …: Copy: write <cache dir>/…: no space left on device"), so a full
 * ~/.cache makes every listing hang. Such a line means restic will not get anywhere with its cache.
 */
export function isCacheFullLine(line: string, cacheDir: string): boolean {
	return /no space left on device/.test(line) && line.includes(cacheDir);
}

/**
 * A private directory under resto's cache for one `restic check`'s temporary cache. restic removes its
 * restic-check-cache-* when it ends normally or on SIGINT, but not when it is killed, nor when SIGPIPE ends it
 * (a SIGKILLed resto: restic's "signal interrupt received" line hits the closed pipe). In TMPDIR those copies
 * of the repository's index would pile up; here resto removes its own after each check and those of dead
 * resto processes before the next. Undefined (restic's default place) when resto's cache cannot be created.
 */
function checkScratchDir(): string | undefined {
	try {
		return makeScratchDir(ensurePrivateDir(path.join(restoPaths().cache, 'restic-check')), 'check-');
	} catch {
		return undefined;
	}
}

/** The real client that runs the restic binary. */
export class ResticCli implements ResticClient {
	readonly access: RepoAccess;
	/** Set once restic's cache directory was found full: later runs go without the cache (--no-cache). */
	private noCache = false;

	constructor(access: RepoAccess) {
		this.access = access;
	}

	/**
	 * runRestic, but a full cache directory does not hang: restic is stopped at its first failed cache
	 * write and, if nothing was handed on yet (`restartable`, default: no output at all), run again with
	 * --no-cache (slower, nothing written there); otherwise the failure says what is wrong and how to fix it.
	 */
	private async run(args: readonly string[], options: RunOptions = {}, restartable?: () => boolean): Promise<RunResult> {
		if (this.noCache) return runRestic(this.access, ['--no-cache', ...args], options);
		const cacheDir = resticCacheDir(this.access);
		const stop = new AbortController();
		let cacheFull = false;
		let delivered = false;
		const attempt: RunOptions = {
			...options,
			signal: options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
			onLine: options.onLine
				? line => {
						delivered = true;
						options.onLine!(line);
					}
				: undefined,
			onChunk: options.onChunk
				? chunk => {
						delivered = true;
						options.onChunk!(chunk);
					}
				: undefined,
			onStderrLine: line => {
				if (!cacheFull && isCacheFullLine(line, cacheDir)) {
					cacheFull = true;
					stop.abort();
				}
				options.onStderrLine?.(line);
			},
		};
		try {
			return await runRestic(this.access, args, attempt);
		} catch (error) {
			// Damage advice names the repair commands this restic has.
			if (error instanceof ResticError && error.kind === 'damaged') {
				const version = await this.version(options.signal).catch(() => undefined);
				if (version) throw new ResticError('damaged', damagedMessage(redact(this.access.repository, secretsOf(this.access)), error.damage, version), {exitCode: error.exitCode, stderr: error.stderr, damage: error.damage});
			}
			// A failure nothing explains may be a RESTIC_BIN that is not restic at all.
			if (!cacheFull && error instanceof ResticError && error.kind === 'failed' && args[0] !== 'version') await explainUnreadable(error, args[0] ?? '', '', options.signal);
			if (!cacheFull || options.signal?.aborted) throw error;
			if (restartable ? !restartable() : delivered) {
				throw new ResticError('failed', `restic's cache directory ${cacheDir} is full (no space left on device). Free some space there, or point RESTIC_CACHE_DIR at a disk with room, and try again.`);
			}
			this.noCache = true;
			return runRestic(this.access, ['--no-cache', ...args], options);
		}
	}

	/** Parse restic's output; output that does not parse is explained (not restic, or unreadable), never a crash. */
	private async parsed<T>(what: string, output: string, parse: () => T, signal?: AbortSignal): Promise<T> {
		try {
			return parse();
		} catch (error) {
			if (!(error instanceof SyntaxError)) throw error;
			return explainUnreadable(error, what, output, signal);
		}
	}

	version(signal?: AbortSignal): Promise<ResticVersion> {
		return detectVersion(this.access, signal);
	}

	async repoId(signal?: AbortSignal): Promise<string> {
		const r = await this.run(argv.catConfigArgv(), {collectStdout: true, signal});
		return this.parsed('cat config', r.stdout, () => parseCatConfig(r.stdout).id, signal);
	}

	async snapshots(filter: argv.SnapshotFilter & {latest?: number} = {}, signal?: AbortSignal): Promise<Snapshot[]> {
		const r = await this.run(argv.snapshotsArgv(filter), {collectStdout: true, signal});
		return (await this.parsed('snapshots', r.stdout, () => parseSnapshots(r.stdout), signal)).sort((a, b) => b.time - a.time);
	}

	async ls(snapshotId: string, options: {dir?: string; recursive?: boolean}, onNode: (node: LsNode) => void, signal?: AbortSignal): Promise<Snapshot> {
		let header: Snapshot | undefined;
		// Nodes handed on, and nodes seen in this run of restic: a listing is deterministic, so a rerun
		// (without the cache, see run) skips the ones already handed on.
		let delivered = 0;
		let seen = 0;
		const r = await this.run(
			argv.lsArgv(snapshotId, options),
			{
				signal,
				onLine: line => {
					const parsed = parseLsLine(line);
					if (parsed.kind === 'node') {
						if (++seen <= delivered) return;
						delivered++;
						onNode(parsed.node);
					} else if (parsed.kind === 'snapshot') header ??= parsed.snapshot;
				},
			},
			() => {
				seen = 0;
				return true;
			},
		);
		if (!header) {
			throw ignoredIdError(r.stderr, this.access) ?? new ResticError('invalid-id', `no snapshot ${snapshotId} in this repository`);
		}
		return header;
	}

	async find(patterns: readonly string[], options: argv.SnapshotFilter & {ignoreCase?: boolean; snapshots?: readonly string[]} = {}, signal?: AbortSignal): Promise<FindResult[]> {
		const r = await this.run(argv.findArgv(patterns, options), {collectStdout: true, signal});
		const err = options.snapshots?.length ? ignoredIdError(r.stderr, this.access) : undefined;
		if (err) throw err;
		const results = await this.parsed('find', r.stdout, () => parseFind(r.stdout), signal);
		// restic 0.14 walks snapshots in storage order, 0.16 oldest first, 0.18 newest first: resto always
		// hands them on newest first.
		if (results.length < 2) return results;
		const times = new Map((await this.snapshots({}, signal)).map(s => [s.id, s.time]));
		const timeOf = (id: string) => times.get(id) ?? [...times].find(([full]) => full.startsWith(id))?.[1] ?? 0;
		return results.sort((a, b) => timeOf(b.snapshot) - timeOf(a.snapshot));
	}

	async dump(snapshotId: string, path: string, options: {maxBytes?: number; onChunk?: (chunk: Buffer) => void; discard?: boolean} = {}, signal?: AbortSignal): Promise<Buffer> {
		const max = options.maxBytes;
		const chunks: Buffer[] = [];
		let size = 0;
		const enough = new AbortController();
		const combined = signal ? AbortSignal.any([signal, enough.signal]) : enough.signal;
		try {
			await this.run(argv.dumpArgv(snapshotId, path), {
				signal: combined,
				forceKillAfterMs: 3000,
				onChunk: chunk => {
					options.onChunk?.(chunk);
					if (options.discard) return;
					if (max === undefined) {
						chunks.push(chunk);
						size += chunk.length;
					} else if (size < max) {
						const part = chunk.subarray(0, max - size);
						chunks.push(part);
						size += part.length;
						// Stop restic with SIGINT rather than closing the pipe (SIGPIPE would leave a lock).
						if (size >= max) enough.abort();
					}
				},
			});
		} catch (error) {
			const canceledByUs = enough.signal.aborted && !signal?.aborted;
			if (!(canceledByUs && error instanceof ResticError && error.kind === 'canceled')) throw error;
		}
		return Buffer.concat(chunks);
	}

	async restore(snapshotId: string, options: argv.RestoreOptions, onEvent?: (event: RestoreEvent) => void, signal?: AbortSignal): Promise<void> {
		// Options from restic 0.17 are checked against the installed version; progress needs --json (0.16+).
		const gated = options.overwrite !== undefined || options.dryRun || options.delete;
		const version = gated || onEvent ? await this.version(signal).catch(() => undefined) : undefined;
		const withJson = onEvent && versionAtLeast(version, 0, 16) ? {...options, json: true} : options;
		let args: string[];
		try {
			args = argv.restoreArgv(snapshotId, withJson, version);
		} catch (error) {
			throw new ResticError('failed', (error as Error).message);
		}
		await this.run(args, {
			signal,
			onLine: onEvent ? line => onEvent(parseRestoreLine(line)) : undefined,
			onStderrLine: onEvent
				? line => {
						const ev = parseRestoreLine(line);
						if (ev.type === 'error') onEvent(ev);
					}
				: undefined,
		});
	}

	async backup(options: argv.BackupOptions, hooks: {onEvent?: (event: BackupEvent) => void; lowPriority?: boolean; signal?: AbortSignal; stallTimeoutMs?: number} = {}): Promise<BackupRunResult> {
		const errors: BackupErrorEvent[] = [];
		const warnings: string[] = [];
		let summary: BackupSummary | undefined;
		const handle = (line: string, fromStderr: boolean) => {
			const ev = parseBackupLine(line);
			if (ev.type === 'summary') summary = ev.summary;
			else if (ev.type === 'error') errors.push(ev.error);
			// eslint-disable-next-line no-control-regex
			else if (ev.type === 'text' && fromStderr) warnings.push(line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''));
			hooks.onEvent?.(ev);
		};
		const r = await this.run(argv.backupArgv(options), {
			signal: hooks.signal,
			lowPriority: hooks.lowPriority,
			okExitCodes: [3],
			// The backup task has its own stall rule (status lines keep coming while restic retries); a
			// restic that says nothing at all (a server that never answers) is still stopped here.
			stallTimeoutMs: 0,
			silenceTimeoutMs: stallLimitMs(hooks.stallTimeoutMs),
			onLine: line => handle(line, false),
			onStderrLine: line => handle(line, true),
		});
		return {exitCode: r.exitCode, summary, errors, warnings};
	}

	async check(options: {readDataSubset?: string} = {}, onLine?: (line: string) => void, signal?: AbortSignal): Promise<CheckResult> {
		// restic ≥ 0.18 reports check results as JSON; older ones as text (where --json is ignored).
		const json = versionAtLeast(await this.version(signal).catch(() => undefined), 0, 18);
		const lines: string[] = [];
		let summary: Extract<CheckJsonLine, {type: 'summary'}> | undefined;
		const collect = (line: string) => {
			// eslint-disable-next-line no-control-regex
			const clean = line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
			const parsed = json ? parseCheckJsonLine(clean) : undefined;
			// JSON lines become the text restic would have printed, so one parser serves every version.
			const text = parsed?.type === 'error' ? parsed.message : clean;
			if (parsed?.type === 'summary') summary = parsed;
			else {
				lines.push(text);
				onLine?.(text);
			}
		};
		const withDamage = (parsed: ReturnType<typeof parseCheckOutput>): CheckResult => {
			const output = lines.join('\n');
			const damage = parseDamage(output, {local: isLocalLocation(this.access.repository)});
			for (const id of summary?.brokenPacks ?? []) if (!damage.some(d => d.packId === id)) damage.push({packId: id, problem: 'damaged', line: `pack ${id}: damaged`});
			const result: CheckResult = {...parsed, output};
			if (json && summary) {
				result.ok = summary.numErrors === 0 && parsed.errors.length === 0;
				if (result.ok) result.summary = 'no errors were found';
			}
			return damage.length > 0 ? {...result, ok: false, damage, advice: damageAdvice()} : result;
		};
		const cacheDir = checkScratchDir();
		try {
			// check goes on past a damaged pack: it should name every one.
			const r = await this.run(argv.checkArgv({...options, json, cacheDir}), {signal, onLine: collect, onStderrLine: collect, stopOnDamage: false});
			return withDamage(parseCheckOutput(lines.join('\n'), '', r.exitCode));
		} catch (error) {
			// A damaged repository exits 1 with error lines: that is a check result, not a crash.
			if (error instanceof ResticError && (error.kind === 'failed' || error.kind === 'damaged')) {
				return {...withDamage(parseCheckOutput(lines.join('\n'), '', error.exitCode ?? 1)), ok: false};
			}
			throw error;
		} finally {
			// A restic that was killed (or died of SIGPIPE) leaves its restic-check-cache-* in there.
			if (cacheDir) rmSync(cacheDir, {recursive: true, force: true});
		}
	}

	async stats(options: Parameters<typeof argv.statsArgv>[0] = {}, signal?: AbortSignal): Promise<Stats> {
		const r = await this.run(argv.statsArgv(options), {collectStdout: true, signal});
		return this.parsed('stats', r.stdout, () => parseStats(r.stdout), signal);
	}

	async listLocks(signal?: AbortSignal): Promise<string[]> {
		const r = await this.run(argv.listLocksArgv(), {collectStdout: true, signal});
		return r.stdout
			.split('\n')
			.map(l => l.trim())
			.filter(l => /^[0-9a-f]{64}$/.test(l));
	}

	async locks(signal?: AbortSignal): Promise<LockFile[]> {
		const ids = await this.listLocks(signal);
		const out: LockFile[] = [];
		for (const id of ids) {
			try {
				const r = await this.run(argv.catLockArgv(id), {collectStdout: true, signal});
				out.push(parseLockFile(id, r.stdout));
			} catch (error) {
				// A lock removed between list and cat is simply gone.
				if (!(error instanceof ResticError) || error.kind === 'canceled') throw error;
			}
		}
		// A restic of this host that exited between the listing and now removed its lock as it went
		// (SIGINT, normal end): a lock whose process is gone is looked for once more, so a lock that just
		// went is not shown as a stale one to remove.
		if (out.some(l => l.hostname === os.hostname() && !processAlive(l.pid))) {
			const still = new Set(await this.listLocks(signal));
			return out.filter(l => still.has(l.id));
		}
		return out;
	}

	async unlock(options: {removeAll?: boolean} = {}, signal?: AbortSignal): Promise<void> {
		await this.run(argv.unlockArgv(options), {signal});
	}

	async init(signal?: AbortSignal): Promise<void> {
		await this.run(argv.initArgv(), {signal});
	}

	async diff(a: string, b: string, onChange: (change: DiffChange) => void, signal?: AbortSignal): Promise<DiffStatistics | undefined> {
		let statistics: DiffStatistics | undefined;
		await this.run(diffArgv(a, b), {
			signal,
			onLine: line => {
				const parsed = parseDiffLine(line);
				if (parsed.kind === 'change') onChange(parsed.change);
				else if (parsed.kind === 'statistics') statistics = parsed.statistics;
			},
		});
		return statistics;
	}

	async forget(snapshotIds: readonly string[], signal?: AbortSignal): Promise<void> {
		await this.run(argv.forgetArgv(snapshotIds), {signal});
	}
}

/** Whether a process of this host still runs (EPERM: it does, as another user). */
function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
