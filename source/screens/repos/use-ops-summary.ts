/**
 * What the repositories screen shows of operations: the last unattended run (from the run log, keyed by
 * the repository's id) and whether the newest snapshot is older than the expected interval.
 */
import {useContext, useMemo} from 'react';
import {AppContext} from '../../app-context.js';
import type {Repository} from '../../config/config.js';
import {lastRun, readRuns, type RunOp, type RunRecord} from '../../ops/run-log.js';
import {expectedIntervalFor} from '../../ops/status.js';

export interface OpsSummary {
	lastUnattended?: RunRecord;
	/** The newest unattended run of each kind (backup, check, forget, prune, copy), newest first: a check
	 * that went well after a backup that failed must not hide the failure. */
	unattendedByOp: RunRecord[];
	/** The newest snapshot is older than this interval (ms) — or there is none. */
	overdueBy?: number;
	expectedMs?: number;
}

/** Pure: is a repository overdue at `now`? */
export function overdue(latest: number | undefined, expectedMs: number | undefined, now = Date.now()): number | undefined {
	if (expectedMs === undefined) return undefined;
	if (latest === undefined) return Number.POSITIVE_INFINITY;
	return now - latest > expectedMs ? now - latest - expectedMs : undefined;
}

/** Pure: the newest unattended record of each op, newest first. */
export function lastUnattendedByOp(records: readonly RunRecord[]): RunRecord[] {
	const ops: RunOp[] = ['backup', 'check', 'forget', 'prune', 'copy'];
	return ops
		.map(op => lastRun(records, {op, unattended: true}))
		.filter((r): r is RunRecord => r !== undefined)
		.sort((a, b) => b.end.localeCompare(a.end));
}

export function useOpsSummary(repo: Repository | undefined, id: string | undefined, latest: number | undefined, checkedAt?: number): OpsSummary {
	const {config} = useContext(AppContext);
	return useMemo(() => {
		if (!repo) return {unattendedByOp: []};
		let records: RunRecord[];
		try {
			records = readRuns(repo.access.repository, id);
		} catch {
			records = [];
		}
		const expectedMs = expectedIntervalFor(config, repo);
		return {
			lastUnattended: lastRun(records, {unattended: true}),
			unattendedByOp: lastUnattendedByOp(records),
			expectedMs,
			overdueBy: overdue(latest, expectedMs),
		};
		// The latest snapshot changes after a backup, and each status check (r, or the periodic one) may
		// follow a run a timer did meanwhile: read the log again then.
		// eslint-disable-next-line react-hooks/exhaustive-deps -- latest and checkedAt are triggers
	}, [repo, id, latest, checkedAt, config]);
}
