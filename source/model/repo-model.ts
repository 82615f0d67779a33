/**
 * One repository as resto knows it, outside React: keyed by restic's repository id, it owns the client,
 * the snapshot list, the lock state, the file index, the running backup, the drill history and the last
 * check. Whatever changes a repository (a backup, a drill, an unlock, an index refresh) goes through its
 * model, and every screen and subcommand reads the model, so none of them shows a stale count or banner.
 */
import os from 'node:os';
import type {Repository} from '../config/config.js';
import type {DrillReport} from '../drill/drill.js';
import {RepoIndexer} from '../index/indexer.js';
import type {ResticClient} from '../restic/client.js';
import {ResticError, type LockInfo, type ResticErrorKind} from '../restic/errors.js';
import {redactLocation} from '../util/redact.js';
import type {LockFile, Snapshot} from '../restic/parse.js';
import {Observable} from '../store/store.js';
import type {BackupTask} from '../tasks/backup-task.js';
import {formatDateTime} from '../util/format.js';

/** The health of one repository as the repositories screen shows it. */
export type RepoHealth = 'checking' | 'ok' | 'locked' | 'wrong-password' | 'not-found' | 'unreachable' | 'error';

/** The outcome of the last status check. */
export interface RepoStatus {
	health: RepoHealth;
	message?: string;
	errorKind?: ResticErrorKind;
	lock?: LockInfo;
	snapshotCount?: number;
	latest?: number;
	checkedAt?: number;
}

/** Data that loads in the background. */
export interface Loadable<T> {
	state: 'idle' | 'loading' | 'ready' | 'error';
	data?: T;
	error?: string;
	errorKind?: ResticErrorKind;
}

/** The last `restic check` resto ran on the repository (part of a drill). */
export interface LastCheck {
	date: string;
	ok: boolean;
	summary?: string;
}

/** Everything a screen shows about one repository. Immutable: a change is a new object. */
export interface RepoModelState {
	/** restic's repository id once `restic cat config` answered; undefined before (or when it cannot be read). */
	id?: string;
	/** The location with URL credentials redacted, safe to show. */
	location: string;
	/** The configured names that lead to this repository (two names for one id share one model). */
	names: readonly string[];
	status?: RepoStatus;
	snapshots: Loadable<Snapshot[]>;
	/** The backup running into this repository, whichever name started it (one at a time). */
	backup?: BackupTask;
	/** Drills of this repository id, newest first. Empty until the id is known: never someone else's. */
	drills: readonly DrillReport[];
	lastCheck?: LastCheck;
	/** Set once the repository left the configuration (or its id changed): screens showing it say so. */
	retired?: string;
}

const staleAfterMs = 30 * 60_000;

/** restic's own rule (internal/restic/lock.go): older than 30 minutes, or from this host with a dead PID. */
export function isStaleLock(lock: {time: number; hostname: string; pid: number}, now = Date.now(), host = os.hostname()): boolean {
	if (now - lock.time > staleAfterMs) return true;
	if (lock.hostname !== host) return false;
	try {
		process.kill(lock.pid, 0);
		return false;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'ESRCH';
	}
}

/** How a failed restic call shows as health. */
export function healthOf(error: unknown): RepoHealth {
	if (!(error instanceof ResticError)) return 'error';
	switch (error.kind) {
		case 'wrong-password':
		case 'no-password':
			return 'wrong-password';
		case 'no-repo':
			return 'not-found';
		case 'unreachable':
			return 'unreachable';
		case 'locked':
			return 'locked';
		default:
			return 'error';
	}
}

/** The status for a successful listing plus the locks found beside it. */
export function statusFrom(snapshots: readonly Snapshot[], locks: readonly LockFile[], now = Date.now()): RepoStatus {
	const status: RepoStatus = {health: 'ok', snapshotCount: snapshots.length, latest: snapshots[0]?.time, checkedAt: now};
	if (locks.length === 0) return status;
	const lock = locks.find(l => l.exclusive) ?? locks[0]!;
	const ageMs = Math.max(0, now - lock.time);
	return {
		...status,
		health: 'locked',
		message: `locked${lock.exclusive ? ' exclusively' : ''} by PID ${lock.pid} on ${lock.hostname} (${lock.username})`,
		lock: {pid: lock.pid, host: lock.hostname, user: lock.username, exclusive: lock.exclusive, ageMs, createdAt: formatDateTime(lock.time), stale: isStaleLock(lock)},
	};
}

/** The status for a failed check. */
export function failureStatus(error: unknown): RepoStatus {
	return {
		health: healthOf(error),
		message: error instanceof Error ? error.message : String(error),
		errorKind: error instanceof ResticError ? error.kind : 'failed',
		lock: error instanceof ResticError ? error.lock : undefined,
		checkedAt: Date.now(),
	};
}

/** The newest check result among a repository's drills. */
function lastCheckOf(drills: readonly DrillReport[]): LastCheck | undefined {
	const r = drills.find(d => d.check && !d.check.skipped);
	return r?.check ? {date: r.date, ok: r.check.ok, summary: r.check.summary} : undefined;
}

/** One repository (see the file comment). Created and shared by the RepoRegistry, never per screen. */
export class RepoModel extends Observable<RepoModelState> {
	private indexerInstance: RepoIndexer | undefined;
	private snapshotsController: AbortController | undefined;

	constructor(
		/** The configured entry whose access the client uses (the first name that reached this repository). */
		readonly repository: Repository,
		/** The one client all work on this repository goes through. */
		readonly client: ResticClient,
		id?: string,
	) {
		super({id, location: redactLocation(repository.access.repository), names: [repository.name], snapshots: {state: 'idle'}, drills: []});
	}

	/** The id, once known. */
	get id(): string | undefined {
		return this.getSnapshot().id;
	}

	/** The label reports and lists use: every name, then the location. */
	get label(): string {
		const s = this.getSnapshot();
		return s.names.join(', ') === s.location ? s.location : `${s.names.join(', ')} (${s.location})`;
	}

	/** @internal the registry keeps names, id and drills in step with the configuration and history. */
	update(patch: Partial<RepoModelState>): void {
		const next = {...this.getSnapshot(), ...patch};
		if (patch.drills) next.lastCheck = lastCheckOf(patch.drills);
		this.set(next);
	}

	/** The search index of this repository (one per repository id, cached on disk under the id). */
	indexer(): RepoIndexer {
		if (!this.indexerInstance) {
			this.indexerInstance = new RepoIndexer(this.client);
			if (this.id) this.indexerInstance.repoId = this.id;
		}
		return this.indexerInstance;
	}

	/** Mark a status check under way (the previous figures stay visible behind the spinner). */
	checking(): void {
		this.update({status: {...this.getSnapshot().status, health: 'checking'}});
	}

	/** Record a finished check: counts, age and locks come from the same listing. */
	checked(snapshots: Snapshot[], locks: readonly LockFile[]): void {
		this.update({status: statusFrom(snapshots, locks), snapshots: {state: 'ready', data: snapshots}});
	}

	/** Record a failed check. */
	failed(error: unknown): void {
		this.update({status: failureStatus(error)});
	}

	/**
	 * (Re)load the snapshot list; the status counts follow it. The newest call wins: an older listing
	 * still running is cancelled. Never throws.
	 */
	async loadSnapshots(signal?: AbortSignal): Promise<void> {
		this.snapshotsController?.abort();
		const controller = new AbortController();
		this.snapshotsController = controller;
		const stop = () => controller.abort();
		signal?.addEventListener('abort', stop, {once: true});
		this.update({snapshots: {...this.getSnapshot().snapshots, state: 'loading', error: undefined}});
		try {
			const snapshots = await this.client.snapshots({}, controller.signal);
			const st = this.getSnapshot().status;
			const counts = {snapshotCount: snapshots.length, latest: snapshots[0]?.time};
			// A check under way sets the health itself; otherwise a listing that worked proves the repository
			// reachable, and a lock found by the last check stays until the next check (a listing does not look).
			const status: RepoStatus = st?.health === 'checking' ? {...st, ...counts} : st?.health === 'locked' ? {...st, ...counts} : {health: 'ok', ...counts, checkedAt: Date.now()};
			this.update({snapshots: {state: 'ready', data: snapshots}, status});
		} catch (error) {
			if (controller.signal.aborted) {
				if (this.getSnapshot().snapshots.state === 'loading' && this.snapshotsController === controller) this.update({snapshots: {...this.getSnapshot().snapshots, state: this.getSnapshot().snapshots.data ? 'ready' : 'idle'}});
				return;
			}
			this.update({snapshots: {...this.getSnapshot().snapshots, state: 'error', error: error instanceof Error ? error.message : String(error), errorKind: error instanceof ResticError ? error.kind : 'failed'}});
		} finally {
			signal?.removeEventListener('abort', stop);
			if (this.snapshotsController === controller) this.snapshotsController = undefined;
		}
	}

	/**
	 * Take the repository's backup slot. False when a backup (started under any of its names) runs:
	 * restic would wait for the lock, and two backups of one set at once help nobody.
	 */
	claimBackup(task: BackupTask): boolean {
		if (this.getSnapshot().backup) return false;
		this.update({backup: task});
		return true;
	}

	/** Free the backup slot. */
	backupFinished(task: BackupTask): void {
		if (this.getSnapshot().backup === task) this.update({backup: undefined});
	}

	/** A snapshot was written (a backup): every list and count shows it, and the index picks it up. */
	snapshotAdded(): void {
		if (this.getSnapshot().retired) return;
		void this.loadSnapshots();
		if (this.indexerInstance) void this.indexerInstance.update().catch(() => {});
	}

	/** Remove stale locks with `restic unlock`, then look again. */
	async unlock(signal?: AbortSignal): Promise<void> {
		await this.client.unlock({}, signal);
		const [snapshots, locks] = await Promise.all([this.client.snapshots({}, signal), this.client.locks(signal).catch(() => [])]);
		this.checked(snapshots, locks);
	}

	/** Stop background work (an index being built, a listing) because the repository left resto. */
	retire(reason: string): void {
		this.snapshotsController?.abort();
		this.indexerInstance?.cancel();
		this.update({retired: reason});
	}
}
