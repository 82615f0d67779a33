/**
 * A running backup, outside React: owns the AbortController, turns restic's JSON stream into a state
 * that is published at most 10 times a second, notices stalls (a dead backend keeps printing status
 * with frozen bytes), and resolves the full id of the new snapshot afterwards.
 */
import {readdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {acquireBackupLock, BackupPreflightError, runHook, type BackupPlan} from '../backup/backup-set.js';
import type {ResticClient} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import type {BackupErrorEvent, BackupEvent, BackupStatus, BackupSummary, BackupVerbose} from '../restic/parse.js';
import {Observable} from '../store/store.js';

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
	/** Seconds since bytes_done last moved while restic still reports progress. */
	stalledFor: number;
	/** Dry run: what would be backed up. */
	items: BackupVerbose[];
	dryRun: boolean;
	/** The resto CLI exit code of the outcome (0, 3, 1, 10, 11, 12, 130). */
	exitCode?: number;
}

export class BackupTask extends Observable<BackupState> {
	private readonly controller = new AbortController();
	private pending: Partial<BackupState> = {};
	private timer: NodeJS.Timeout | undefined;
	private samples: Array<{t: number; bytes: number}> = [];
	private lastBytes = -1;
	private lastMove = Date.now();

	constructor(
		readonly plan: BackupPlan,
		private readonly client: ResticClient,
		private readonly options: {frameMs?: number; lockDir?: string; onSnapshot?: (snapshotId: string) => void; onEvent?: (event: BackupEvent) => void} = {},
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
		this.pending = {};
		this.set(next);
	}

	private onEvent(ev: BackupEvent): void {
		this.options.onEvent?.(ev);
		const state = {...this.getSnapshot(), ...this.pending};
		switch (ev.type) {
			case 'status': {
				const now = Date.now();
				if (ev.status.bytesDone !== this.lastBytes) {
					this.lastBytes = ev.status.bytesDone;
					this.lastMove = now;
				}
				this.samples.push({t: now, bytes: ev.status.bytesDone});
				while (this.samples.length > 2 && now - this.samples[0]!.t > 5000) this.samples.shift();
				const first = this.samples[0]!;
				const rate = now > first.t ? ((ev.status.bytesDone - first.bytes) * 1000) / (now - first.t) : 0;
				this.update({status: ev.status, phase: state.scanned || ev.status.totalFiles > 0 ? 'running' : 'scanning', rate, stalledFor: Math.floor((now - this.lastMove) / 1000)});
				break;
			}
			case 'scan-finished':
				this.update({scanned: true, phase: 'running'});
				break;
			case 'verbose':
				if (state.dryRun) this.update({items: [...state.items, ev.verbose]});
				break;
			case 'error':
				this.update({errors: [...state.errors, ev.error]}, true);
				break;
			case 'summary':
				this.update({summary: ev.summary}, true);
				break;
			case 'exit-error':
				this.update({message: ev.message});
				break;
			case 'text':
				break;
		}
	}

	/** Run the whole backup: lock, preflight, pre-hook, restic, post-hook, snapshot id. Never throws. */
	async run(): Promise<BackupState> {
		const {plan, client} = this;
		const signal = this.controller.signal;
		let lock;
		try {
			lock = acquireBackupLock(plan.repo.access.repository, this.options.lockDir);
		} catch (error) {
			this.update({phase: 'failed', message: (error as Error).message, finishedAt: Date.now(), exitCode: exitCodeOf(error)}, true);
			return this.getSnapshot();
		}
		try {
			// No separate restic preflight: restic backup itself checks the password, the repository and
			// its lock before it reads a single file, and those failures are classified the same way. A
			// preflight cost two extra restic start-ups (≈ 0.9 s) on every backup.
			this.update({phase: 'checking', startedAt: Date.now(), warnings: plan.missing.map(p => `${p} does not exist, skipped`)}, true);
			const hookEnv = {RESTO_BACKUP_SET: plan.name, RESTO_REPOSITORY_NAME: plan.repo.name};
			if (plan.hooks.pre && !plan.options.dryRun) {
				this.update({phase: 'pre-hook'}, true);
				await runHook('pre', plan.hooks.pre, hookEnv, signal);
			}
			this.update({phase: 'scanning', startedAt: Date.now()}, true);
			const result = await client.backup(plan.options, {lowPriority: plan.lowPriority, signal, onEvent: ev => this.onEvent(ev)});
			this.flush();
			const warnings = [...this.getSnapshot().warnings, ...result.warnings.filter(w => !/could not be read|^\s*$/.test(w))];
			if (plan.hooks.post && !plan.options.dryRun) {
				this.update({phase: 'post-hook', warnings}, true);
				try {
					await runHook('post', plan.hooks.post, hookEnv, signal);
				} catch (error) {
					warnings.push((error as Error).message);
				}
			}
			let snapshotId = result.summary?.snapshotId;
			if (snapshotId && !plan.options.dryRun && snapshotId.length < 64) {
				// restic 0.14 reports only the short id. A local repository names each snapshot file by its
				// full id, so a directory listing finds it without another restic start-up (≈ 0.5 s).
				snapshotId = localSnapshotId(plan.repo.access.repository, snapshotId) ?? snapshotId;
			}
			if (snapshotId && !plan.options.dryRun && snapshotId.length < 64) {
				const latest = await client.snapshots({hosts: [plan.options.host ?? os.hostname()], latest: 1}).catch(() => []);
				const full = latest.find(s => s.id.startsWith(snapshotId!));
				if (full) snapshotId = full.id;
			}
			const partial = result.exitCode === 3;
			this.update({phase: partial ? 'partial' : 'done', exitCode: partial ? 3 : 0, summary: result.summary, snapshotId, warnings, finishedAt: Date.now(), message: partial ? `snapshot saved, but ${this.getSnapshot().errors.length || 'some'} file(s) could not be read` : undefined}, true);
			if (snapshotId && !plan.options.dryRun) this.options.onSnapshot?.(snapshotId);
		} catch (error) {
			const canceled = signal.aborted || (error instanceof ResticError && error.kind === 'canceled');
			this.update({phase: canceled ? 'canceled' : 'failed', exitCode: canceled ? 130 : exitCodeOf(error), message: canceled ? 'canceled, no snapshot written' : (error as Error).message, finishedAt: Date.now()}, true);
		} finally {
			lock.release();
		}
		return this.getSnapshot();
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
