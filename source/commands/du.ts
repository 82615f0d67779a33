/**
 * `resto du [SNAPSHOT] [PATH] [--repo R] [--json] [--top N]`: the largest folders and files of a snapshot, summed
 * from the file index (no restic listing); `resto du --grew A B`: the folders that grew most from A to B.
 */
import {exitCodes} from '../util/exit-codes.js';
import {printJson} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {formatBytes, formatDateTime} from '../util/format.js';
import {grew, largest, slotOf} from '../union/du.js';
import {ExitError, guard} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand, option, wholeNumber} from './spec.js';
import {indexOf, snapshotRef} from './union-common.js';

export const spec = defineCommand({
	name: 'du',
	summary: 'largest folders and files of a snapshot; which folders grew',
	usage: ['du [SNAPSHOT] [PATH] [--repo R] [--json] [--top N]', 'du --grew A B [--repo R] [--json] [--top N]'],
	description:
		'Sizes are summed from the file index (the sizes restic lists, not disk blocks or deduplicated storage). SNAPSHOT defaults to the newest; PATH to the folder that holds the whole snapshot. Prints the entries of PATH by size, the largest folders below it (a folder that is only a wrapper around one sub-folder is left out) and the largest files. With --grew, the folders whose contents grew most from snapshot A to snapshot B.',
	options: {
		repo: commonOptions.repo,
		json: commonOptions.json,
		top: option({type: 'string', value: 'N', description: 'how many folders and files to list (default 20)', parse: wholeNumber({min: 1, max: 10_000})}),
		grew: option({type: 'boolean', description: 'compare two snapshots: du --grew A B'}),
	},
	maxArgs: 2,
});

function snapshotOrExit(fn: () => number): number {
	try {
		return fn();
	} catch (error) {
		throw new ExitError(exitCodes.failure, (error as Error).message);
	}
}

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const top = ctx.options.top ?? 20;
		if (ctx.options.grew && ctx.args.length !== 2) throw new ExitError(exitCodes.usage, 'du --grew needs two snapshots: resto du --grew A B');
		for (const a of ctx.options.grew ? ctx.args : ctx.args.slice(0, 1)) {
			if (a !== 'latest' && !/^[0-9a-f]{4,64}$/.test(a) && !(a.startsWith('/') && !ctx.options.grew)) throw new ExitError(exitCodes.usage, `not a snapshot id: ${escapeForTerminal(a)}`);
		}
		const {index} = await indexOf(ctx);
		if (ctx.options.grew) {
			const [a, b] = ctx.args as [string, string];
			snapshotOrExit(() => slotOf(index, a));
			snapshotOrExit(() => slotOf(index, b));
			const g = grew(index, a, b, top);
			if (ctx.options.json) {
				printJson({before: snapshotRef(g.before), after: snapshotRef(g.after), totalDelta: g.totalDelta, folders: g.folders});
				return exitCodes.ok;
			}
			process.stdout.write(`from ${g.before.shortId} (${formatDateTime(g.before.time)}) to ${g.after.shortId} (${formatDateTime(g.after.time)}): ${g.totalDelta >= 0 ? '+' : '-'}${formatBytes(Math.abs(g.totalDelta))} in all\n`);
			if (g.folders.length === 0) process.stdout.write('no folder grew\n');
			for (const f of g.folders) process.stdout.write(`  +${formatBytes(f.delta).padStart(9)}  ${formatBytes(f.before).padStart(9)} → ${formatBytes(f.after).padStart(9)}  ${escapeForTerminal(f.path)}/\n`);
			return exitCodes.ok;
		}
		// `du PATH` (no snapshot) is the newest snapshot.
		const [first, second] = ctx.args;
		const snapshot = first !== undefined && !first.startsWith('/') ? first : 'latest';
		const folder = first?.startsWith('/') ? first : second;
		snapshotOrExit(() => slotOf(index, snapshot));
		const r = largest(index, snapshot, {folder, top});
		if (ctx.options.json) {
			printJson({snapshot: snapshotRef(r.snapshot), folder: r.folder, totalBytes: r.totalBytes, totalFiles: r.totalFiles, entries: r.entries, folders: r.folders, files: r.files});
			return exitCodes.ok;
		}
		process.stdout.write(`${escapeForTerminal(r.folder)} in ${r.snapshot.shortId} (${formatDateTime(r.snapshot.time)}): ${formatBytes(r.totalBytes)} in ${r.totalFiles.toLocaleString('en-US')} files\n\n`);
		const row = (p: {path: string; bytes: number; type: string}, base?: string) => {
			const shown = base && p.path.startsWith(`${base === '/' ? '' : base}/`) ? p.path.slice(base === '/' ? 1 : base.length + 1) : p.path;
			const pct = r.totalBytes > 0 ? `${((100 * p.bytes) / r.totalBytes).toFixed(1)}%` : '';
			return `  ${formatBytes(p.bytes).padStart(9)}  ${pct.padStart(6)}  ${escapeForTerminal(shown)}${p.type === 'dir' ? '/' : ''}\n`;
		};
		process.stdout.write('Entries\n');
		for (const e of r.entries.slice(0, top)) process.stdout.write(row(e, r.folder));
		process.stdout.write('\nLargest folders\n');
		for (const f of r.folders) process.stdout.write(row(f));
		process.stdout.write('\nLargest files\n');
		for (const f of r.files) process.stdout.write(row(f));
		return exitCodes.ok;
	});
}
