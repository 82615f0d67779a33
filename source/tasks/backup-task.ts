/**
 * A running backup, outside React: owns the AbortController, turns restic's JSON stream into a state
 * that is published at most 10 times a second, notices stalls (a dead backend keeps printing status
 * with frozen bytes) and stops restic when one lasts too long, runs the hooks, and resolves the full id
 * of the new snapshot afterwards.
 */
import {plural} from '../util/format.js';
import {readdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {acquireBackupLock, BackupPreflightError, runHook, type BackupLock, type BackupPlan} from '../backup/backup-set.js';
import type {ResticClient} from '../restic/client.js';
import {backendRetryPattern, ResticError, retryCause} from '../restic/errors.js';
import type {BackupErrorEvent, BackupEvent, BackupStatus, BackupSummary, BackupVerbose} from '../restic/parse.js';
import {secretsOf} from '../restic/run.js';
import {Observable} from '../store/store.js';

/** Everything a view or the CLI needs to show a backup truthfully. */
export interface BackupState {
	phase: 'idle' | 'checking' | 'pre-hook' | 'scanning' | 'running' | 'post-hook' | 'done' | 'partial' | 'failed' | 'canceled';
	status?: BackupStatus;
	/** Totals known (restic finished scanning). */
	scanned: boolean;
	errors: BackupErrorEvent[];
	warnings: string[];
	summary?: BackupSummary;
	snapshotId?: string;
	message?: string;
	startedAt: number;
	finishedAt?: number;
	/** Bytes per second over the last few seconds. */
	rate: number;
	/** Seconds since bytes/files done last moved while restic still runs. */
	stalledFor: number;
	/** The last backend error restic reported while retrying (short form), cleared when progress resumes. */
	backendError?: string;
	/** Dry run: what would be backed up. */
	items: BackupVerbose[];
	dryRun: boolean;
	/** The resto CLI exit code of the outcome (0, 3, 1, 10, 11, 12, 130). */
	exitCode?: number;
}

/** Options of a backup task. */
export interface BackupTaskOptions {
	/** Minimum milliseconds between published states (default 100: at most 10 a second). */
	frameMs?: number;
	/** Directory of the per-repository backup lock files (default under the XDG state dir). */
	lockDir?: string;
	/**
	 * Stop restic (SIGINT) when nothing moved for this long *and* restic reported backend errors meanwhile.
	 * restic 0.14 retries each blob for ≈ 45 s and only gives up after minutes, leaving its lock on the
	 * server either way. Default 120 000; 0 disables.
	 */
	stallTimeoutMs?: number;
	/** Called with the full id once a snapshot was written (not for dry runs). */
	onSnapshot?: (snapshotId: string) => void;
	/** Every parsed restic event, in order (the CLI streams them as NDJSON). */
	onEvent?: (event: BackupEvent) => void;
}

const finishedPhases: ReadonlySet<BackupState['phase']> = new Set(['done', 'partial', 'failed', 'canceled']);

/** True once the backup ended, whatever the outcome. */
export function isFinished(state: BackupState): boolean {
	return finishedPhases.has(state.phase);
}

/** One backup. Views subscribe with subscribe/getSnapshot; run() drives it and never throws. */
export class BackupTask extends Observable<BackupState> {
	private readonly controller = new AbortController();
	private pending: Partial<BackupState> = {};
	private timer: NodeJS.Timeout | undefined;
	private samples: Array<{t: number; bytes: number}> = [];
	private lastProgress = '';
	private lastMove = Date.now();
	private lastRetryAt = 0;
	private stalledOut = false;
	private stalledSecondsAtStop = 0;
	// Errors and dry-run items can number in the hundreds of thousands: append here, copy once per frame.
	private readonly errorBuf: BackupErrorEvent[] = [];
	private readonly itemBuf: BackupVerbose[] = [];
	private buffersDirty = false;
	private readonly snapshotListeners = new Set<(repoName: string, snapshotId: string) => void>();

	constructor(
		readonly plan: BackupPlan,
		private readonly client: ResticClient,
		private readonly options: BackupTaskOptions = {},
	) {
		super({phase: 'idle', scanned: false, errors: [], warnings: [], startedAt: Date.now(), rate: 0, stalledFor: 0, items: [], dryRun: Boolean(plan.options.dryRun)});
	}

	/** Request a clean stop: restic gets SIGINT, releases its lock, and no snapshot is written. */
	cancel(): void {
		this.controller.abort();
	}

	get canceled(): boolean {
		return this.controller.signal.aborted;
	}

	/**
	 * Be told when the backup wrote a snapshot (full 64-hex id), so the snapshot list can refresh and the
	 * index can add it. Returns an unsubscribe function.
	 */
	onSnapshotCreated(listener: (repoName: string, snapshotId: string) => void): () => void {
		this.snapshotListeners.add(listener);
		return () => this.snapshotListeners.delete(listener);
	}

	private update(p: Partial<BackupState>, immediate = false): void {
		Object.assign(this.pending, p);
		if (immediate) {
			this.flush();
			return;
		}
		// Coalesce: restic may print dozens of lines a second; views redraw at most every frameMs.
		this.timer ??= setTimeout(() => this.flush(), this.options.frameMs ?? 100);
	}

	private flush(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		const next = {...this.getSnapshot(), ...this.pending};
		if (this.buffersDirty) {
			next.errors = [...this.errorBuf];
			next.items = [...this.itemBuf];
			this.buffersDirty = false;
		}
		this.pending = {};
		this.set(next);
	}

	private noteStall(now: number): void {
		const stalledFor = Math.floor((now - this.lastMove) / 1000);
		const limit = this.options.stallTimeoutMs ?? 120_000;
		// Only a stall *with* backend errors is a dead backend; a slow disk at idle I/O priority is not.
		if (limit > 0 && !this.stalledOut && this.lastRetryAt > this.lastMove && now - this.lastMove >= limit) {
			this.stalledOut = true;
			this.stalledSecondsAtStop = Math.round((now - this.lastMove) / 1000);
			this.controller.abort();
		}
		if (stalledFor !== (this.pending.stalledFor ?? this.getSnapshot().stalledFor)) this.update({stalledFor});
	}

	private onEvent(ev: BackupEvent): void {
		this.options.onEvent?.(ev);
		switch (ev.type) {
			case 'status': {
				const now = Date.now();
				const progress = `${ev.status.bytesDone}/${ev.status.filesDone}`;
				const moved = progress !== this.lastProgress;
				if (moved) {
					this.lastProgress = progress;
					this.lastMove = now;
				}
				this.samples.push({t: now, bytes: ev.status.bytesDone});
				while (this.samples.length > 2 && now - this.samples[0]!.t > 5000) this.samples.shift();
				const first = this.samples[0]!;
				const rate = now > first.t ? Math.max(0, ((ev.status.bytesDone - first.bytes) * 1000) / (now - first.t)) : 0;
				const scanned = this.pending.scanned ?? this.getSnapshot().scanned;
				this.update({status: ev.status, phase: scanned || ev.status.totalFiles > 0 ? 'running' : 'scanning', rate, ...(moved ? {backendError: undefined} : {})});
				this.noteStall(now);
				break;
			}
			case 'scan-finished':
				this.update({scanned: true, phase: 'running'});
				break;
			case 'verbose':
				if (this.plan.options.dryRun) {
					this.itemBuf.push(ev.verbose);
					this.buffersDirty = true;
					this.update({});
				}
				break;
			case 'error':
				this.errorBuf.push(ev.error);
				this.buffersDirty = true;
				this.update({});
				break;
			case 'summary':
				this.update({summary: ev.summary}, true);
				break;
			case 'exit-error':
				this.update({message: ev.message});
				break;
			case 'text':
				if (backendRetryPattern.test(ev.text)) {
					this.lastRetryAt = Date.now();
					this.update({backendError: retryCause(ev.text)});
				}
				break;
		}
	}

	/** Run the whole backup: lock, preflight, pre-hook, restic, post-hook, snapshot id. Never throws. */
	async run(): Promise<BackupState> {
		const {plan} = this;
		const signal = this.controller.signal;
		let lock: BackupLock;
		try {
			lock = acquireBackupLock(plan.repo.access.repository, this.options.lockDir);
		} catch (error) {
			this.update({phase: 'failed', message: (error as Error).message, finishedAt: Date.now(), exitCode: exitCodeOf(error)}, true);
			return this.getSnapshot();
		}
		let preHookRan = false;
		// A pre-hook stopped part-way (Ctrl-C) may have set up half of what it does: its post-hook still runs.
		let preHookStarted = false;
		let resticStarted = false;
		const hookEnv = {RESTO_BACKUP_SET: plan.name, RESTO_REPOSITORY_NAME: plan.repo.name};
		const warnings = plan.missing.map(p => `${p} does not exist, skipped`);
		try {
			this.update({phase: 'checking', startedAt: Date.now(), warnings}, true);
			const runHooks = !plan.options.dryRun;
			if (plan.hooks.pre && runHooks) {
				// Without hooks restic itself checks the password, the repository and its locks before it
				// reads a file (no extra start-ups). A pre-hook (say a ZFS snapshot) must not run for a backup
				// that cannot happen, so check those first here.
				await this.preflight(signal);
				this.update({phase: 'pre-hook'}, true);
				preHookStarted = true;
				await runHook('pre', plan.hooks.pre, hookEnv, {signal, secrets: secretsOf(plan.repo.access)});
				preHookRan = true;
			}
			this.update({phase: 'scanning', startedAt: Date.now()}, true);
			resticStarted = true;
			await this.runRestic(warnings, signal);
		} catch (error) {
			const canceled = !this.stalledOut && (signal.aborted || (error instanceof ResticError && error.kind === 'canceled'));
			// With the backend gone restic cannot delete its lock file there; the next exclusive command
			// (check, prune) will need `restic unlock` once the backend is back.
			const backendError = this.pending.backendError ?? this.getSnapshot().backendError;
			const stalled = this.stalledOut
				? `the backend stopped responding: no progress for ${this.stalledSecondsAtStop} s while restic retried${backendError ? ` (${backendError})` : ''}; restic was stopped, no snapshot written. Its lock may remain on the server: run \`restic unlock\` once the backend is back.`
				: undefined;
			this.update({phase: canceled ? 'canceled' : 'failed', exitCode: canceled ? 130 : this.stalledOut ? 1 : exitCodeOf(error), message: canceled ? 'canceled, no snapshot written' : (stalled ?? (error as Error).message), finishedAt: Date.now()}, true);
		}
		try {
			// The post-hook undoes what the pre-hook set up (unmount, destroy the ZFS snapshot), so it runs
			// whenever the pre-hook ran, whatever the outcome; it learns the outcome from RESTO_BACKUP_RESULT.
			if (plan.hooks.post && !plan.options.dryRun && (plan.hooks.pre ? preHookRan || (preHookStarted && signal.aborted) : resticStarted)) {
				const before = this.getSnapshot();
				this.update({phase: 'post-hook'}, true);
				try {
					await runHook('post', plan.hooks.post, {...hookEnv, RESTO_BACKUP_RESULT: before.phase, RESTO_SNAPSHOT_ID: before.snapshotId ?? ''}, {timeoutMs: 10 * 60_000, secrets: secretsOf(plan.repo.access)});
					this.update({phase: before.phase}, true);
				} catch (error) {
					this.update({phase: before.phase, warnings: [...before.warnings, (error as Error).message]}, true);
				}
			}
		} finally {
			lock.release();
		}
		const final = this.getSnapshot();
		if (final.snapshotId && !plan.options.dryRun && (final.phase === 'done' || final.phase === 'partial')) {
			this.options.onSnapshot?.(final.snapshotId);
			for (const listener of this.snapshotListeners) listener(plan.repo.name, final.snapshotId);
		}
		return final;
	}

	/** Password, repository and exclusive locks, checked without touching any file. */
	private async preflight(signal: AbortSignal): Promise<void> {
		await this.client.repoId(signal);
		const held = (await this.client.locks(signal)).filter(l => l.exclusive);
		if (held.length > 0) {
			const l = held[0]!;
			throw new ResticError('locked', `${this.plan.repo.name} is locked exclusively by PID ${l.pid} on ${l.hostname} (${l.username}) since ${l.timeText}; a check, prune or forget is running (or died: \`restic unlock\` removes stale locks).`);
		}
	}

	private async runRestic(warnings: string[], signal: AbortSignal): Promise<void> {
		const {plan, client} = this;
		this.lastMove = Date.now();
		// Status lines normally keep coming during a stall; the timer covers a restic that goes silent.
		const ticker = setInterval(() => this.noteStall(Date.now()), 1000);
		ticker.unref();
		let result;
		try {
			result = await client.backup(plan.options, {lowPriority: plan.lowPriority, signal, stallTimeoutMs: this.options.stallTimeoutMs, onEvent: ev => this.onEvent(ev)});
		} finally {
			clearInterval(ticker);
			this.flush();
		}
		const allWarnings = [...warnings, ...result.warnings.filter(w => !/could not be read|^\s*$/.test(w) && !backendRetryPattern.test(w))];
		// A dry run saves no snapshot, whatever restic's summary says (0.14 names one).
		let snapshotId = plan.options.dryRun ? undefined : result.summary?.snapshotId || undefined;
		if (snapshotId && !plan.options.dryRun && snapshotId.length < 64) {
			// restic 0.14 reports only the short id. A local repository names each snapshot file by its
			// full id, so a directory listing finds it without another restic start-up (≈ 0.5 s).
			snapshotId = localSnapshotId(plan.repo.access.repository, snapshotId) ?? snapshotId;
		}
		if (snapshotId && !plan.options.dryRun && snapshotId.length < 64) {
			const short = snapshotId;
			const latest = await client.snapshots({hosts: [plan.options.host ?? os.hostname()], latest: 1}).catch(() => []);
			const full = latest.find(s => s.id.startsWith(short));
			if (full) snapshotId = full.id;
		}
		const unreadable = result.exitCode === 3;
		// restic 0.14 exits 0 when some paths are missing; like restic 0.19 we call that incomplete (3).
		const partial = unreadable || plan.missing.length > 0;
		const reasons = [unreadable ? (this.errorBuf.length ? `${plural(this.errorBuf.length, 'file')} could not be read` : 'some files could not be read') : '', plan.missing.length > 0 ? `${plural(plan.missing.length, 'path')} did not exist` : ''].filter(Boolean);
		this.update(
			{
				phase: partial ? 'partial' : 'done',
				exitCode: partial ? 3 : 0,
				summary: result.summary,
				snapshotId,
				warnings: allWarnings,
				finishedAt: Date.now(),
				backendError: undefined,
				message: partial ? `${plan.options.dryRun ? 'dry run' : 'snapshot saved'}, but ${reasons.join(' and ')}` : undefined,
			},
			true,
		);
	}
}

/** The full id of a snapshot in a local repository from its short id, or undefined. */
function localSnapshotId(repository: string, shortId: string): string | undefined {
	if (/^[a-z0-9]+:/i.test(repository) && !repository.startsWith('local:')) return undefined;
	try {
		const dir = path.join(repository.replace(/^local:/, ''), 'snapshots');
		const found = readdirSync(dir).filter(name => /^[0-9a-f]{64}$/.test(name) && name.startsWith(shortId));
		return found.length === 1 ? found[0] : undefined;
	} catch {
		return undefined;
	}
}

/** Exit code for a failure before or during the backup. */
function exitCodeOf(error: unknown): number {
	if (error instanceof ResticError) return error.cliExitCode;
	if (error instanceof BackupPreflightError) return error.exitCode;
	return 1;
}
