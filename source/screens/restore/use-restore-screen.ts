/**
 * State and commands of the restore dialog: the target (shown in full, editable, checked as typed),
 * the explicit "original location" choice (what it replaces, then y/n), the run, and the list of
 * restored files afterwards.
 */
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {listHandlers, moveCursor} from '../../components/list.js';
import {editText} from '../../components/text-field.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useObservable} from '../../hooks/use-store.js';
import {RestoreDialogTask, type RestoreDialogState} from '../../tasks/restore-task.js';

const idle = {subscribe: () => () => {}, getSnapshot: (): RestoreDialogState | undefined => undefined};

/** The restore dialog of one item; `listHeight` rows for the list of files (replaced or restored). */
export function useRestoreScreen({repo: repoName, snapshotId, path}: {repo: string; snapshotId: string; path: string}, listHeight: number) {
	const services = useContext(AppContext);
	const {store, clientFor, repo, config} = services;
	const repository = repo(repoName);
	// One dialog per item; a running restore keeps its task after the screen is left.
	const task = useMemo(() => (repository ? new RestoreDialogTask({store, client: clientFor(repository), restoreTarget: config.restoreTarget}, snapshotId, path) : undefined), [repository, store, clientFor, config.restoreTarget, snapshotId, path]);
	const state = useObservable(task ?? idle);
	const [editing, setEditing] = useState<string | undefined>(undefined);
	const [cursor, setCursor] = useState(0);
	useEffect(() => () => task?.dispose(), [task]);

	const phase = state?.phase;
	const rows = phase === 'done' ? (state?.result?.paths.length ?? 0) : phase === 'confirm-original' ? (state?.comparison?.existing.length ?? 0) : 0;
	const move = (cmd: Parameters<typeof moveCursor>[2]) => setCursor(c => moveCursor(c, rows, cmd, listHeight));
	const confirming = phase === 'confirm-original' || phase === 'comparing';
	const blocked = state?.comparison?.blocked;

	useCommands(
		editing !== undefined ? ['input'] : confirming ? ['confirm', 'list'] : ['restore', 'list'],
		editing !== undefined
			? {
					'input.submit': () => {
						task?.setTarget(editing);
						setEditing(undefined);
					},
					'input.cancel': () => setEditing(undefined),
				}
			: confirming
				? {
						...listHandlers(move),
						'confirm.yes': phase === 'comparing' ? {disabled: 'still comparing with the files on disk'} : blocked ? {disabled: blocked} : () => void task?.run(),
						'confirm.no': () => {
							task?.chooseFolder();
							setCursor(0);
						},
					}
				: phase === 'done'
					? listHandlers(move)
					: {
							...listHandlers(move),
							'restore.run': phase === 'running' ? {disabled: 'the restore is running (q asks before stopping it)'} : state?.check.ok ? () => void task?.run() : {disabled: state?.check.text ?? 'no target'},
							'restore.edit': phase === 'running' ? {disabled: 'the restore is running'} : () => setEditing(state?.target ?? ''),
							'restore.original':
								phase === 'running'
									? {disabled: 'the restore is running'}
									: () => {
											setCursor(0);
											void task?.chooseOriginal();
										},
						},
		{
			modal: editing !== undefined || confirming,
			hints: confirming ? {'confirm.yes': 'replace them', 'confirm.no': 'no, keep them'} : editing !== undefined ? {'input.submit': 'use this folder', 'input.cancel': 'keep the old one'} : {},
			onText:
				editing === undefined
					? undefined
					: (input, key) => {
							const next = editText(editing, input, key);
							if (next === undefined) return false;
							setEditing(prev => editText(prev ?? '', input, key) ?? prev);
							return true;
						},
		},
	);

	return {repository, state, editing, cursor: Math.max(0, Math.min(rows - 1, cursor)), defaultTarget: task?.defaultTarget};
}
