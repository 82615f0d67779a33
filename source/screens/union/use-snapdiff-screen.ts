/** State of the snapshot-diff screen: the diff streamed from restic, the folder shown, the cursor. */
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {moveCursor} from '../../components/list.js';
import {useRepoModel} from '../../hooks/use-repos.js';
import {useObservable} from '../../hooks/use-store.js';
import {diffVersions, diffWithLive} from '../../tasks/diff-task.js';
import {DiffTask, liveTarget, type DiffTaskState} from '../../tasks/snapshot-diff-task.js';
import type {DiffRow} from '../../union/diff-tree.js';
import {excludesFor} from '../../union/live-diff.js';
import {parentFolder} from './use-union-screen.js';
import {useScreenScope} from '../../hooks/use-screen-scope.js';

const idle: DiffTaskState = {phase: 'running', changes: 0};
const noTask = {subscribe: () => () => {}, getSnapshot: () => idle};

export function useSnapdiffScreen(repoName: string, source: string, target: string, listHeight: number) {
	const services = useContext(AppContext);
	const {model, gone, repository} = useRepoModel(repoName);
	const sets = services.config.backupSets;
	const task = useMemo(() => (model ? new DiffTask(model.client, source, target, paths => excludesFor(sets, repoName, paths)) : undefined), [model, source, target, sets, repoName]);
	useEffect(() => () => task?.cancel(), [task]);
	// A text diff this screen started stops when the screen is left.
	const scope = useScreenScope();
	const state = useObservable(task ?? noTask);
	const [folder, setFolder] = useState<string | undefined>(undefined);
	const [cursor, setCursor] = useState(0);
	// Start at the deepest folder holding every change (the folders above only differ in mtime).
	const shown = useMemo(() => {
		if (folder !== undefined || !task) return folder ?? '/';
		let at = '/';
		for (let i = 0; i < 64; i++) {
			const rows = task.tree.list(at);
			if (rows.length !== 1 || !rows[0]!.hasChildren || (rows[0]!.change && rows[0]!.change.kind !== 'changed')) break;
			at = rows[0]!.path;
		}
		return at;
		// The diff tree fills in as restic streams: state.changes and state.phase say when it grew.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [task, folder, state.changes, state.phase]);
	// eslint-disable-next-line react-hooks/exhaustive-deps
	const rows: DiffRow[] = useMemo(() => task?.tree.list(shown) ?? [], [task, shown, state.changes, state.phase]);
	const clamp = (c: number) => Math.max(0, Math.min(rows.length - 1, c));
	const current = rows[clamp(cursor)];
	const actions = {
		move: (cmd: Parameters<typeof moveCursor>[2]) => setCursor(c => moveCursor(c, rows.length, cmd, listHeight)),
		open: () => {
			if (!current) return;
			if (current.hasChildren) {
				setFolder(current.path);
				setCursor(0);
			} else if (current.change?.kind === 'changed' && !current.change.dir && repository && model) {
				const deps = {store: services.store, client: model.client, repo: repoName, scope: scope.current?.signal};
				if (!current.change.content) services.store.dispatch({type: 'notice', text: `Only ${current.change.typeChanged ? 'the type' : 'the metadata (mode, mtime)'} changed: no text diff.`, level: 'warn'});
				else if (target === liveTarget) void diffWithLive(deps, current.path, source);
				else void diffVersions(deps, current.path, source, target);
			}
		},
		parent: () => {
			if (shown === '/') return;
			const up = parentFolder(shown);
			setFolder(up);
			setCursor(
				Math.max(
					0,
					(task?.tree.list(up) ?? []).findIndex(r => r.path === shown),
				),
			);
		},
	};
	return {model, gone, state, rows, cursor: clamp(cursor), folder: shown, total: task?.tree.total, below: task?.tree.countsBelow(shown), actions};
}
