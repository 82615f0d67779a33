/**
 * What the repositories screen shows of operations: the last unattended run (from the run log, keyed by
 * the repository's id) and whether the newest snapshot is older than the expected interval.
 */
import {useContext, useMemo} from 'react';
import {AppContext} from '../../app-context.js';
import type {Repository} from '../../config/config.js';
import {lastRun, readRuns, type RunRecord} from '../../ops/run-log.js';
import {expectedIntervalFor} from '../../ops/status.js';

export interface OpsSummary {
	lastUnattended?: RunRecord;
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

export function useOpsSummary(repo: Repository | undefined, id: string | undefined, latest: number | undefined): OpsSummary {
	const {config} = useContext(AppContext);
	return useMemo(() => {
		if (!repo) return {};
		let records: RunRecord[];
		try {
			records = readRuns(repo.access.repository, id);
		} catch {
			records = [];
		}
		const expectedMs = expectedIntervalFor(config, repo);
		return {
			lastUnattended: lastRun(records, {unattended: true}),
			expectedMs,
			overdueBy: overdue(latest, expectedMs),
		};
		// The latest snapshot changes after a backup: recompute then.
	}, [repo, id, latest, config]);
}
