/**
 * The restore dialog's work outside React: the target folder (a new one by default, editable,
 * checked before anything runs), or the original location after the live files were compared and
 * the user said yes; then the restore as a tracked task. It outlives the dialog (like a backup:
 * leaving the screen must not throw a long restore away); quitting asks, then stops it, and the
 * outcome is a notice: where every file went, or where the `.resto-incomplete` marker was left.
 */
import path from 'node:path';
import type {ResticClient} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import {incompleteMarker, isIncompleteRestore, restorePath, restoreToOriginal, type RestoreResult} from '../restore/restore.js';
import {checkTarget, compareWithLive, defaultRestoreTarget, restoreRoot, type LiveComparison, type TargetCheck} from '../restore/target.js';
import type {AppStore} from '../store/app-store.js';
import {Observable} from '../store/store.js';
import {formatBytes, plural} from '../util/format.js';
import {runTask} from './task-tracker.js';

/** Where the dialog is. */
export type RestorePhase = 'ready' | 'comparing' | 'confirm-original' | 'running' | 'done' | 'failed' | 'stopped';

export interface RestoreDialogState {
	phase: RestorePhase;
	/** Into a folder (the default), or back where the item was (asked for explicitly). */
	mode: 'folder' | 'original';
	/** The target folder as shown and edited. */
	target: string;
	/** The target is the default new folder (a taken name gets -2, -3… when it is created). */
	fresh: boolean;
	check: TargetCheck;
	/** The item compared with the live file system (original location only). */
	comparison?: LiveComparison;
	/** restic's progress while running. */
	status?: string;
	result?: RestoreResult;
	error?: string;
	/** The folder restic wrote into, once it exists (a stopped or failed restore leaves its marker there). */
	wroteInto?: string;
}

/** What the dialog needs from the app. */
export interface RestoreDialogDeps {
	store: AppStore;
	client: ResticClient;
	/** The configured restoreTarget (else ~/resto-restore). */
	restoreTarget?: string;
}

/** One restore dialog: a file or folder of a snapshot. */
export class RestoreDialogTask extends Observable<RestoreDialogState> {
	readonly defaultTarget: string;
	private compareController: AbortController | undefined;

	constructor(
		private readonly deps: RestoreDialogDeps,
		readonly snapshotId: string,
		/** Absolute path of the item in the snapshot. */
		readonly item: string,
	) {
		const target = defaultRestoreTarget(snapshotId, {root: restoreRoot(deps.restoreTarget)});
		super({phase: 'ready', mode: 'folder', target, fresh: true, check: checkTarget(target, item, {fresh: true})});
		this.defaultTarget = target;
	}

	private patch(p: Partial<RestoreDialogState>): void {
		this.set({...this.getSnapshot(), ...p});
	}

	get running(): boolean {
		return this.getSnapshot().phase === 'running';
	}

	/** A new target folder as typed (checked right away: the dialog says what it would do). */
	setTarget(typed: string): void {
		if (this.running) return;
		const fresh = typed.trim() === this.defaultTarget;
		this.patch({target: typed, fresh, mode: 'folder', check: checkTarget(typed, this.item, {fresh}), phase: 'ready', error: undefined, comparison: undefined});
	}

	/** Compare the snapshot's item with what is at its original place; then the dialog asks. */
	async chooseOriginal(): Promise<void> {
		if (this.running) return;
		this.compareController?.abort();
		const controller = new AbortController();
		this.compareController = controller;
		this.patch({mode: 'original', phase: 'comparing', comparison: undefined, error: undefined});
		try {
			const comparison = await compareWithLive(this.deps.client, this.snapshotId, this.item, controller.signal);
			if (!controller.signal.aborted) this.patch({phase: 'confirm-original', comparison});
		} catch (error) {
			if (!controller.signal.aborted) this.patch({phase: 'failed', error: (error as Error).message});
		}
	}

	/** Back to restoring into a folder (the answer "no" to the original location). */
	chooseFolder(): void {
		if (this.running) return;
		this.compareController?.abort();
		this.patch({mode: 'folder', phase: 'ready', comparison: undefined, error: undefined, check: checkTarget(this.getSnapshot().target, this.item, {fresh: this.getSnapshot().fresh})});
	}

	/** Stop comparing (the dialog was left). A running restore goes on: it is a tracked task. */
	dispose(): void {
		this.compareController?.abort();
	}

	/** Run the restore as chosen. Resolves when it ended; the outcome is in the state and a notice. */
	async run(): Promise<void> {
		const state = this.getSnapshot();
		if (this.running) return;
		const original = state.mode === 'original';
		if (original ? state.phase !== 'confirm-original' || state.comparison?.blocked : !state.check.ok) return;
		const {store, client} = this.deps;
		const name = path.basename(this.item) || this.item;
		let wroteInto: string | undefined = original ? undefined : state.check.target;
		this.patch({phase: 'running', status: 'starting restic', error: undefined, result: undefined, wroteInto: undefined});
		const onStatus = (text: string) => this.patch({status: text});
		try {
			const result = await runTask(
				store,
				() => `restoring ${name}: ${this.getSnapshot().status ?? ''}`,
				signal =>
					original
						? restoreToOriginal(client, {snapshotId: this.snapshotId, path: this.item, signal, onStatus})
						: restorePath(client, {
								snapshotId: this.snapshotId,
								path: this.item,
								target: state.check.target,
								newFolder: state.fresh,
								signal,
								onStatus,
								onTarget: dir => {
									wroteInto = dir;
									this.patch({wroteInto: dir});
								},
							}),
			);
			if (!result) throw new ResticError('canceled', 'stopped');
			this.patch({phase: 'done', result, status: undefined});
			store.dispatch({
				type: 'notice',
				text: `Restored ${plural(result.files, 'file')} (${formatBytes(result.bytes)}, size verified) ${original ? 'to the original location' : 'to'} ${result.restoredPath}${result.restoredParent ? ' (whole parent folder: the name is not valid UTF-8)' : ''}`,
			});
		} catch (error) {
			const stopped = error instanceof ResticError && error.kind === 'canceled';
			const marker = wroteInto !== undefined && isIncompleteRestore(wroteInto) ? path.join(wroteInto, incompleteMarker) : undefined;
			const where = marker ? ` It left a ${incompleteMarker} marker: ${marker} (the files next to it are not complete).` : original ? ' Nothing at the original location was changed before the move.' : '';
			const text = stopped ? `Restore of ${this.item} stopped.${where}` : `Restore of ${this.item} failed: ${(error as Error).message}${where && !(error as Error).message.includes(incompleteMarker) ? where : ''}`;
			this.patch({phase: stopped ? 'stopped' : 'failed', error: text, status: undefined, wroteInto});
			store.dispatch({type: 'notice', text, level: stopped ? 'warn' : 'error', sticky: true});
		}
	}
}
