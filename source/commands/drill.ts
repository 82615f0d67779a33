/**
 * `resto drill [--repo R] [--json] [--seed N] [--months N] [--files N] [--read-data-subset S] [--yes] [--keep]`:
 * check, pick, restore, verify and report without questions (the checklist is "not asked").
 * Exit 0 when the drill passes, 1 when it fails, 130 when interrupted.
 */
import {createInterface} from 'node:readline/promises';
import {exitCodes} from '../util/exit-codes.js';
import {DrillTask} from '../tasks/drill-task.js';
import {RepoRegistry} from '../model/repo-registry.js';
import {printInfo, printJson} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {onShutdown} from '../util/signals.js';
import {clientFor, guard, loadConfigOrExit, repoOrExit} from './common.js';
import type {CommandContext} from './context.js';
import {restored, verdictLabel, type DrillReport} from '../drill/drill.js';
import {commonOptions, defineCommand, option, readDataSubset, wholeNumber} from './spec.js';

export const spec = defineCommand({
	name: 'drill',
	summary: 'restore drill: check, pick, restore, verify and report',
	usage: ['drill [--repo R] [--json] [--seed N] [--months N] [--files N] [--read-data-subset S] [--yes] [--keep]'],
	description: 'Runs restic check, picks a random file from a snapshot up to N months old, restores it to a temporary folder, verifies it against the repository and writes a report. Exit 0 when the drill passes, 1 when it fails, 130 when interrupted.',
	options: {
		repo: commonOptions.repo,
		json: commonOptions.json,
		seed: option({type: 'string', value: 'N', description: 'seed of the random choice (repeat a drill exactly)', parse: wholeNumber({min: 0})}),
		months: option({type: 'string', value: 'N', description: "pick from snapshots up to N months old (default: the config's drill.months, 3)", parse: wholeNumber({min: 1})}),
		files: option({type: 'string', value: 'N', description: "restore and verify N files (default: the config's drill.files, 1)", parse: wholeNumber({min: 1})}),
		'read-data-subset': option({type: 'string', value: 'S', description: "restic check reads this part of the data too: 'n/t', 'x%' or a size like 1G", parse: readDataSubset}),
		yes: option({type: 'boolean', short: 'y', description: 'do not ask the checklist (recorded as "not asked")'}),
		keep: option({type: 'boolean', description: 'keep the restored copy instead of removing it; the report says where it is'}),
	},
});

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const config = loadConfigOrExit();
		const repo = repoOrExit(config, ctx);
		const seed = ctx.options.seed;
		const months = ctx.options.months ?? config.drill.months;
		const files = ctx.options.files ?? config.drill.files;
		const readDataSubset = ctx.options['read-data-subset'] ?? config.drill.readDataSubset;
		const reports: DrillReport[] = [];
		// On a terminal the human checklist is asked; --yes skips it ("not asked"), --json never asks.
		const ask = Boolean(process.stdin.isTTY && process.stderr.isTTY) && !ctx.options.json && !ctx.options.yes;
		const prompt = ask ? createInterface({input: process.stdin, output: process.stderr}) : undefined;
		for (let i = 0; i < files; i++) {
			const task = new DrillTask(repo, clientFor(repo), {seed: seed === undefined ? undefined : seed + i, months, readDataSubset, skipCheck: i > 0, askChecklist: ask && i === 0, keep: ctx.options.keep});
			let running: Promise<DrillReport> | undefined;
			// On Ctrl-C resto exits right after its cleanups: wait for the task so the temporary restore is
			// removed and the "aborted" report is written before the process goes.
			const unregister = onShutdown(async () => {
				task.abort();
				await running?.catch(() => undefined);
			});
			let last = '';
			let asking = false;
			const unsubscribe = task.subscribe(() => {
				const now = task.getSnapshot();
				if (prompt && now.phase === 'await-answer' && now.question && !asking) {
					asking = true;
					const question = now.question;
					void (async () => {
						let answer = '';
						while (!/^(y|yes|n|no)$/i.test(answer)) answer = (await prompt.question(`${question.text} [y/n] `)).trim();
						asking = false;
						task.answer(/^y/i.test(answer) ? 'yes' : 'no');
					})();
				}
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
			if (!restored(report.verdict)) break;
		}
		prompt?.close();
		const verdict: DrillReport['verdict'] = reports.every(r => r.verdict === 'pass') ? 'pass' : reports.every(r => restored(r.verdict)) ? 'pass-with-warnings' : reports.some(r => r.verdict === 'aborted') ? 'aborted' : 'fail';
		if (ctx.options.json) printJson(reports.length === 1 ? reports[0] : {verdict, reports});
		else {
			const last = reports.at(-1)!;
			printInfo(`\nverdict: ${verdictLabel(verdict)}${last.reason ? ` (${escapeForTerminal(last.reason)})` : ''}`);
			// Name and location: two zero-config repositories used to be both "default".
			printInfo(`repository: ${escapeForTerminal(RepoRegistry.reportLabel(last))}${last.repository.id ? `, id ${last.repository.id.slice(0, 8)}` : ''}`);
			if (last.reportFiles) printInfo(`report: ${last.reportFiles.markdown}`);
			for (const r of reports) if (r.kept) printInfo(`restored copy kept at: ${escapeForTerminal(r.kept)} (delete it when you are done)`);
			if (last.reverify && restored(verdict)) printInfo(`re-verify by hand: ${last.reverify}  (expect ${last.hashes?.dump})`);
		}
		// Pass with warnings exits 0: the backup restores; the report and the verdict line say what is missing.
		return restored(verdict) ? 0 : verdict === 'aborted' ? exitCodes.canceled : exitCodes.failure;
	});
}
