/**
 * Restore one version of a file or folder into a new folder, as a tracked task: asks first, shows in the
 * status bar while restic runs, reports the verified result as a notice. It outlives the screen that
 * started it (like a backup: leaving the search screen must not throw away a long restore); quitting
 * asks, then stops it, and the partial folder is marked incomplete.
 */
import path from 'node:path';
import type {ResticClient} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import {defaultRestoreTarget, RestoreConflictError, restorePath} from '../restore/restore.js';
import type {AppStore} from '../store/app-store.js';
import {escapeForTerminal} from '../util/escape.js';
import {formatBytes, plural} from '../util/format.js';
import {runTask} from './task-tracker.js';

/** What a restore needs from the app. */
export interface RestoreDeps {
	store: AppStore;
	client: ResticClient;
	confirm: (question: string, options?: {dangerous?: boolean}) => Promise<boolean>;
}

/** Ask, restore, and tell the outcome. Resolves when the restore ended (or was declined or stopped). */
export async function restoreVersion({store, client, confirm}: RestoreDeps, snapshotId: string, file: string): Promise<void> {
	const target = defaultRestoreTarget(snapshotId);
	const yes = await confirm(`Restore ${escapeForTerminal(file)} as it was in snapshot ${snapshotId.slice(0, 8)} into the new folder ${escapeForTerminal(target)}?`);
	if (!yes) return;
	try {
		const result = await runTask(store, `restoring ${path.basename(file)}`, signal => restorePath(client, {snapshotId, path: file, target, newFolder: true, signal}));
		if (!result) {
			store.dispatch({type: 'notice', text: `Restore stopped; ${target} is marked incomplete (.resto-incomplete).`, level: 'warn'});
			return;
		}
		store.dispatch({
			type: 'notice',
			text: `Restored ${plural(result.files, 'file')} (${formatBytes(result.bytes)}, size verified) to ${result.restoredPath}${result.restoredParent ? ' (whole parent folder: the name is not valid UTF-8)' : ''}`,
		});
	} catch (error) {
		const canceled = error instanceof ResticError && error.kind === 'canceled';
		const text = canceled ? `Restore canceled; ${target} is marked incomplete (.resto-incomplete).` : error instanceof RestoreConflictError ? error.message : (error as Error).message;
		store.dispatch({type: 'notice', text, level: 'error'});
	}
}
