/**
 * Glue between commands and the run log: learn the repository id when restic answers, file the record
 * under it, and never let a failure to write the log change a command's outcome.
 */
import type {Repository} from '../config/config.js';
import {parseCatConfig} from '../restic/parse.js';
import {runRestic, secretsOf} from '../restic/run.js';
import {locationSecrets, redact} from '../util/redact.js';
import {appendRun, logKey, rememberRepositoryId, resultOf, type RunRecord} from './run-log.js';
import {onBatteryFrom} from './schedule.js';
import {readPowerSupplies} from './schedule-install.js';
import {printWarning} from '../util/cli-output.js';

/** The repository id if restic answers quickly, else undefined (an unreachable repository has none now). */
export async function quickRepositoryId(repo: Repository): Promise<string | undefined> {
	try {
		const r = await runRestic(repo.access, ['cat', 'config', '--no-lock'], {
			collectStdout: true,
			signal: AbortSignal.timeout(20_000),
			stallTimeoutMs: 10_000,
		});
		const id = parseCatConfig(r.stdout).id;
		rememberRepositoryId(repo.access.repository, id);
		return id;
	} catch {
		return undefined;
	}
}

/** Append a run record; `reachable` false skips asking restic for the id (it just failed to answer). */
export async function recordRun(
	repo: Repository,
	record: Omit<RunRecord, 'v' | 'repository' | 'repositoryId' | 'result'> & {
		result?: RunRecord['result'];
	},
	reachable = true,
): Promise<void> {
	try {
		const id = reachable ? await quickRepositoryId(repo) : undefined;
		const key = logKey(repo.access.repository, id);
		// The log names repositories, never their location (a URL may carry credentials).
		const clean = (text: string) => redact(text.split(repo.access.repository).join(`<${repo.name}>`), [...secretsOf(repo.access), ...locationSecrets(repo.access.repository)]);
		appendRun(key, {
			v: 1,
			repository: repo.name,
			repositoryId: /^[0-9a-f]{64}$/.test(key) ? key : undefined,
			result: record.result ?? resultOf(record.exitCode),
			...record,
			errors: record.errors.map(clean),
			message: record.message === undefined ? undefined : clean(record.message),
		});
	} catch (error) {
		printWarning(`could not write the run log: ${(error as Error).message}`);
	}
}

/** True when the set says onBattery: skip (or RESTO_ON_BATTERY=skip, set by the unit / cron line) and the machine runs on battery. */
export function skipForBattery(setWantsSkip = false, env: NodeJS.ProcessEnv = process.env, root?: string): boolean {
	return (setWantsSkip || env.RESTO_ON_BATTERY === 'skip') && onBatteryFrom(readPowerSupplies(root ?? env.RESTO_POWER_SUPPLY_DIR));
}
