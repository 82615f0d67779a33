/** Restore one path from a snapshot into a new folder, asking first; progress goes to the status bar. */
import path from 'node:path';
import type {AppServices} from '../../app-context.js';
import type {Repository} from '../../config/config.js';
import {ResticError} from '../../restic/errors.js';
import {escapeForTerminal} from '../../util/escape.js';

/** `./resto-restore-<short id>-<YYYYMMDD-HHMMSS>` in the current directory: always a new folder. */
export function defaultRestoreTarget(snapshotId: string, now = new Date(), cwd = process.cwd()): string {
	const p = (n: number) => String(n).padStart(2, '0');
	const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
	return path.join(cwd, `resto-restore-${snapshotId.slice(0, 8)}-${stamp}`);
}

export async function restoreFromScreen(services: AppServices, repo: Repository, snapshotId: string, file: string): Promise<void> {
	const target = defaultRestoreTarget(snapshotId);
	const yes = await services.confirm(`Restore ${escapeForTerminal(file)} from snapshot ${snapshotId.slice(0, 8)} into the new folder ${target}?`);
	if (!yes) return;
	const controller = new AbortController();
	const untrack = services.trackTask(`restoring ${path.basename(file)}`, () => controller.abort());
	try {
		await services.clientFor(repo).restore(snapshotId, {target, include: [file]}, undefined, controller.signal);
		services.store.dispatch({type: 'notice', text: `Restored to ${path.join(target, file)}`});
	} catch (error) {
		const canceled = error instanceof ResticError && error.kind === 'canceled';
		services.store.dispatch({type: 'notice', text: canceled ? `Restore canceled; ${target} may be incomplete.` : (error as Error).message, level: 'error'});
	} finally {
		untrack();
	}
}
