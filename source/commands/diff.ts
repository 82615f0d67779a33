/**
 * `resto diff A B [--repo R] [--json]`: what changed from snapshot A to snapshot B (`restic diff --json --metadata`),
 * with added / removed / changed / metadata-only counts per folder.
 */
import {exitCodes} from '../util/exit-codes.js';
import {printJson} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {formatBytes} from '../util/format.js';
import {DiffTree, type DiffCounts} from '../union/diff-tree.js';
import {clientFor, ExitError, guard, loadConfigOrExit, repoOrExit} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand, option, wholeNumber} from './spec.js';
import {resolveSnapshotArg} from './union-common.js';

export const spec = defineCommand({
	name: 'diff',
	summary: 'what changed between two snapshots, per folder',
	usage: ['diff A B [--repo R] [--json] [--depth N]'],
	description:
		'A and B are snapshot ids, unique prefixes or `latest`. Runs restic diff (with metadata changes) and arranges its changes by folder: + added, - removed, M content changed, T type changed (a folder that became a file: restic 0.14 lists none of its old children), U only metadata (mode, mtime, owner). --json prints {source, target, statistics, changes: [...], folders: [{path, added, removed, changed, metadata}]}. The text output lists the folders down to --depth levels below the deepest common folder (default 2), then every change.',
	options: {
		repo: commonOptions.repo,
		json: commonOptions.json,
		depth: option({type: 'string', value: 'N', description: 'folder levels in the text summary (default 2)', parse: wholeNumber({min: 0, max: 100})}),
	},
	maxArgs: 2,
});

const countsText = (c: DiffCounts) => [c.added && `+${c.added}`, c.removed && `-${c.removed}`, c.changed && `~${c.changed}`, c.metadata && `U${c.metadata}`].filter(Boolean).join(' ');

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const [a, b] = ctx.args;
		if (!a || !b) throw new ExitError(exitCodes.usage, 'resto diff needs two snapshots: resto diff A B');
		const config = loadConfigOrExit();
		const repo = repoOrExit(config, ctx);
		const client = clientFor(repo);
		const snapshots = await client.snapshots();
		const source = resolveSnapshotArg(snapshots, a);
		const target = resolveSnapshotArg(snapshots, b);
		const tree = new DiffTree();
		const statistics = await client.diff(source, target, change => tree.add(change));
		if (ctx.options.json) {
			printJson({source, target, statistics: statistics ?? null, total: tree.total, folders: tree.folders(), changes: tree.all().map(c => ({path: c.path, dir: c.dir, kind: c.kind, modifier: c.modifier}))});
			return exitCodes.ok;
		}
		process.stdout.write(`from ${source.slice(0, 8)} to ${target.slice(0, 8)}: ${countsText(tree.total) || 'no changes'}\n`);
		if (statistics) process.stdout.write(`  ${statistics.added.files} files added (${formatBytes(statistics.added.bytes)}), ${statistics.removed.files} removed (${formatBytes(statistics.removed.bytes)}), ${statistics.changedFiles} changed\n`);
		// The folders, from the deepest one that holds every change, down a few levels.
		let top = '/';
		for (;;) {
			const rows = tree.list(top);
			// Folders above the changes only differ in metadata (their mtime): step through them.
			if (rows.length !== 1 || !rows[0]!.hasChildren || (rows[0]!.change && rows[0]!.change.kind !== 'changed')) break;
			top = rows[0]!.path;
		}
		const depth = ctx.options.depth ?? 2;
		const base = top === '/' ? 0 : top.split('/').length - 1;
		const folders = tree.folders().filter(f => (f.path === top || f.path.startsWith(top === '/' ? '/' : `${top}/`)) && (f.path === '/' ? 0 : f.path.split('/').length - 1) - base <= depth);
		if (folders.length) process.stdout.write('\nFolders (+ added, - removed, ~ changed, U metadata only)\n');
		for (const f of folders) process.stdout.write(`  ${countsText(f).padEnd(24)} ${escapeForTerminal(f.path)}${f.path === '/' ? '' : '/'}\n`);
		const all = tree.all();
		if (all.length) process.stdout.write('\nChanges\n');
		for (const c of all) process.stdout.write(`  ${c.modifier.padEnd(3)} ${escapeForTerminal(c.path)}${c.dir ? '/' : ''}\n`);
		return exitCodes.ok;
	});
}
