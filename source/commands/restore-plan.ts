/** `resto restore --plan FILE.json [--target DIR] [--overwrite] [--json]`: several paths, each from its own snapshot, in one run. */
import {readFileSync} from 'node:fs';
import type {Repository} from '../config/config.js';
import {runRestorePlan} from '../restore/plan-restore.js';
import {parsePlanText, PlanError} from '../union/plan.js';
import {exitCodes} from '../util/exit-codes.js';
import {printInfo, printJson} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {formatBytes} from '../util/format.js';
import {onShutdown} from '../util/signals.js';
import {clientFor, ExitError} from './common.js';

/** Run the plan in FILE; exit 0 when every item was restored and verified, 1 otherwise. */
export async function runPlanFile(repo: Repository, file: string, options: {target?: string; root?: string; overwrite?: boolean; json?: boolean}): Promise<number> {
	let plan;
	try {
		plan = parsePlanText(readFileSync(file, 'utf8'));
	} catch (error) {
		if (error instanceof PlanError) throw new ExitError(exitCodes.usage, `${escapeForTerminal(file)}: ${error.message}`);
		throw new ExitError(exitCodes.usage, `cannot read the plan ${escapeForTerminal(file)}: ${(error as Error).message}`);
	}
	const controller = new AbortController();
	const running = runRestorePlan(clientFor(repo), plan, {target: options.target, root: options.root, overwrite: options.overwrite, signal: controller.signal, onProgress: p => printInfo(escapeForTerminal(p.text))});
	// On a signal: stop, and let the run remove its staging folder before resto exits.
	const unregister = onShutdown(async () => {
		controller.abort();
		await running.catch(() => undefined);
	});
	let result;
	try {
		result = await running;
	} finally {
		unregister();
	}
	if (options.json) printJson(result);
	else {
		for (const item of result.items) {
			const what = `${item.snapshot.slice(0, 8)}:${escapeForTerminal(item.path)}`;
			if (item.status === 'restored') process.stdout.write(`restored  ${what} → ${escapeForTerminal(item.destination)} (${item.files} file${item.files === 1 ? '' : 's'}, ${formatBytes(item.bytes)}, size verified${item.replaced ? ', replaced what was there' : ''})\n`);
			else process.stdout.write(`${item.status.padEnd(8)}  ${what}: ${escapeForTerminal(item.error ?? '')}\n`);
			for (const m of item.mismatches ?? []) process.stdout.write(`          ${escapeForTerminal(m.path)}: ${m.restored < 0 ? 'missing' : `${m.restored} bytes`}, snapshot has ${m.expected}\n`);
		}
		const ok = result.items.filter(i => i.status === 'restored').length;
		printInfo(`${ok} of ${result.items.length} item${result.items.length === 1 ? '' : 's'} restored into ${escapeForTerminal(result.target)}`);
	}
	return result.ok ? exitCodes.ok : exitCodes.failure;
}
