/** `resto restore SNAPSHOT PATH [--repo R] [--target DIR] [--overwrite]`. */
import {isSnapshotId} from '../restic/argv.js';
import {exitCodes} from '../util/exit-codes.js';
import {RestoreConflictError, restorePath} from '../restore/restore.js';
import {defaultRestoreTarget, restoreRoot} from '../restore/target.js';
import {printInfo} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {formatBytes} from '../util/format.js';
import {clientFor, ExitError, guard, loadConfigOrExit, repoOrExit} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand, option} from './spec.js';

export const spec = defineCommand({
	name: 'restore',
	summary: 'restore one file or folder from a snapshot',
	usage: ['restore SNAPSHOT PATH [--repo R] [--target DIR] [--overwrite] [--json]', 'restore --plan FILE.json [--repo R] [--target DIR] [--overwrite] [--json]'],
	description:
		'SNAPSHOT is an id, an id prefix or `latest`; PATH the absolute path inside the snapshot (as `resto search` prints it). Restores into a new folder below `restoreTarget` from the config, else ~/resto-restore/ (or into DIR), and verifies the sizes; never overwrites without --overwrite.',
	options: {
		repo: commonOptions.repo,
		target: option({type: 'string', value: 'DIR', description: 'restore into DIR instead of a new folder'}),
		overwrite: option({type: 'boolean', description: 'replace files that already exist in the target'}),
		json: commonOptions.json,
		plan: option({type: 'string', value: 'FILE', description: 'restore every item of a plan {"items": [{"snapshot": ID, "path": PATH}, …]}, one restic restore per snapshot, verified and reported per item'}),
	},
	maxArgs: 2,
});

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		if (ctx.options.plan !== undefined) {
			if (ctx.args.length) throw new ExitError(exitCodes.usage, 'restore --plan takes no SNAPSHOT or PATH: the plan file names them');
			const {runPlanFile} = await import('./restore-plan.js');
			const config = loadConfigOrExit();
			return runPlanFile(repoOrExit(config, ctx), ctx.options.plan, {target: ctx.options.target, root: restoreRoot(config.restoreTarget), overwrite: ctx.options.overwrite, json: ctx.options.json});
		}
		const [snapshot, file] = ctx.args;
		if (!snapshot || !file) throw new ExitError(exitCodes.usage, 'usage: resto restore SNAPSHOT PATH [--target DIR] [--overwrite]');
		if (!isSnapshotId(snapshot)) throw new ExitError(exitCodes.usage, `not a snapshot id: ${escapeForTerminal(snapshot)}`);
		if (!file.startsWith('/')) throw new ExitError(exitCodes.usage, 'PATH must be the absolute path inside the snapshot (as `resto search` prints it)');
		const config = loadConfigOrExit();
		const repo = repoOrExit(config, ctx);
		const client = clientFor(repo);
		let snapshotId = snapshot;
		if (snapshot.length < 64 || snapshot === 'latest') {
			const snaps = await client.snapshots();
			const match = snapshot === 'latest' ? snaps.slice(0, 1) : snaps.filter(s => s.id.startsWith(snapshot));
			if (match.length !== 1) throw new ExitError(exitCodes.failure, match.length === 0 ? `no snapshot ${snapshot}` : `snapshot prefix ${snapshot} is ambiguous`);
			snapshotId = match[0]!.id;
		}
		const controller = new AbortController();
		try {
			// The same default as the TUI: a new folder below restoreTarget or ~/resto-restore, never the current directory.
			const target = ctx.options.target ?? defaultRestoreTarget(snapshotId, {root: restoreRoot(config.restoreTarget)});
			const result = await restorePath(client, {snapshotId, path: file, target, newFolder: ctx.options.target === undefined, overwrite: ctx.options.overwrite, signal: controller.signal, onStatus: s => printInfo(escapeForTerminal(s))});
			if (result.restoredParent) printInfo('the name is not valid UTF-8, so restic cannot address it alone: its whole parent directory was restored');
			printInfo(`restored ${result.files} file${result.files === 1 ? '' : 's'} (${formatBytes(result.bytes)}, size verified) to ${escapeForTerminal(result.restoredPath)}`);
			if (ctx.options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
			return 0;
		} catch (error) {
			if (error instanceof RestoreConflictError) throw new ExitError(exitCodes.failure, error.message);
			throw error;
		}
	});
}
