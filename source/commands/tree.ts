/**
 * `resto tree [PATH] [--repo R] [--json] [--deleted] [--host H] [--changed-days N]`: the children of PATH in the
 * union tree (every path of every snapshot), each with first/last seen, versions, newest size and ghost state.
 */
import {exitCodes} from '../util/exit-codes.js';
import {printJson} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {formatBytes, formatDateTime} from '../util/format.js';
import {UnionTree} from '../union/union-tree.js';
import {ExitError, guard} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand, option, wholeNumber} from './spec.js';
import {entryJson, indexOf, snapshotRef} from './union-common.js';

export const spec = defineCommand({
	name: 'tree',
	summary: 'every file that ever existed in any snapshot, deleted ones as ghosts',
	usage: ['tree [PATH] [--repo R] [--json] [--deleted] [--host H] [--changed-days N]'],
	description:
		'Lists the children of PATH (default /) in the union of all snapshots, from the file index: first and last snapshot that has each, the number of distinct versions, its size in the newest snapshot that has it. A path missing from the newest snapshot of its host that covers it is a ghost ("deleted after <snapshot>"). --json prints {path, snapshots, entries: [...]}. Exit 1 when PATH is in no snapshot.',
	options: {
		repo: commonOptions.repo,
		json: commonOptions.json,
		deleted: option({type: 'boolean', description: 'only deleted paths (ghosts) and the folders that hold them'}),
		host: commonOptions.host,
		'changed-days': option({type: 'string', value: 'N', description: 'only paths added, changed or deleted in the last N days', parse: wholeNumber({min: 0})}),
	},
	maxArgs: 1,
});

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const folder = ctx.args[0] ?? '/';
		if (!folder.startsWith('/')) throw new ExitError(exitCodes.usage, 'PATH must be absolute (as `resto search` prints paths)');
		const {index} = await indexOf(ctx);
		const host = ctx.options.host;
		if (host !== undefined && !index.snapshots.some(s => s.hostname === host)) {
			throw new ExitError(exitCodes.failure, `no snapshot of host ${escapeForTerminal(host)} (hosts: ${[...new Set(index.snapshots.map(s => s.hostname))].map(h => escapeForTerminal(h)).join(', ') || 'none'})`);
		}
		const tree = new UnionTree(index, {host});
		const days = ctx.options['changed-days'];
		const filter = {deletedOnly: Boolean(ctx.options.deleted), changedSince: days === undefined ? undefined : Date.now() - days * 86_400_000};
		const filtered = filter.deletedOnly || filter.changedSince !== undefined;
		let entries = tree.list(folder, filter);
		let self = false;
		if (entries.length === 0 && folder !== '/') {
			// PATH is a file (or a folder with nothing below): show the entry itself.
			const e = tree.entry(folder);
			if (e && !e.hasChildren) {
				entries = [e];
				self = true;
			} else if (!e) throw new ExitError(exitCodes.failure, `${escapeForTerminal(folder)} is in no snapshot${host ? ` of host ${escapeForTerminal(host)}` : ''}`);
		}
		const ghostsBelow = (p: string, isFolder: boolean) => (filtered && isFolder ? tree.below(p).ghosts : undefined);
		if (ctx.options.json) {
			printJson({
				path: folder,
				...(host ? {host} : {}),
				filter: {deleted: filter.deletedOnly, ...(days !== undefined ? {changedDays: days} : {})},
				snapshots: tree.snapshots().map(snapshotRef),
				...(filtered ? {ghosts: tree.ghostCount()} : {}),
				entries: entries.map(e => entryJson(e, ghostsBelow(e.path, e.hasChildren))),
			});
			return exitCodes.ok;
		}
		if (entries.length === 0) {
			process.stdout.write(filtered ? 'nothing matches the filter here\n' : 'empty folder\n');
			return exitCodes.ok;
		}
		const nameWidth = Math.min(48, Math.max(...entries.map(e => escapeForTerminal(e.name).length + (e.hasChildren ? 1 : 0))));
		for (const e of entries) {
			const name = `${escapeForTerminal(self ? e.path : e.name)}${e.hasChildren ? '/' : ''}`;
			const size = e.hasChildren ? '' : formatBytes(e.size);
			const seen = `${formatDateTime(e.firstSeen.time)} → ${formatDateTime(e.lastSeen.time)}`;
			const versions = `${e.versions} version${e.versions === 1 ? '' : 's'}`;
			const below = ghostsBelow(e.path, e.hasChildren);
			const state = e.ghost ? `  deleted after ${e.deletedAfter!.shortId} (${formatDateTime(e.deletedAfter!.time)})` : below ? `  ${below} deleted inside` : '';
			const kinds = e.types.length > 1 ? `  [${e.types.join('/')}]` : '';
			process.stdout.write(`${e.ghost ? '✝' : ' '} ${name.padEnd(nameWidth)}  ${size.padStart(9)}  ${versions.padEnd(11)}  ${seen}${kinds}${state}\n`);
		}
		return exitCodes.ok;
	});
}
