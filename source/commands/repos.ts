/** `resto repos [--json]`: configured repositories and their status, checked concurrently. */
import {redactLocation} from '../util/redact.js';
import type {RegistryEvent} from '../model/repo-registry.js';
import {printJson, printWarning} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {formatDateTime, formatRelative, textTable} from '../util/format.js';
import {guard, loadConfigOrExit, repositoryModels} from './common.js';
import type {CommandContext} from './context.js';
import {lastDrillSummary} from './drill-summary.js';
import {commonOptions, defineCommand} from './spec.js';

export const spec = defineCommand({
	name: 'repos',
	summary: 'configured repositories and their status',
	usage: ['repos [--json]'],
	description: 'Checks every configured repository at once (health, snapshot count, latest snapshot, lock, last restore drill). Exit 1 when any repository is not ok or locked.',
	options: {json: commonOptions.json},
});

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const config = loadConfigOrExit();
		const registry = repositoryModels(config.repositories);
		registry.onEvent(event => printWarning(registryWarning(event)));
		await registry.checkAll();
		const rows = config.repositories.map(repo => {
			const state = registry.stateOf(repo.name);
			const st = state?.status;
			return {
				name: repo.name,
				repository: redactLocation(repo.access.repository),
				id: state?.id ?? null,
				sameAs: state ? state.names.filter(n => n !== repo.name) : [],
				status: st?.health ?? 'error',
				message: st?.message ?? null,
				snapshots: st?.snapshotCount ?? null,
				latest: st?.latest ? new Date(st.latest).toISOString() : null,
				lock: st?.lock ?? null,
				lastDrill: lastDrillSummary(state?.drills ?? []),
			};
		});
		const state = (name: string) => registry.stateOf(name);
		const healthy = rows.every(r => r.status === 'ok' || r.status === 'locked');
		if (ctx.options.json) {
			printJson({source: config.source, file: config.file ?? null, repositories: rows});
			return healthy ? 0 : 1;
		}
		if (rows.length === 0) {
			process.stdout.write('No repositories configured. Add one to the config file, set RESTIC_REPOSITORY, or run `resto demo`.\n');
			return 0;
		}
		// A row's message (why it failed, who holds the lock) goes on its own line below it.
		const drillCell = (d: (typeof rows)[number]['lastDrill']) => (d ? `${d.verdict === 'pass' ? 'pass' : d.verdict === 'pass-with-warnings' ? 'warn' : d.verdict === 'fail' ? 'FAIL' : 'aborted'} ${d.date.slice(0, 10)}` : 'never');
		const table = textTable(
			['NAME', 'STATUS', 'SNAPS', 'LATEST', 'DRILL', 'LOCATION'],
			rows.map(r => [escapeForTerminal(r.name), r.status, r.snapshots === null ? '' : String(r.snapshots), r.latest ? `${formatDateTime(Date.parse(r.latest))} (${formatRelative(Date.parse(r.latest))})` : '', drillCell(r.lastDrill), escapeForTerminal(r.repository)]),
		).split('\n');
		process.stdout.write(`${table[0]}\n`);
		rows.forEach((r, i) => {
			process.stdout.write(`${table[i + 1]}\n`);
			if (r.message) process.stdout.write(`  ${escapeForTerminal(r.message)}\n`);
			// A failed last drill is the one health fact a snapshot listing cannot show (a missing pack lists fine).
			const failed = state(r.name)?.drills[0];
			if (failed && failed.verdict === 'fail') process.stdout.write(`  last drill failed${failed.failedStep ? ` at ${failed.failedStep}` : ''}: ${escapeForTerminal(truncateReason(failed.reason ?? ''))} (resto drill --repo ${escapeForTerminal(r.name)} to try again)\n`);
		});
		return healthy ? 0 : 1;
	});
}

/** A registry event as a line on stderr. */
function registryWarning(event: RegistryEvent): string {
	switch (event.type) {
		case 'id-changed':
			return `${event.name}: the repository at ${event.location} changed its id (${event.from.slice(0, 8)} → ${event.to.slice(0, 8)})`;
		case 'shared':
			return `${event.names.join(' and ')} are the same repository (id ${event.id.slice(0, 8)})`;
		case 'removed':
			return `${event.names.join(', ')} left the configuration`;
		case 'unattributed-drills':
			return `${event.count} drill report${event.count === 1 ? '' : 's'} name no repository id and count for no repository: ${event.files.slice(0, 3).join(', ')}${event.files.length > 3 ? ', …' : ''}`;
	}
}

/** The first sentence or 160 columns of a failure reason: the full text is in the drill report. */
function truncateReason(reason: string): string {
	const first = (reason.split(/(?<=[.;])\s/)[0] ?? reason).replace(/;$/, '');
	return first.length > 160 ? `${first.slice(0, 159)}…` : first;
}
