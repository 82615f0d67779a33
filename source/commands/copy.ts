/**
 * `resto copy [--repo R | --set S] [--to COPY] [--json]`: run the repository's offsite copies (rclone sync
 * of its directory, or restic copy into a second repository) with live progress on stderr. Ctrl-C stops
 * the copy (rclone/restic get SIGINT and are waited for). Each copy's outcome goes to the run log.
 */
import type {CopyConfig} from '../config/ops-schema.js';
import {exitCodes} from '../restic/errors.js';
import {CopyError, runCopy, type CopyProgress} from '../ops/copy.js';
import {recordRun} from '../ops/record.js';
import {printError, printInfo} from '../util/cli-output.js';
import {formatBytes} from '../util/format.js';
import {onShutdown} from '../util/signals.js';
import {ExitError, guard, loadConfigOrExit, repoOrExit} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand, option} from './spec.js';

export const spec = defineCommand({
	name: 'copy',
	summary: "run a repository's offsite copies (rclone sync mirror or restic copy)",
	usage: ['copy [--repo R|--set S] [--to COPY] [--json]'],
	description: `Runs the copies configured for the repository: rclone sync of its directory, or restic copy into a second
repository, with live progress on stderr (--json: NDJSON progress and result events on stdout). A mirror must
have the source's repository id; a restic copy must keep the id it had at its first copy (or its repositoryId):
otherwise nothing is overwritten and the copy fails. Ctrl-C stops the copy (exit 130). Every copy goes to the run log.`,
	options: {
		repo: commonOptions.repo,
		set: option({
			type: 'string',
			value: 'S',
			description: "the backup set's repository",
		}),
		to: option({
			type: 'string',
			value: 'COPY',
			description: 'only this copy',
		}),
		unattended: option({
			type: 'boolean',
			description: 'mark the run log record unattended',
		}),
		json: commonOptions.json,
	},
});

function progressText(copy: CopyConfig, p: CopyProgress): string {
	if (p.phase !== 'copying') return `${copy.name}: ${p.phase}…`;
	const pct = p.total > 0 ? ` ${((p.done / p.total) * 100).toFixed(0)}%` : '';
	return p.unit === 'bytes' ? `${copy.name}:${pct} ${formatBytes(p.done)} of ${formatBytes(p.total)}` : `${copy.name}: snapshot ${p.done} of ${p.total}${p.message ? ` — ${p.message}` : ''}`;
}

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const config = loadConfigOrExit();
		const set = ctx.options.set ? config.backupSets.find(s => s.name === ctx.options.set) : undefined;
		if (ctx.options.set && !set) throw new ExitError(exitCodes.usage, `no backup set "${ctx.options.set}"`);
		const repo = set ? config.repositories.find(r => r.name === set.repository)! : repoOrExit(config, ctx);
		const all = repo.ops?.copies ?? [];
		if (all.length === 0) throw new ExitError(exitCodes.usage, `repository "${repo.name}" has no copies: add copies: [{name: usb2, type: rclone, target: /mnt/usb2/restic}] to it in the config`);
		const copies = ctx.options.to ? all.filter(c => c.name === ctx.options.to) : all;
		if (copies.length === 0) throw new ExitError(exitCodes.usage, `repository "${repo.name}" has no copy "${ctx.options.to}" (copies: ${all.map(c => c.name).join(', ')})`);
		const json = Boolean(ctx.options.json);
		const emit = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
		const abort = new AbortController();
		const tty = process.stderr.isTTY;
		let worst = 0;
		let work: Promise<void> | undefined;
		// A signal stops the copy and waits for it, so the outcome is printed and logged before resto exits.
		const unregister = onShutdown(async () => {
			abort.abort();
			await work?.catch(() => undefined);
		});
		work = (async () => {
			for (const copy of copies) {
				const start = new Date().toISOString();
				let lastAt = 0;
				try {
					const outcome = await runCopy(repo, copy, {
						signal: abort.signal,
						onProgress: p => {
							const now = Date.now();
							// Only copying lines are thinned out, and only against each other: the first one always shows,
							// also when it comes right after the 'checking' line (a fast copy has no other).
							if (p.phase === 'copying') {
								if (now - lastAt < (json ? 250 : tty ? 100 : 3000)) return;
								lastAt = now;
							}
							if (json) emit({type: 'progress', copy: copy.name, ...p});
							else if (tty) process.stderr.write(`\r\x1b[2K${progressText(copy, p).slice(0, (process.stderr.columns || 80) - 1)}`);
							else printInfo(progressText(copy, p));
						},
					});
					if (tty && !json) process.stderr.write('\r\x1b[2K');
					await recordRun(repo, {
						op: 'copy',
						copy: copy.name,
						set: set?.name,
						start,
						end: new Date().toISOString(),
						exitCode: 0,
						errors: [],
						unattended: Boolean(ctx.options.unattended),
						bytesAdded: copy.type === 'rclone' ? outcome.transferred : undefined,
						snapshot: outcome.snapshots[0]?.id,
						message: `${outcome.snapshots.length} snapshot(s) in the copy`,
					});
					if (json)
						emit({
							type: 'result',
							copy: copy.name,
							ok: true,
							copyType: copy.type,
							sourceId: outcome.sourceId,
							targetId: outcome.targetId,
							snapshots: outcome.snapshots.length,
							newest: outcome.snapshots[0]?.timeText ?? null,
							transferred: outcome.transferred,
							seconds: outcome.seconds,
						});
					else printInfo(`${copy.name}: ${copy.type === 'rclone' ? `mirrored (${formatBytes(outcome.transferred)} transferred)` : `${outcome.transferred} snapshot(s) copied`}; ${outcome.snapshots.length} snapshot(s) there, repository id ${outcome.targetId.slice(0, 12)}… verified`);
				} catch (error) {
					if (tty && !json) process.stderr.write('\r\x1b[2K');
					const kind = error instanceof CopyError ? error.kind : 'failed';
					const code = kind === 'canceled' ? exitCodes.canceled : exitCodes.failure;
					worst = Math.max(worst, code);
					await recordRun(repo, {
						op: 'copy',
						copy: copy.name,
						set: set?.name,
						start,
						end: new Date().toISOString(),
						exitCode: code,
						result: kind === 'canceled' ? 'canceled' : 'failed',
						errors: [(error as Error).message],
						unattended: Boolean(ctx.options.unattended),
						message: (error as Error).message,
					});
					if (json)
						emit({
							type: 'result',
							copy: copy.name,
							ok: false,
							kind,
							message: (error as Error).message,
						});
					printError((error as Error).message);
					if (kind === 'canceled') break;
				}
			}
		})();
		try {
			await work;
		} finally {
			unregister();
		}
		return worst;
	});
}
