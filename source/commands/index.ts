/** `resto index [--repo R]`: build or refresh the file index; progress on stderr. */
import {RepoIndexer} from '../index/indexer.js';
import {rememberRepoId} from '../index/known-repos.js';
import {printInfo, printWarning} from '../util/cli-output.js';
import {formatDuration, plural} from '../util/format.js';
import {clientFor, guard, loadConfigOrExit, repoOrExit} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand} from './spec.js';

export const spec = defineCommand({
	name: 'index',
	summary: 'build or refresh the file index (progress on stderr)',
	usage: ['index [--repo R] [--json]'],
	description: 'Lists every snapshot not yet in the local file index (snapshots are immutable: each is listed once) so `resto search` and the TUI search answer at once.',
	options: {repo: commonOptions.repo, json: commonOptions.json},
});

/** Refresh the index of a repository, printing progress to stderr when it is a terminal or every few seconds otherwise. */
export async function refreshIndex(indexer: RepoIndexer, quiet = false): Promise<void> {
	let last = 0;
	const tty = process.stderr.isTTY;
	const unsubscribe = indexer.subscribe(() => {
		const p = indexer.getSnapshot();
		if (quiet || p.phase !== 'listing') return;
		const now = Date.now();
		if (now - last < (tty ? 250 : 3000)) return;
		last = now;
		const line = `indexing: ${p.snapshotsDone}/${p.snapshotsTotal} snapshots, ${p.entries.toLocaleString('en-US')} entries (${p.entriesPerSecond.toLocaleString('en-US')}/s)${p.etaSeconds === undefined ? '' : `, ETA ${formatDuration(p.etaSeconds)}`}`;
		if (tty) process.stderr.write(`\r\x1b[2K${line}`);
		else printInfo(line);
	});
	try {
		await indexer.update();
	} finally {
		unsubscribe();
		if (tty && !quiet) process.stderr.write('\r\x1b[2K');
	}
	const p = indexer.getSnapshot();
	if (p.warning) printWarning(p.warning);
}

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const config = loadConfigOrExit();
		const repo = repoOrExit(config, ctx);
		const indexer = new RepoIndexer(clientFor(repo));
		const started = Date.now();
		await refreshIndex(indexer);
		// `resto search` then needs no restic to find this cache (see index/known-repos.ts).
		if (indexer.repoId) rememberRepoId(repo.access, indexer.repoId);
		const p = indexer.getSnapshot();
		const index = indexer.index;
		printInfo(
			`${repo.name}: ${plural(index.snapshots.length, 'snapshot')} indexed (${p.fromCache} from cache, ${index.snapshots.length - p.fromCache - (p.shared ?? 0)} listed${p.shared ? `, ${p.shared} with the tree of one already indexed` : ''}), ${index.pathCount.toLocaleString('en-US')} paths, ${index.versionCount.toLocaleString('en-US')} versions in ${((Date.now() - started) / 1000).toFixed(1)} s`,
		);
		if (ctx.options.json) process.stdout.write(`${JSON.stringify({repository: repo.name, snapshots: index.snapshots.length, fromCache: p.fromCache, paths: index.pathCount, versions: index.versionCount})}\n`);
		return 0;
	});
}
