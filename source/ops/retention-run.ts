/**
 * The parts of retention that ask restic: how many bytes a prune after a forget would free.
 * `restic prune --dry-run` only sees the snapshots as they are now, so the estimate adds what the
 * removed snapshots alone reference (raw-data stats of all snapshots minus those of the kept ones) to
 * what a prune would free already.
 */
import type {Repository} from '../config/config.js';
import {runRestic} from '../restic/run.js';
import {forgetPolicyArgv, parseForgetJson, parsePruneDryRun, policyFromFlags, type PolicyResult, type PruneEstimate, type RetentionPolicy} from './retention.js';

async function rawDataBytes(repo: Repository, ids: readonly string[], signal?: AbortSignal): Promise<number> {
	if (ids.length === 0) return 0;
	const r = await runRestic(repo.access, ['stats', '--json', '--no-lock', '--mode=raw-data', '--', ...ids], {collectStdout: true, signal});
	const o = JSON.parse(r.stdout) as {total_size?: number};
	return o.total_size ?? 0;
}

/** `restic prune --dry-run` as it stands now. */
export async function pruneDryRun(repo: Repository, signal?: AbortSignal): Promise<PruneEstimate | undefined> {
	const r = await runRestic(repo.access, ['prune', '--dry-run'], {
		collectStdout: true,
		signal,
	});
	return parsePruneDryRun(r.stdout);
}

/** Bytes a prune would free once `remove` is forgotten. */
export async function estimateReclaim(repo: Repository, all: readonly string[], remove: readonly string[], signal?: AbortSignal): Promise<number> {
	const gone = new Set(remove);
	const kept = all.filter(id => !gone.has(id));
	const [before, after, now] = await Promise.all([rawDataBytes(repo, all, signal), rawDataBytes(repo, kept, signal), pruneDryRun(repo, signal)]);
	return Math.max(0, before - after) + (now?.reclaimBytes ?? 0);
}

/** restic's own `forget --dry-run --json` verdict for a policy (nothing is deleted). */
export async function resticForgetDryRun(repo: Repository, policy: RetentionPolicy, signal?: AbortSignal): Promise<PolicyResult> {
	const r = await runRestic(repo.access, forgetPolicyArgv(policy, {dryRun: true, json: true}), {collectStdout: true, signal});
	return parseForgetJson(r.stdout);
}

/** Policy → restic flag text ("--keep-last 4 --keep-yearly 4"), for showing and editing. */
export function policyFlagsText(policy: RetentionPolicy): string {
	return forgetPolicyArgv(policy)
		.slice(1)
		.map(a => a.replace(/^(--[a-z-]+)=(.*)$/, (_m, f: string, v: string) => `${f} ${/\s/.test(v) ? JSON.stringify(v) : v}`))
		.join(' ');
}

/** Parse restic flag text back into a policy; throws TypeError with a message for the user. */
export function policyFromFlagsText(text: string): RetentionPolicy {
	const tokens = [...text.matchAll(/"([^"]*)"|(\S+)/g)].map(m => m[1] ?? m[2]!);
	const flags: Record<string, string | string[]> = {};
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i]!;
		const m = /^--([a-z-]+)(?:=(.*))?$/.exec(t);
		if (!m) throw new TypeError(`unexpected "${t}": use restic flags such as --keep-daily 7`);
		const value = m[2] ?? tokens[++i];
		if (value === undefined) throw new TypeError(`--${m[1]} needs a value`);
		const known = ['keep-last', 'keep-hourly', 'keep-daily', 'keep-weekly', 'keep-monthly', 'keep-yearly', 'keep-within', 'keep-within-hourly', 'keep-within-daily', 'keep-within-weekly', 'keep-within-monthly', 'keep-within-yearly', 'keep-tag', 'host', 'tag', 'path', 'group-by'];
		if (!known.includes(m[1]!)) throw new TypeError(`--${m[1]} is not a forget policy flag`);
		if (['keep-tag', 'host', 'tag', 'path'].includes(m[1]!)) flags[m[1]!] = [...((flags[m[1]!] as string[] | undefined) ?? []), value];
		else flags[m[1]!] = value;
	}
	return policyFromFlags(flags);
}
