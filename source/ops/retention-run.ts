/**
 * The parts of retention that ask restic: how many bytes a prune after a forget would free.
 * `restic prune --dry-run` only sees the snapshots as they are now, so the estimate adds what the
 * removed snapshots alone reference (raw-data stats of all snapshots minus those of the kept ones) to
 * what a prune would free already.
 */
import type {Repository} from '../config/config.js';
import {runRestic} from '../restic/run.js';
import {parsePruneDryRun, type PruneEstimate} from './retention.js';

async function rawDataBytes(repo: Repository, ids: readonly string[], signal?: AbortSignal): Promise<number> {
	if (ids.length === 0) return 0;
	const r = await runRestic(repo.access, ['stats', '--json', '--no-lock', '--mode=raw-data', '--', ...ids], {collectStdout: true, signal});
	const o = JSON.parse(r.stdout) as {total_size?: number};
	return o.total_size ?? 0;
}

/** `restic prune --dry-run` as it stands now. */
export async function pruneDryRun(repo: Repository, signal?: AbortSignal): Promise<PruneEstimate | undefined> {
	const r = await runRestic(repo.access, ['prune', '--dry-run'], {collectStdout: true, signal});
	return parsePruneDryRun(r.stdout);
}

/** Bytes a prune would free once `remove` is forgotten. */
export async function estimateReclaim(repo: Repository, all: readonly string[], remove: readonly string[], signal?: AbortSignal): Promise<number> {
	const gone = new Set(remove);
	const kept = all.filter(id => !gone.has(id));
	const [before, after, now] = await Promise.all([rawDataBytes(repo, all, signal), rawDataBytes(repo, kept, signal), pruneDryRun(repo, signal)]);
	return Math.max(0, before - after) + (now?.reclaimBytes ?? 0);
}
