/**
 * `resto diff A B [--repo R] [--json]`: what changed from snapshot A to snapshot B (`restic diff --json --metadata`),
 * with added / removed / changed / metadata-only counts per folder. `resto diff [A] --live`: snapshot A (the
 * newest of this host by default) against the files on disk now.
 */
import os from 'node:os';
import {exitCodes} from '../util/exit-codes.js';
import {printJson} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {formatBytes} from '../util/format.js';
import {DiffTree, type DiffCounts} from '../union/diff-tree.js';
import {diffLive, excludesFor, type LiveDiffStatistics} from '../union/live-diff.js';
import {clientFor, ExitError, guard, loadConfigOrExit, repoOrExit} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand, option, wholeNumber} from './spec.js';
import {resolveSnapshotArg} from './union-common.js';

export const spec = defineCommand({
	name: 'diff',
	summary: 'what changed between two snapshots, per folder',
	usage: ['diff A B [--repo R] [--json] [--depth N]', 'diff [A] --live [--repo R] [--json] [--depth N]'],
	description:
		'A and B are snapshot ids, unique prefixes or `latest`. Runs restic diff (with metadata changes) and arranges its changes by folder: + added, - removed, M content changed, T type changed (a folder that became a file: restic 0.14 lists none of its old children), U only metadata (mode, mtime, owner). --json prints {source, target, statistics, changes: [...], folders: [{path, added, removed, changed, metadata}]}. The text output lists the folders down to --depth levels below the deepest common folder (default 2), then every change. With --live, A (default: latest, the newest snapshot of this host) is compared with the files on disk now under its backup paths (lstat: size, mtime, mode, link target; nothing is read or written): "what changed since the last backup". Its --json has target "live" and statistics {snapshotNodes, liveNodes, unreadable}.',
	options: {
		repo: commonOptions.repo,
		json: commonOptions.json,
		live: option({type: 'boolean', description: 'compare snapshot A with the live files (what changed since the backup)'}),
		depth: option({type: 'string', value: 'N', description: 'folder levels in the text summary (default 2)', parse: wholeNumber({min: 0, max: 100})}),
	},
	maxArgs: 2,
});

const countsText = (c: DiffCounts) => [c.added && `+${c.added}`, c.removed && `-${c.removed}`, c.changed && `~${c.changed}`, c.metadata && `U${c.metadata}`].filter(Boolean).join(' ');

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const [a, b] = ctx.args;
		const live = Boolean(ctx.options.live);
		if (live && b) throw new ExitError(exitCodes.usage, 'resto diff --live takes one snapshot: resto diff [A] --live');
		if (!live && (!a || !b)) throw new ExitError(exitCodes.usage, 'resto diff needs two snapshots: resto diff A B (or resto diff A --live)');
		const config = loadConfigOrExit();
		const repo = repoOrExit(config, ctx);
		const client = clientFor(repo);
		const snapshots = await client.snapshots();
		const tree = new DiffTree();
		let source: string;
		let target: string;
		let statistics: Awaited<ReturnType<typeof client.diff>> | LiveDiffStatistics;
		if (live) {
			// "latest" is the newest snapshot of this machine: another host's files are not on this disk.
			const host = os.hostname();
			const mine = snapshots.filter(s => s.hostname === host);
			if ((a ?? 'latest') === 'latest' && mine.length === 0) process.stderr.write(`resto: no snapshot of this host (${escapeForTerminal(host)}); comparing the newest snapshot of any host\n`);
			source = resolveSnapshotArg(mine.length && (a ?? 'latest') === 'latest' ? mine : snapshots, a ?? 'latest');
			target = 'live';
			const snap = snapshots.find(s => s.id === source)!;
			if (snap.hostname !== host) process.stderr.write(`resto: snapshot ${snap.shortId} is of host ${escapeForTerminal(snap.hostname)}, this is ${escapeForTerminal(host)}\n`);
			// What the backup set of these paths leaves out is not "added".
			statistics = await diffLive(client, snap, {onChange: change => tree.add(change), exclude: excludesFor(config.backupSets, repo.name, snap.paths)});
		} else {
			source = resolveSnapshotArg(snapshots, a!);
			target = resolveSnapshotArg(snapshots, b!);
			statistics = await client.diff(source, target, change => tree.add(change));
		}
		if (ctx.options.json) {
			printJson({source, target, statistics: statistics ?? null, total: tree.total, folders: tree.folders(), changes: tree.all().map(c => ({path: c.path, dir: c.dir, kind: c.kind, modifier: c.modifier}))});
			return exitCodes.ok;
		}
		process.stdout.write(`from ${source.slice(0, 8)} to ${target === 'live' ? 'the live files' : target.slice(0, 8)}: ${countsText(tree.total) || 'no changes'}\n`);
		if (statistics && 'liveNodes' in statistics)
			process.stdout.write(
				`  ${statistics.snapshotNodes.toLocaleString('en-US')} entries in the snapshot, ${statistics.liveNodes.toLocaleString('en-US')} on disk${statistics.excluded ? ` (${statistics.excluded} excluded by the backup set)` : ''}${statistics.unreadable ? `, ${statistics.unreadable} unreadable` : ''}\n`,
			);
		else if (statistics) process.stdout.write(`  ${statistics.added.files} files added (${formatBytes(statistics.added.bytes)}), ${statistics.removed.files} removed (${formatBytes(statistics.removed.bytes)}), ${statistics.changedFiles} changed\n`);
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
