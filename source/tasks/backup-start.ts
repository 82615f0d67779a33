/**
 * Start a backup into a repository model: one per repository (its backup slot), tracked in the status
 * bar, reported as a notice when it ends, the new snapshot in every list at once. No React.
 */
import type {BackupPlan} from '../backup/backup-set.js';
import type {RepoRegistry} from '../model/repo-registry.js';
import type {AppStore} from '../store/app-store.js';
import {formatBytes} from '../util/format.js';
import {BackupTask} from './backup-task.js';
import {trackTask} from './task-tracker.js';

/** Thrown when the repository (under any of its names) already has a backup running. */
export class BackupBusyError extends Error {}

/**
 * Start a backup as an app task: it keeps running (status bar) when the user leaves the screen. It takes
 * the repository model's backup slot, so a second name for the same repository cannot start another.
 */
export function startBackup({repos, store}: {repos: RepoRegistry; store: AppStore}, plan: BackupPlan): BackupTask {
	const model = repos.modelFor(plan.repo.name) ?? repos.ensure(plan.repo);
	// The new snapshot shows up in every list and count, and joins the search index, as soon as restic wrote it.
	const task = new BackupTask(plan, model.client, {onSnapshot: () => model.snapshotAdded()});
	if (!model.claimBackup(task)) {
		const names = model.getSnapshot().names;
		throw new BackupBusyError(`A backup of this repository${names.length > 1 ? ` (${names.join(', ')})` : ''} is already running.`);
	}
	const label = () => {
		const s = task.getSnapshot();
		const pct = s.status && (s.scanned || s.status.totalFiles > 0) ? `${Math.round(s.status.percentDone * 100)}%` : s.phase;
		return `backup ${plan.name} → ${plan.repo.name}: ${pct}${s.status ? ` ${formatBytes(s.status.bytesDone)}` : ''}${s.stalledFor >= 10 ? ' (stalled)' : ''}`;
	};
	const untrack = trackTask(store, label, async () => {
		task.cancel();
		await done;
	});
	const done = task.run().then(state => {
		untrack();
		model.backupFinished(task);
		const text =
			state.phase === 'done' && plan.options.dryRun
				? `Dry run of ${plan.name} finished: nothing was saved`
				: state.phase === 'done'
					? `Backup ${plan.name} finished: snapshot ${state.snapshotId?.slice(0, 8) ?? '(id not reported)'}`
					: state.phase === 'partial'
						? `Backup ${plan.name}: ${state.message}`
						: state.phase === 'canceled'
							? `Backup ${plan.name} canceled, no snapshot written`
							: `Backup ${plan.name} failed: ${state.message}`;
		store.dispatch({type: 'notice', text, level: state.phase === 'done' ? 'info' : state.phase === 'canceled' || state.phase === 'partial' ? 'warn' : 'error'});
	});
	return task;
}
