/**
 * `resto check [--repo R] [--read-data-subset X] [--json] [--unattended]`: restic check without questions,
 * for a timer or a script. The same check the restore drill runs (ResticClient.check): damaged packs are
 * named with what to do. Every check goes to the run log. Exit 0 no errors, 1 problems found or restic
 * failed, 10/11/12 no repository / locked / wrong password, 130 interrupted.
 */
import type {CheckResult} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import {isLocalRepository, readDataEstimate} from '../drill/drill.js';
import {recordRun} from '../ops/record.js';
import {printError, printInfo, printJson} from '../util/cli-output.js';
import {exitCodes} from '../util/exit-codes.js';
import {formatBytes, formatDuration} from '../util/format.js';
import {onShutdown} from '../util/signals.js';
import {clientFor, guard, loadConfigOrExit, repoOrExit} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand, option, readDataSubset} from './spec.js';

export const spec = defineCommand({
	name: 'check',
	summary: 'restic check without questions; damage named, result in the run log',
	usage: ['check [--repo R] [--read-data-subset X] [--json] [--unattended]'],
	description: `Runs restic check (structure; with --read-data-subset also that part of the data) the way the restore
drill does: every damaged pack restic names is reported with what to do. The result goes to the run log, where
the repositories screen shows the last unattended one. Exit 0 when no errors were found, 1 when check found
problems (or restic failed), 10 no repository, 11 locked, 12 wrong password, 130 interrupted.`,
	options: {
		repo: commonOptions.repo,
		'read-data-subset': option({type: 'string', value: 'X', description: "read this part of the data too: 'n/t', 'x%' or a size like 1G", parse: readDataSubset}),
		unattended: option({type: 'boolean', description: 'mark the run log record unattended (a timer or cron job)'}),
		json: commonOptions.json,
	},
});

/** The --json document of a check. */
export interface CheckJson {
	repository: string;
	ok: boolean;
	summary: string;
	errors: string[];
	damage: Array<{packId: string; problem: string}>;
	advice?: string;
	readDataSubset?: string;
	seconds: number;
}

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const config = loadConfigOrExit();
		const repo = repoOrExit(config, ctx);
		const client = clientFor(repo);
		const subset = ctx.options['read-data-subset'];
		const json = Boolean(ctx.options.json);
		const unattended = Boolean(ctx.options.unattended);
		const abort = new AbortController();
		const start = new Date();
		let work: Promise<CheckResult> | undefined;
		// Ctrl-C stops restic (SIGINT: it removes its lock) and waits, so the run is logged as canceled.
		const unregister = onShutdown(async () => {
			abort.abort();
			await work?.catch(() => undefined);
		});
		try {
			if (subset && !json) {
				const raw = await client.stats({mode: 'raw-data'}, abort.signal).catch(() => undefined);
				const e = raw ? readDataEstimate(subset, raw.totalSize, isLocalRepository(repo.access.repository)) : undefined;
				if (e) printInfo(`${repo.name}: check reads about ${formatBytes(e.bytes)} of ${formatBytes(raw!.totalSize)}, roughly ${formatDuration(e.seconds)} at an assumed ${formatBytes(e.bytesPerSecond)}/s`);
			}
			work = client.check({readDataSubset: subset}, json ? undefined : line => printInfo(`  ${line}`), abort.signal);
			let result: CheckResult;
			try {
				result = await work;
			} catch (error) {
				const code = error instanceof ResticError ? error.cliExitCode : exitCodes.failure;
				const message = (error as Error).message;
				await recordRun(repo, {op: 'check', start: start.toISOString(), end: new Date().toISOString(), exitCode: code, errors: [message], unattended, message}, !(error instanceof ResticError && (error.kind === 'unreachable' || error.kind === 'no-repo')));
				if (json) printJson({repository: repo.name, ok: false, kind: error instanceof ResticError ? error.kind : 'failed', message});
				throw error;
			}
			const damage = (result.damage ?? []).map(d => ({packId: d.packId, problem: d.problem}));
			const seconds = (Date.now() - start.getTime()) / 1000;
			const problems = result.ok ? [] : result.errors.length > 0 ? result.errors : [result.summary];
			const message = result.ok ? result.summary : `check found problems: ${problems.slice(0, 3).join('; ')}${result.advice ? `. ${result.advice}` : ''}`;
			await recordRun(repo, {op: 'check', start: start.toISOString(), end: new Date().toISOString(), exitCode: result.ok ? 0 : exitCodes.failure, errors: problems, unattended, message});
			if (json) {
				const doc: CheckJson = {repository: repo.name, ok: result.ok, summary: result.summary, errors: result.errors, damage, advice: result.advice, readDataSubset: subset, seconds: Math.round(seconds * 10) / 10};
				printJson(doc);
			} else if (result.ok) printInfo(`${repo.name}: ${result.summary}${subset ? ` (data read: ${subset})` : ''} in ${formatDuration(seconds)}`);
			else {
				for (const d of damage) printError(`pack ${d.packId}: ${d.problem}`);
				printError(`${repo.name}: ${message}`);
			}
			return result.ok ? exitCodes.ok : exitCodes.failure;
		} finally {
			unregister();
		}
	});
}
