/** `resto snapshots [--repo R] [--json]`: the snapshots of one repository. */
import {printJson} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {formatBytes, formatDateTime, formatRelative, plural, textTable} from '../util/format.js';
import {clientFor, guard, loadConfigOrExit, repoOrExit} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand} from './spec.js';

export const spec = defineCommand({
	name: 'snapshots',
	summary: 'snapshots of one repository',
	usage: ['snapshots [--repo R] [--host H] [--json]'],
	description: "Lists the snapshots of one repository, newest first: id, time, age, host, tags, size and paths. --json prints restic's fields plus full ids.",
	options: {repo: commonOptions.repo, host: commonOptions.host, json: commonOptions.json},
});

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const config = loadConfigOrExit();
		const repo = repoOrExit(config, ctx);
		const snapshots = await clientFor(repo).snapshots({hosts: ctx.options.host ? [ctx.options.host] : undefined});
		if (ctx.options.json) {
			printJson(
				snapshots.map(s => ({
					id: s.id,
					shortId: s.shortId,
					time: s.timeText,
					hostname: s.hostname,
					username: s.username,
					paths: s.paths,
					tags: s.tags,
					parent: s.parent ?? null,
					totalBytes: s.totalBytes ?? null,
					totalFiles: s.totalFiles ?? null,
				})),
			);
			return 0;
		}
		if (snapshots.length === 0) {
			process.stdout.write(`${repo.name}: no snapshots\n`);
			return 0;
		}
		process.stdout.write(
			textTable(
				['ID', 'TIME', 'AGE', 'HOST', 'TAGS', 'SIZE', 'PATHS'],
				snapshots.map(s => [s.shortId, formatDateTime(s.time), formatRelative(s.time), escapeForTerminal(s.hostname), escapeForTerminal(s.tags.join(',')), s.totalBytes === undefined ? '' : formatBytes(s.totalBytes), escapeForTerminal(s.paths.join(' '))]),
			),
		);
		process.stdout.write(`${plural(snapshots.length, 'snapshot')}\n`);
		return 0;
	});
}
