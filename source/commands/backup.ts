/**
 * `resto backup [SET] [--json] [--dry-run] [--stall-timeout S]` or `resto backup --repo R [--] PATH…`.
 * --json: NDJSON events on stdout (status ≤ 10 Hz, warning, error, backend-error, item, summary, result).
 * Without a TTY: a plain progress line every few seconds. Exit codes: 0, 3 (incomplete: unreadable files
 * or missing paths), 1, 2, 10, 11, 12, 130.
 */
import path from 'node:path';
import {BackupPreflightError, planFromPaths, planFromSet, type BackupPlan} from '../backup/backup-set.js';
import {NewSetError, saveBackupSet, suggestedSet} from '../backup/new-set.js';
import {ConfigError} from '../config/config.js';
import {configFilePath} from '../config/paths.js';
import {exitCodes} from '../util/exit-codes.js';
import {BackupTask, isFinished, type BackupState} from '../tasks/backup-task.js';
import {printError, printInfo, printWarning} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {formatBytes, formatDuration, plural} from '../util/format.js';
import {onShutdown} from '../util/signals.js';
import {clientFor, ExitError, guard, loadConfigOrExit, repoOrExit} from './common.js';
import {recordRun, skipForBattery} from '../ops/record.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand, option, wholeNumber} from './spec.js';

export const spec = defineCommand({
	name: 'backup',
	summary: 'run a configured backup set, or back up paths',
	usage: ['backup [SET] [--json] [--dry-run] [--stall-timeout S]', 'backup --repo R [--json] [--dry-run] [--] PATH...', 'backup --init-set NAME [--repo R] [PATH...]'],
	description: `Runs a backup set from the config (its hooks, excludes and repository), or with --repo backs up the given paths.
Progress goes to stderr (a line every few seconds without a terminal); --json prints NDJSON events on stdout
(status, warning, error, backend-error, item, summary, result). Exit 3 when the snapshot was saved but some files
could not be read or some paths did not exist.
--init-set NAME writes a new backup set into the config file and runs nothing: the given paths (default: your
home directory, or the demo's home on the demo repository) with the usual excludes (~/.cache, the trash,
node_modules, __pycache__, .venv, *.tmp, *.swp) and --exclude-caches. Comments in the file are kept.`,
	options: {
		repo: commonOptions.repo,
		json: commonOptions.json,
		'dry-run': option({type: 'boolean', description: 'show what would be backed up (each file with --json), write nothing'}),
		'stall-timeout': option({type: 'string', value: 'S', description: 'stop when the backend makes no progress for S seconds (0 never stops)', parse: wholeNumber({min: 0})}),
		'init-set': option({type: 'string', value: 'NAME', description: 'write a new backup set NAME (PATHs, default your home, with the usual excludes) into the config; runs nothing'}),
		unattended: option({type: 'boolean', description: 'run by a timer or cron: skip on battery when RESTO_ON_BATTERY=skip (onBattery: skip), mark the run log record unattended'}),
	},
	maxArgs: Number.POSITIVE_INFINITY,
});

/** One human progress line. */
export function progressLine(s: BackupState): string {
	const st = s.status;
	if (!st) return s.phase === 'checking' ? 'checking the repository…' : `${s.phase}…`;
	const pct = s.scanned || st.totalFiles > 0 ? `${(st.percentDone * 100).toFixed(1)}%` : 'scanning';
	const eta = st.secondsRemaining ? `, ETA ${formatDuration(st.secondsRemaining)}` : '';
	const stalled = s.stalledFor >= 10 ? ` — no progress for ${s.stalledFor} s${s.backendError ? `, backend error: ${s.backendError} (restic retries)` : ''}` : '';
	return `${pct} ${st.filesDone}/${st.totalFiles || '?'} files, ${formatBytes(st.bytesDone)}/${st.totalBytes ? formatBytes(st.totalBytes) : '?'}, ${formatBytes(s.rate)}/s, ${formatDuration(st.secondsElapsed)} elapsed${eta}${stalled}`;
}

/** The closing summary as text. */
export function summaryText(s: BackupState): string {
	const sum = s.summary;
	if (!sum) return '';
	return `${sum.dryRun ? 'dry run: would back up' : 'backed up'} ${plural(sum.totalFilesProcessed, 'file')} (${formatBytes(sum.totalBytesProcessed)}): ${sum.filesNew} new, ${sum.filesChanged} changed, ${sum.filesUnmodified} unmodified; dirs ${sum.dirsNew} new, ${sum.dirsChanged} changed, ${sum.dirsUnmodified} unmodified; ${formatBytes(sum.dataAdded)} added in ${formatDuration(sum.totalDuration)}${s.snapshotId && !sum.dryRun ? `; snapshot ${s.snapshotId.slice(0, 8)}` : ''}`;
}

function planFor(ctx: CommandContext<typeof spec>): BackupPlan {
	const config = loadConfigOrExit();
	const dryRun = Boolean(ctx.options['dry-run']);
	const [first, ...rest] = ctx.args;
	const set = first ? config.backupSets.find(s => s.name === first) : undefined;
	if (set) {
		if (rest.length > 0) throw new ExitError(exitCodes.usage, 'give either a backup set or paths, not both');
		return planFromSet(config, set, {dryRun});
	}
	if (ctx.args.length > 0 && (ctx.options.repo || config.backupSets.length === 0 || first!.includes('/') || first === '.')) {
		return planFromPaths(repoOrExit(config, ctx), ctx.args, {dryRun});
	}
	if (first) throw new ExitError(exitCodes.usage, `no backup set "${first}" (configured: ${config.backupSets.map(s => s.name).join(', ') || 'none'}); to back up paths use: resto backup --repo R PATH…`);
	if (config.backupSets.length === 1) return planFromSet(config, config.backupSets[0]!, {dryRun});
	throw new ExitError(
		exitCodes.usage,
		config.backupSets.length === 0
			? 'no backup set configured. Create one with: resto backup --init-set home [--repo R] [PATH…] (your home with the usual cache excludes, saved to the config; then resto backup home --dry-run), or back up paths once: resto backup --repo R PATH…'
			: `several backup sets: name one of ${config.backupSets.map(s => s.name).join(', ')}`,
	);
}

/** --stall-timeout (seconds, 0 disables) in milliseconds. */
function stallTimeoutMs(ctx: CommandContext<typeof spec>): number | undefined {
	const seconds = ctx.options['stall-timeout'];
	return seconds === undefined ? undefined : seconds * 1000;
}

/** --init-set: save a new set to the config file, show what was added, run nothing. */
function initSet(ctx: CommandContext<typeof spec>, name: string): number {
	const config = loadConfigOrExit();
	const repo = repoOrExit(config, ctx);
	const draft = suggestedSet(config, repo);
	const file = config.source === 'file' && config.file ? config.file : configFilePath();
	try {
		const saved = saveBackupSet(file, {...draft, name, paths: ctx.args.length > 0 ? ctx.args.map(p => path.resolve(p)) : draft.paths}, repo);
		printInfo(`added to ${saved.file}:\n${saved.snippet.trimEnd()}`);
		printInfo(`try it without writing anything: resto backup ${saved.set.name} --dry-run`);
		return exitCodes.ok;
	} catch (error) {
		if (error instanceof NewSetError || error instanceof ConfigError) throw new ExitError(exitCodes.failure, error.message);
		throw error;
	}
}

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const init = ctx.options['init-set'];
		if (init !== undefined) return initSet(ctx, init);
		let plan: BackupPlan;
		const startedAt = new Date().toISOString();
		const unattended = Boolean(ctx.options.unattended);
		try {
			plan = planFor(ctx);
		} catch (error) {
			if (error instanceof BackupPreflightError) {
				// A timer's backup that cannot start (every source gone, a hook path missing) is a failed run
				// too: the run log and the repositories screen must show it, not just the journal.
				const set = unattended ? loadConfigOrExit().backupSets.find(s => s.name === ctx.args[0]) : undefined;
				const repo = set ? loadConfigOrExit().repositories.find(r => r.name === set.repository) : undefined;
				if (set && repo) await recordRun(repo, {op: 'backup', set: set.name, start: startedAt, end: new Date().toISOString(), exitCode: error.exitCode, result: 'failed', errors: [error.message], unattended, message: error.message});
				throw new ExitError(error.exitCode, error.message);
			}
			throw error;
		}
		if (unattended && skipForBattery(loadConfigOrExit().backupSets.find(s => s.name === plan.name)?.schedule?.onBattery === 'skip')) {
			printInfo(`${plan.name}: on battery power, skipped (onBattery: skip)`);
			await recordRun(plan.repo, {op: 'backup', set: plan.name, start: startedAt, end: new Date().toISOString(), result: 'skipped', exitCode: 0, errors: [], unattended, message: 'on battery power'}, false);
			return 0;
		}
		const json = Boolean(ctx.options.json);
		const emit = (obj: unknown) => process.stdout.write(`${JSON.stringify(obj)}\n`);
		// Missing paths are known now: say so before anything starts, not after the backup.
		for (const p of plan.missing) {
			if (json) emit({type: 'warning', message: `${p} does not exist, skipped`});
			else printWarning(`${p} does not exist, skipped`);
		}
		const task = new BackupTask(plan, clientFor(plan.repo), {
			stallTimeoutMs: stallTimeoutMs(ctx),
			onEvent: ev => {
				if (!json) return;
				if (ev.type === 'error') emit({type: 'error', item: ev.error.item, during: ev.error.during, message: ev.error.message});
				else if (ev.type === 'summary') emit({type: 'summary', ...ev.summary});
				else if (ev.type === 'verbose' && plan.options.dryRun) emit({type: 'item', action: ev.verbose.action, item: ev.verbose.item, size: ev.verbose.dataSize});
			},
		});
		let lastStatusAt = 0;
		let lastLineAt = 0;
		let lastBackendError: string | undefined;
		const tty = process.stderr.isTTY;
		const unsubscribe = task.subscribe(() => {
			const s = task.getSnapshot();
			const now = Date.now();
			if (isFinished(s)) return;
			if (s.backendError && s.backendError !== lastBackendError) {
				if (json) emit({type: 'backend-error', message: s.backendError, stalledSeconds: s.stalledFor});
				else if (!tty) printWarning(`backend error, restic is retrying: ${s.backendError}`);
			}
			lastBackendError = s.backendError;
			if (json && s.status && !s.summary && now - lastStatusAt >= 100) {
				lastStatusAt = now;
				emit({
					type: 'status',
					phase: s.phase,
					percentDone: s.status.percentDone,
					filesDone: s.status.filesDone,
					totalFiles: s.status.totalFiles,
					bytesDone: s.status.bytesDone,
					totalBytes: s.status.totalBytes,
					secondsElapsed: s.status.secondsElapsed,
					secondsRemaining: s.status.secondsRemaining,
					bytesPerSecond: Math.round(s.rate),
					stalledSeconds: s.stalledFor,
					errorCount: s.errors.length,
					currentFiles: s.status.currentFiles,
				});
			}
			if (!json) {
				if (tty && now - lastLineAt >= 100) {
					lastLineAt = now;
					process.stderr.write(`\r\x1b[2K${escapeForTerminal(progressLine(s)).slice(0, (process.stderr.columns || 80) - 1)}`);
				} else if (!tty && now - lastLineAt >= 3000) {
					// Like RESTIC_PROGRESS_FPS for logs: a plain line every few seconds, not a redraw.
					lastLineAt = now;
					printInfo(progressLine(s));
				}
			}
		});
		if (!json) printInfo(`${plan.options.dryRun ? 'dry run of' : 'backing up'} ${plan.name} (${plan.options.paths.map(p => escapeForTerminal(p)).join(', ')}) to ${plan.repo.name}${plan.lowPriority ? ' at low priority' : ''}`);
		const running = task.run();
		// Ctrl-C, SIGTERM, SIGHUP: restic gets SIGINT (releases its lock); the shutdown waits for the task so
		// the post-hook runs and the outcome is printed before resto exits.
		const unregister = onShutdown(async () => {
			task.cancel();
			await running;
		});
		const state = await running;
		unsubscribe();
		unregister();
		if (tty && !json) process.stderr.write('\r\x1b[2K');
		const early = new Set(plan.missing.map(p => `${p} does not exist, skipped`));
		for (const w of state.warnings.filter(w => !early.has(w))) {
			if (json) emit({type: 'warning', message: w});
			else printWarning(w);
		}
		if (json) {
			emit({type: 'result', phase: state.phase, exitCode: state.exitCode, snapshotId: state.snapshotId ?? null, message: state.message ?? null, errors: state.errors, missing: plan.missing});
			// Logs of scripted runs keep stdout for the data; the reason for a failure also goes to stderr.
			if (state.message && state.phase !== 'done') (state.phase === 'failed' ? printError : printWarning)(state.message);
		} else {
			if (state.errors.length > 0) printWarning(`${plural(state.errors.length, 'file')} could not be read:`);
			for (const e of state.errors) printWarning(`could not read ${escapeForTerminal(e.item)} (${e.during}): ${e.message}`);
			if (state.phase === 'done' || state.phase === 'partial') printInfo(summaryText(state));
			if (plan.options.dryRun && state.items.length > 0) {
				const files = state.items.filter(i => !i.item.endsWith('/'));
				for (const item of files.slice(0, 200)) printInfo(`  ${item.action.padEnd(10)} ${formatBytes(item.dataSize).padStart(9)}  ${escapeForTerminal(item.item)}`);
				if (files.length > 200) printInfo(`  … and ${files.length - 200} more (--json lists them all)`);
			}
			if (state.message) (state.phase === 'failed' ? printError : printWarning)(state.message);
		}
		// The run log (issue 15): every non-interactive backup leaves a record, failures included.
		if (!plan.options.dryRun) {
			await recordRun(
				plan.repo,
				{
					op: 'backup',
					set: plan.name,
					start: startedAt,
					end: new Date().toISOString(),
					exitCode: state.exitCode ?? 1,
					snapshot: state.snapshotId,
					bytesAdded: state.summary?.dataAdded,
					errors: [...state.errors.map(e => `${e.item}: ${e.message}`), ...(state.phase === 'failed' && state.message ? [state.message] : [])],
					unattended,
					message: state.message,
				},
				state.phase === 'done' || state.phase === 'partial',
			);
		}
		return state.exitCode ?? 1;
	});
}
