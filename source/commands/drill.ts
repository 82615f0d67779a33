/**
 * `resto drill [--repo R] [--json] [--seed N] [--months N] [--files N] [--read-data-subset S] [--yes]`:
 * check, pick, restore, verify and report without questions (the checklist is "not asked").
 * Exit 0 when the drill passes, 1 when it fails, 130 when interrupted.
 */
import {exitCodes} from '../restic/errors.js';
import {DrillTask} from '../tasks/drill-task.js';
import {printInfo, printJson} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {onShutdown} from '../util/signals.js';
import {clientFor, ExitError, guard, loadConfigOrExit, repoOrExit} from './common.js';
import type {CommandContext} from './context.js';
import type {DrillReport} from '../drill/drill.js';

function intOption(value: string | undefined, name: string, min: number): number | undefined {
	if (value === undefined) return undefined;
	const n = Number(value);
	if (!Number.isInteger(n) || n < min) throw new ExitError(exitCodes.usage, `--${name} must be an integer ≥ ${min}`);
	return n;
}

export async function run(ctx: CommandContext): Promise<number> {
	return guard(async () => {
		const config = loadConfigOrExit();
		const repo = repoOrExit(config, ctx);
		const seed = intOption(ctx.options.seed, 'seed', 0);
		const months = intOption(ctx.options.months, 'months', 1) ?? config.drill.months;
		const files = intOption(ctx.options.files, 'files', 1) ?? config.drill.files;
		const readDataSubset = ctx.options['read-data-subset'] ?? config.drill.readDataSubset;
		const reports: DrillReport[] = [];
		for (let i = 0; i < files; i++) {
			const task = new DrillTask(repo, clientFor(repo), {seed: seed === undefined ? undefined : seed + i, months, readDataSubset, skipCheck: i > 0});
			let running: Promise<DrillReport> | undefined;
			// On Ctrl-C resto exits right after its cleanups: wait for the task so the temporary restore is
			// removed and the "aborted" report is written before the process goes.
			const unregister = onShutdown(async () => {
				task.abort();
				await running?.catch(() => undefined);
			});
			let last = '';
			const unsubscribe = task.subscribe(() => {
				if (ctx.options.json) return;
				for (const s of task.getSnapshot().steps) {
					const line = `${s.title}: ${s.status}${s.detail ? ` — ${s.detail}` : ''}`;
					if (s.status !== 'pending' && s.status !== 'running' && !last.includes(`|${line}|`)) {
						last += `|${line}|`;
						printInfo(escapeForTerminal(line));
					}
				}
			});
			running = task.run();
			const report = await running;
			unsubscribe();
			unregister();
			reports.push(report);
			if (report.verdict !== 'pass') break;
		}
		const verdict = reports.every(r => r.verdict === 'pass') ? 'pass' : reports.some(r => r.verdict === 'aborted') ? 'aborted' : 'fail';
		if (ctx.options.json) printJson(reports.length === 1 ? reports[0] : {verdict, reports});
		else {
			const last = reports.at(-1)!;
			printInfo(`\nverdict: ${verdict.toUpperCase()}${last.reason ? ` (${escapeForTerminal(last.reason)})` : ''}`);
			if (last.reportFiles) printInfo(`report: ${last.reportFiles.markdown}`);
			if (last.reverify && verdict === 'pass') printInfo(`re-verify by hand: ${last.reverify}  (expect ${last.hashes?.dump})`);
		}
		return verdict === 'pass' ? 0 : verdict === 'aborted' ? exitCodes.canceled : exitCodes.failure;
	});
}
