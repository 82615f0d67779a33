/**
 * `resto status [SET…] [--json]`: the 3-2-1 panel per backup set: its repository and copies, distinct
 * media, offsite yes/no, age of the newest snapshot in each, the last unattended run and copy results,
 * copies that trail the source and repositories overdue for a backup. Exit 1 when something is red.
 */
import {gatherStatus, type SetStatus} from '../ops/status.js';
import {printInfo, printJson} from '../util/cli-output.js';
import {formatRelative} from '../util/format.js';
import {guard, loadConfigOrExit} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand} from './spec.js';

export const spec = defineCommand({
	name: 'status',
	summary: '3-2-1 health per backup set: copies, media, offsite, ages, last results',
	usage: ['status [SET...] [--json]'],
	description: `For each backup set (and each repository with no set): its repository and copies, the distinct media, whether one
is offsite, the age of the newest snapshot of the set in each, the last unattended run and the last copy result.
A copy that trails the source, a copy that is a different repository, or a repository whose newest snapshot is
older than its expected interval is red; the exit code is then 1.`,
	options: {json: commonOptions.json},
	maxArgs: Number.POSITIVE_INFINITY,
});

function age(ms: number | undefined): string {
	return ms === undefined ? 'no snapshot' : formatRelative(Date.now() - ms);
}

function print(s: SetStatus): void {
	const mark = s.status === 'ok' ? 'OK  ' : s.status === 'warn' ? 'WARN' : 'FAIL';
	process.stdout.write(`${mark} ${s.set ? `set ${s.set}` : `repository ${s.repository}`}: ${s.copies} cop${s.copies === 1 ? 'y' : 'ies'}, ${s.media} medi${s.media === 1 ? 'um' : 'a'}, ${s.offsite ? 'offsite' : 'no offsite copy'}${s.meets321 ? ' (3-2-1)' : ''}\n`);
	for (const l of s.locations) {
		const flag = l.error ? `  ! ${l.error}` : l.lagging ? '  ! trails the source' : l.overdue ? '  ! overdue' : '';
		const last = l.lastRun ? `, last ${l.lastRun.op} ${l.lastRun.result} ${formatRelative(Date.parse(l.lastRun.end))}` : '';
		process.stdout.write(`     ${l.role === 'primary' ? '*' : '-'} ${l.name.padEnd(14)} ${l.medium.padEnd(22)} ${(l.offsite ? 'offsite' : 'onsite').padEnd(8)} newest ${age(l.ageMs)}${last}${flag}\n`);
	}
}

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const config = loadConfigOrExit();
		const status = await gatherStatus(config, {
			sets: ctx.args.length > 0 ? ctx.args : undefined,
		});
		if (ctx.options.json) printJson({sets: status});
		else {
			if (status.length === 0) printInfo('nothing configured: add repositories and backupSets to the config');
			for (const s of status) print(s);
		}
		return status.some(s => s.status === 'error') ? 1 : 0;
	});
}
