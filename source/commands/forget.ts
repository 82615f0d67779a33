/**
 * `resto forget [--repo R | --set S] [restic's --keep-* flags] [--host H] [--tag T] [--path P] [--group-by G]
 * [--dry-run] [--json] [--prune] [--confirm NAME]`: retention you can see before it deletes.
 * The policy comes from the flags, else from the config (the set's retention over its repository's).
 * A dry run shows each snapshot kept (with restic's reasons) or removed, checks that restic's own
 * `forget --dry-run` agrees, and estimates what a prune would free. Applying refuses a policy that
 * deletes every snapshot and asks for the repository name typed in full (or --confirm NAME).
 */
import {createInterface} from 'node:readline/promises';
import type {Config, Repository} from '../config/config.js';
import {exitCodes, ResticError} from '../restic/errors.js';
import {runRestic} from '../restic/run.js';
import {forgetPolicyArgv, mergePolicies, parseForgetJson, parsePruneDryRun, policyFromFlags, policyIsEmpty, refusalReason, simulateForget, type PolicyResult, type RetentionPolicy} from '../ops/retention.js';
import {estimateReclaim} from '../ops/retention-run.js';
import {recordRun} from '../ops/record.js';
import {printError, printInfo, printJson, printWarning} from '../util/cli-output.js';
import {formatBytes, formatDateTime} from '../util/format.js';
import {clientFor, ExitError, guard, loadConfigOrExit, repoOrExit} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand, option} from './spec.js';

const keep = (what: string) =>
	option({
		type: 'string',
		value: 'N',
		description: `keep the last N ${what} snapshots`,
	});
const within = (what: string) =>
	option({
		type: 'string',
		value: 'D',
		description: `keep ${what}snapshots newer than D (1y5m7d2h) relative to the latest`,
	});

export const spec = defineCommand({
	name: 'forget',
	summary: 'retention: preview (and apply) a forget policy, with the reason for each kept snapshot',
	usage: ['forget [--repo R|--set S] [--keep-last N …] [--host H] [--tag T] [--path P] [--group-by G] --dry-run [--json]', 'forget [--repo R|--set S] [--keep-last N …] [--prune] [--confirm NAME]'],
	description: `Applies restic's --keep-* flags (or the configured retention of the repository, refined by the set's) the way
restic forget does and shows each snapshot kept, with restic's reasons, or removed; restic's own forget --dry-run
--json must agree. --json adds reclaimEstimateBytes, what a prune would then free. Without --dry-run the
previewed snapshots are forgotten after the repository name is typed in full (or given with --confirm).
A policy that would delete every snapshot, or every snapshot of a host/path group, is refused (exit 1).`,
	options: {
		repo: commonOptions.repo,
		set: option({
			type: 'string',
			value: 'S',
			description: "the backup set's repository, policy and paths",
		}),
		'keep-last': option({
			type: 'string',
			value: 'N',
			description: 'keep the last N snapshots',
		}),
		'keep-hourly': keep('hourly'),
		'keep-daily': keep('daily'),
		'keep-weekly': keep('weekly'),
		'keep-monthly': keep('monthly'),
		'keep-yearly': keep('yearly'),
		'keep-within': within(''),
		'keep-within-hourly': within('hourly '),
		'keep-within-daily': within('daily '),
		'keep-within-weekly': within('weekly '),
		'keep-within-monthly': within('monthly '),
		'keep-within-yearly': within('yearly '),
		'keep-tag': option({
			type: 'string',
			value: 'T',
			multiple: true,
			description: 'keep snapshots with all tags of T (a,b); repeatable',
		}),
		host: option({
			type: 'string',
			value: 'H',
			multiple: true,
			description: 'only consider snapshots of host H; repeatable',
		}),
		tag: option({
			type: 'string',
			value: 'T',
			multiple: true,
			description: 'only consider snapshots with the tags T (a,b); repeatable',
		}),
		path: option({
			type: 'string',
			value: 'P',
			multiple: true,
			description: 'only consider snapshots that include path P; repeatable',
		}),
		'group-by': option({
			type: 'string',
			value: 'G',
			description: 'group by host, paths and/or tags (default host,paths; "" for none)',
		}),
		'dry-run': option({
			type: 'boolean',
			description: 'show the verdict, delete nothing',
		}),
		prune: option({
			type: 'boolean',
			description: 'run restic prune after forgetting',
		}),
		confirm: option({
			type: 'string',
			value: 'NAME',
			description: 'the repository name, for scripts (instead of typing it)',
		}),
		unattended: option({
			type: 'boolean',
			description: 'mark the run log record unattended',
		}),
		json: commonOptions.json,
	},
});

const policyFlags = ['keep-last', 'keep-hourly', 'keep-daily', 'keep-weekly', 'keep-monthly', 'keep-yearly', 'keep-within', 'keep-within-hourly', 'keep-within-daily', 'keep-within-weekly', 'keep-within-monthly', 'keep-within-yearly', 'keep-tag'] as const;

function policyAndRepo(ctx: CommandContext<typeof spec>, config: Config): {repo: Repository; policy: RetentionPolicy; source: string} {
	const o = ctx.options as Record<string, unknown>;
	const set = ctx.options.set ? config.backupSets.find(s => s.name === ctx.options.set) : undefined;
	if (ctx.options.set && !set) throw new ExitError(exitCodes.usage, `no backup set "${ctx.options.set}" (configured: ${config.backupSets.map(s => s.name).join(', ') || 'none'})`);
	const repo = set ? config.repositories.find(r => r.name === set.repository)! : repoOrExit(config, ctx);
	const fromFlags = policyFlags.some(f => o[f] !== undefined);
	let policy: RetentionPolicy;
	let source: string;
	try {
		const flags: Record<string, string | string[] | undefined> = {};
		for (const k of [...policyFlags, 'host', 'tag', 'path', 'group-by']) {
			const v = o[k];
			if (typeof v === 'string' || Array.isArray(v)) flags[k] = v;
		}
		const filters = policyFromFlags(Object.fromEntries(Object.entries(flags).filter(([k]) => ['host', 'tag', 'path', 'group-by'].includes(k))));
		if (fromFlags) {
			policy = policyFromFlags(flags);
			source = 'flags';
		} else {
			const configured = mergePolicies(repo.ops?.retention, set?.retention);
			if (!configured) throw new ExitError(exitCodes.usage, `no retention policy: pass restic's --keep-* flags, or add retention to ${set ? `backup set "${set.name}"` : `repository "${repo.name}"`} in the config`);
			policy = {...configured, ...filters};
			source = set?.retention ? `backup set ${set.name}` : `repository ${repo.name}`;
		}
		// A set's policy only touches the set's snapshots.
		if (set && !policy.paths && !policy.hosts)
			policy = {
				...policy,
				paths: set.paths,
				...(set.host ? {hosts: [set.host]} : {}),
			};
	} catch (error) {
		if (error instanceof TypeError) throw new ExitError(exitCodes.usage, error.message);
		throw error;
	}
	if (policyIsEmpty(policy)) throw new ExitError(exitCodes.usage, 'the policy keeps nothing by any rule (restic would keep everything as "policy is empty"); give at least one --keep-* rule');
	return {repo, policy, source};
}

function diffIds(a: readonly string[], b: readonly string[]): string[] {
	const set = new Set(b);
	return a.filter(x => !set.has(x));
}

async function askName(repoName: string): Promise<boolean> {
	if (!process.stdin.isTTY) return false;
	const rl = createInterface({input: process.stdin, output: process.stderr});
	try {
		const answer = await rl.question(`Type the repository name (${repoName}) to delete these snapshots: `);
		return answer.trim() === repoName;
	} finally {
		rl.close();
	}
}

function printPlan(result: PolicyResult): void {
	for (const g of result.groups) {
		const label = [g.host && `host ${g.host}`, g.paths && `paths ${g.paths.join(' ')}`, g.tags && `tags ${g.tags.join(',') || '(none)'}`].filter(Boolean).join(', ') || 'all snapshots';
		process.stdout.write(`${label}: keep ${g.keep.length}, remove ${g.remove.length}\n`);
		const rows = [...g.keep.map(k => ({...k, keep: true})), ...g.remove.map(r => ({...r, keep: false, reasons: [] as string[]}))].sort((a, b) => b.time - a.time);
		for (const r of rows) process.stdout.write(`  ${r.keep ? 'keep  ' : 'remove'} ${r.id.slice(0, 8)}  ${formatDateTime(r.time)}  ${r.reasons.join(', ')}\n`);
	}
}

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const config = loadConfigOrExit();
		const {repo, policy, source} = policyAndRepo(ctx, config);
		const json = Boolean(ctx.options.json);
		const client = clientFor(repo);
		const snapshots = await client.snapshots();
		const ours = simulateForget(snapshots, policy);
		// restic's own verdict: the simulator must agree before anything is shown as the plan.
		const theirs = parseForgetJson((await runRestic(repo.access, forgetPolicyArgv(policy, {dryRun: true, json: true}), {collectStdout: true})).stdout);
		const disagree = [...diffIds(ours.remove, theirs.remove), ...diffIds(theirs.remove, ours.remove)];
		if (disagree.length > 0)
			throw new ExitError(
				exitCodes.failure,
				`resto's simulation and restic's forget --dry-run disagree about ${disagree.length} snapshot(s) (${disagree
					.slice(0, 3)
					.map(i => i.slice(0, 8))
					.join(', ')}); nothing was changed. Please report this.`,
			);
		const refused = refusalReason(ours);
		const dryRun = Boolean(ctx.options['dry-run']);
		const estimate =
			ours.remove.length > 0 && !refused
				? await estimateReclaim(
						repo,
						snapshots.map(s => s.id),
						ours.remove,
					).catch(() => undefined)
				: undefined;
		const report = {
			repository: repo.name,
			policy,
			policySource: source,
			dryRun,
			considered: ours.considered,
			keep: ours.keep,
			remove: ours.remove,
			groups: ours.groups.map(g => ({
				host: g.host || null,
				paths: g.paths,
				tags: g.tags,
				keep: g.keep.map(k => ({
					id: k.id,
					time: new Date(k.time).toISOString(),
					reasons: k.reasons,
				})),
				remove: g.remove.map(r => ({
					id: r.id,
					time: new Date(r.time).toISOString(),
				})),
			})),
			resticAgrees: true,
			refused: refused ?? null,
			reclaimEstimateBytes: estimate ?? null,
		};
		if (dryRun || refused) {
			if (json) printJson(report);
			else {
				printPlan(ours);
				printInfo(`${ours.remove.length} of ${ours.considered} snapshot(s) would be removed (policy from ${source}; restic's forget --dry-run agrees)${estimate !== undefined ? `; a prune would free about ${formatBytes(estimate)}` : ''}`);
			}
			if (refused) {
				printError(refused);
				return exitCodes.failure;
			}
			return 0;
		}
		if (ours.remove.length === 0) {
			if (json) printJson(report);
			else printInfo('nothing to remove');
			return 0;
		}
		if (!json) printPlan(ours);
		const confirmed = ctx.options.confirm !== undefined ? ctx.options.confirm === repo.name : await askName(repo.name);
		if (!confirmed) {
			printError(ctx.options.confirm !== undefined ? `--confirm must be the repository name "${repo.name}"` : process.stdin.isTTY ? 'the name did not match; nothing was deleted' : `not a terminal: pass --confirm ${repo.name} to delete ${ours.remove.length} snapshot(s)`);
			return exitCodes.usage;
		}
		const start = new Date().toISOString();
		try {
			// Exactly the previewed ids: a snapshot made since the preview is not judged unseen.
			await client.forget(ours.remove);
		} catch (error) {
			await recordRun(repo, {
				op: 'forget',
				start,
				end: new Date().toISOString(),
				exitCode: error instanceof ResticError ? error.cliExitCode : 1,
				errors: [(error as Error).message],
				unattended: Boolean(ctx.options.unattended),
				message: (error as Error).message,
			});
			throw error;
		}
		await recordRun(repo, {
			op: 'forget',
			start,
			end: new Date().toISOString(),
			exitCode: 0,
			errors: [],
			unattended: Boolean(ctx.options.unattended),
			message: `removed ${ours.remove.length} snapshot(s)`,
		});
		let pruned: ReturnType<typeof parsePruneDryRun> | undefined;
		if (ctx.options.prune) {
			const pstart = new Date().toISOString();
			try {
				const r = await runRestic(repo.access, ['prune'], {
					collectStdout: true,
				});
				pruned = parsePruneDryRun(r.stdout);
				await recordRun(repo, {
					op: 'prune',
					start: pstart,
					end: new Date().toISOString(),
					exitCode: 0,
					errors: [],
					unattended: Boolean(ctx.options.unattended),
					bytesAdded: pruned ? -pruned.reclaimBytes : undefined,
				});
			} catch (error) {
				await recordRun(repo, {
					op: 'prune',
					start: pstart,
					end: new Date().toISOString(),
					exitCode: 1,
					errors: [(error as Error).message],
					unattended: Boolean(ctx.options.unattended),
					message: (error as Error).message,
				});
				throw error;
			}
		}
		if (json)
			printJson({
				...report,
				removed: ours.remove,
				prunedBytes: pruned?.reclaimBytes ?? null,
			});
		else {
			printInfo(`removed ${ours.remove.length} snapshot(s)${pruned ? `; prune freed ${formatBytes(pruned.reclaimBytes)}` : '; run with --prune (or restic prune) to free the space'}`);
			if (!ctx.options.prune && estimate) printWarning(`a prune would free about ${formatBytes(estimate)}`);
		}
		return 0;
	});
}
