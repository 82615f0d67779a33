/** Restore a version from the search screen: new folder by default, asks first, progress in the status bar. */
import path from 'node:path';
import type {AppServices} from '../../app-context.js';
import type {Repository} from '../../config/config.js';
import {ResticError} from '../../restic/errors.js';
import {defaultRestoreTarget, RestoreConflictError, restorePath} from '../../restore/restore.js';
import {escapeForTerminal} from '../../util/escape.js';
import {formatBytes} from '../../util/format.js';

export async function restoreVersion(services: AppServices, repo: Repository, snapshotId: string, file: string): Promise<void> {
	const target = defaultRestoreTarget(snapshotId);
	const yes = await services.confirm(`Restore ${escapeForTerminal(file)} as it was in snapshot ${snapshotId.slice(0, 8)} into the new folder ${escapeForTerminal(target)}?`);
	if (!yes) return;
	const controller = new AbortController();
	const untrack = services.trackTask(`restoring ${path.basename(file)}`, () => controller.abort());
	try {
		const result = await restorePath(services.clientFor(repo), {snapshotId, path: file, target, newFolder: true, signal: controller.signal});
		services.store.dispatch({
			type: 'notice',
			text: `Restored ${result.files} file${result.files === 1 ? '' : 's'} (${formatBytes(result.bytes)}, size verified) to ${result.restoredPath}${result.restoredParent ? ' (whole parent folder: the name is not valid UTF-8)' : ''}`,
		});
	} catch (error) {
		const canceled = error instanceof ResticError && error.kind === 'canceled';
		const text = canceled ? `Restore canceled; ${target} is marked incomplete (.resto-incomplete).` : error instanceof RestoreConflictError ? error.message : (error as Error).message;
		services.store.dispatch({type: 'notice', text, level: 'error'});
	} finally {
		untrack();
	}
}
