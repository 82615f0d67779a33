/** Tasks for the repositories and snapshots screens: status checks and snapshot lists. */
import os from 'node:os';
import type {Repository} from '../config/config.js';
import type {ResticClient} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import type {AppStore, RepoHealth, RepoStatus} from '../store/app-store.js';
import {formatDateTime} from '../util/format.js';

/** Builds the client for a repository (injected so tests can substitute one). */
export type ClientFactory = (repo: Repository) => ResticClient;

function healthOf(error: unknown): RepoHealth {
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

/**
 * Check one repository: snapshots (count, latest; proves password and reachability) and locks
 * (holder and age). Never throws: the result is dispatched as a status.
 */
export async function checkRepository(store: AppStore, repo: Repository, client: ResticClient, signal?: AbortSignal): Promise<RepoStatus> {
	store.dispatch({type: 'repo-checking', repo: repo.name});
	let status: RepoStatus;
	try {
		// Both need a restic start-up (~0.4 s each): run them side by side.
		const locksPromise = client.locks(signal).catch(() => []);
		const snapshots = await client.snapshots({}, signal);
		store.dispatch({type: 'snapshots-loaded', repo: repo.name, snapshots});
		status = {health: 'ok', snapshotCount: snapshots.length, latest: snapshots[0]?.time, checkedAt: Date.now()};
		const locks = await locksPromise;
		if (locks.length > 0) {
			const lock = locks.find(l => l.exclusive) ?? locks[0]!;
			const ageMs = Math.max(0, Date.now() - lock.time);
			status = {
				...status,
				health: 'locked',
				message: `locked${lock.exclusive ? ' exclusively' : ''} by PID ${lock.pid} on ${lock.hostname} (${lock.username})`,
				lock: {pid: lock.pid, host: lock.hostname, user: lock.username, exclusive: lock.exclusive, ageMs, createdAt: formatDateTime(lock.time), stale: isStaleLock(lock)},
			};
		}
	} catch (error) {
		if (signal?.aborted) throw error;
		status = {
			health: healthOf(error),
			message: error instanceof Error ? error.message : String(error),
			errorKind: error instanceof ResticError ? error.kind : 'failed',
			lock: error instanceof ResticError ? error.lock : undefined,
			checkedAt: Date.now(),
		};
	}
	store.dispatch({type: 'repo-status', repo: repo.name, status});
	return status;
}

/** Check all repositories concurrently; one broken repository never blocks the others. */
export async function checkAllRepositories(store: AppStore, repos: readonly Repository[], factory: ClientFactory, signal?: AbortSignal): Promise<void> {
	await Promise.allSettled(repos.map(repo => checkRepository(store, repo, factory(repo), signal)));
}

/** (Re)load the snapshot list of one repository into the store. */
export async function loadSnapshots(store: AppStore, repo: Repository, client: ResticClient, signal?: AbortSignal): Promise<void> {
	store.dispatch({type: 'snapshots-loading', repo: repo.name});
	try {
		const snapshots = await client.snapshots({}, signal);
		store.dispatch({type: 'snapshots-loaded', repo: repo.name, snapshots});
	} catch (error) {
		if (signal?.aborted) return;
		store.dispatch({
			type: 'snapshots-failed',
			repo: repo.name,
			error: error instanceof Error ? error.message : String(error),
			errorKind: error instanceof ResticError ? error.kind : 'failed',
		});
	}
}
