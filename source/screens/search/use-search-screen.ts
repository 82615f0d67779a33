/**
 * The search screen's state and commands: the repository's search task (its index outlives the screen),
 * the cursor over results and versions, and the flows it starts (preview, restore, diff) as tasks.
 */
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {moveCursor} from '../../components/list.js';
import {applyTextEdit} from '../../components/text-field.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useObservable} from '../../hooks/use-store.js';
import {diffVersions} from '../../tasks/diff-task.js';
import {SearchTask, type SearchState} from '../../tasks/search-task.js';
import {marksFor, type Mark} from '../../union/marks.js';
import {useScreenScope} from '../../hooks/use-screen-scope.js';

/** State and commands of the search screen (see SearchScreen for the view). */
export function useSearchScreen({repo: repoName, query: initialQuery}: {repo: string; query?: string}) {
	const services = useContext(AppContext);
	const {nav, repo, store, clientFor} = services;
	const {height} = useBodySize();
	const repository = repo(repoName);
	const model = repository ? services.repos.modelFor(repository.name) : undefined;
	const machineTrees = services.config.search?.machineTrees;
	const task = useMemo(() => (model ? new SearchTask(model.indexer(), model.client, {machineTrees}) : undefined), [model, machineTrees]);
	const state = useObservable(task ?? noTask);
	const [cursor, setCursor] = useState(0);
	// The query field has focus first; there every printable key is text. Esc leaves the field (lazygit,
	// k9s): then j/k, q, ? and the other keys are commands, and / goes back into the field.
	const [pane, setPane] = useState<'query' | 'results' | 'versions'>('query');
	const [versionCursor, setVersionCursor] = useState(0);

	// Work this screen started for itself (a diff) stops when the screen is left.
	const scope = useScreenScope();

	useEffect(() => {
		if (!task) return undefined;
		task.start();
		if (initialQuery) task.setQuery(initialQuery);
		return () => task.stop();
	}, [task, initialQuery]);

	const findMode = state.mode === 'find';
	const rows = findMode ? (state.findResults ?? []).length : state.hits.length;
	const timelineHeight = Math.max(3, Math.min(8, Math.floor(height / 3)));
	const listHeight = Math.max(1, height - timelineHeight - 4);
	const current = Math.max(0, Math.min(rows - 1, cursor));
	const hit = findMode ? undefined : state.hits[current];
	// The index grows while it is built: recompute the timeline as more snapshots come in.
	// eslint-disable-next-line react-hooks/exhaustive-deps
	const timeline = useMemo(() => (task && hit ? task.timeline(hit) : undefined), [task, hit, state.progress.snapshotsDone]);
	const versions = timeline ? [...timeline.runs].reverse() : [];
	const vCursor = Math.max(0, Math.min(versions.length - 1, versionCursor));
	const selectedRun = versions[vCursor];
	const selectedPath = findMode ? state.findResults?.[current]?.path : hit?.path;
	const selectedSnapshot = findMode ? state.findResults?.[current]?.snapshots.at(-1) : selectedRun?.snapshots.at(-1)?.id;
	// A folder opens as a folder (the tree at it) and restores whole, never as a dump of a tar stream.
	const selectedIsDir = (findMode ? state.findResults?.[current]?.type : (selectedRun?.version.type ?? hit?.type)) === 'dir';

	const marks = useObservable(marksFor(repoName));
	// Space outside the query field marks the version picked in the timeline, else the newest one.
	const markSelected = () => {
		if (!selectedPath || !selectedSnapshot) return;
		const run = pane === 'versions' ? selectedRun : timeline?.runs.at(-1);
		const snap = run?.snapshots.at(-1);
		const type = (run?.version.type ?? state.findResults?.[current]?.type ?? 'file') as Mark['type'];
		const time = snap?.time ?? model?.getSnapshot().snapshots.data?.find(x => x.id === selectedSnapshot)?.time ?? 0;
		marksFor(repoName).toggle({snapshot: snap?.id ?? selectedSnapshot, shortId: (snap?.id ?? selectedSnapshot).slice(0, 8), snapshotTime: time, path: selectedPath, type, folder: type === 'dir'});
		if (pane !== 'versions') moveResults('down');
	};

	const moveResults = (cmd: Parameters<typeof moveCursor>[2]) => {
		setCursor(c => moveCursor(Math.min(c, rows - 1), rows, cmd, listHeight));
		setVersionCursor(0);
	};
	const moveVersions = (cmd: Parameters<typeof moveCursor>[2]) => setVersionCursor(c => moveCursor(c, versions.length, cmd, timelineHeight));

	useCommands(
		['search'],
		{
			'search.next': () => (pane !== 'versions' ? moveResults('down') : moveVersions('down')),
			'search.prev': () => (pane !== 'versions' ? moveResults('up') : moveVersions('up')),
			'search.focus': findMode ? {disabled: 'restic find mode has no versions pane'} : () => setPane(p => (p !== 'versions' && hit ? 'versions' : 'query')),
			// Esc leaves the query field; from the results or the versions it leaves the screen.
			...(pane === 'query' ? {'app.back': () => setPane('results')} : {'search.edit': () => setPane('query')}),
			'search.open': () => {
				if (!selectedPath || !selectedSnapshot) return;
				if (selectedIsDir) nav.push({name: 'tree', repo: repoName, snapshotId: selectedSnapshot, dir: selectedPath});
				else nav.push({name: 'file', repo: repoName, snapshotId: selectedSnapshot, path: selectedPath});
			},
			'search.restore': selectedPath && selectedSnapshot ? () => nav.push({name: 'restore', repo: repoName, snapshotId: selectedSnapshot, path: selectedPath, dir: selectedIsDir}) : {disabled: 'no result selected: type a query first'},
			'search.diff': () => {
				if (!repository || !selectedPath || !selectedRun) return;
				if (selectedIsDir) {
					store.dispatch({type: 'notice', text: 'A folder has no text diff: Enter opens it in the snapshot, D on the snapshots screen lists what changed.', level: 'warn'});
					return;
				}
				const older = versions[vCursor + 1];
				if (!older) {
					store.dispatch({type: 'notice', text: 'This is the oldest version: nothing to compare with.', level: 'warn'});
					return;
				}
				void diffVersions({store, client: clientFor(repository), repo: repoName, scope: scope.current?.signal}, selectedPath, older.snapshots.at(-1)!.id, selectedRun.snapshots.at(-1)!.id);
			},
			...(pane === 'query' ? {} : {'search.mark': selectedPath ? markSelected : {disabled: 'no result selected'}}),
			'search.mode': () => task?.toggleMode(),
			'search.machine': () => task?.toggleMachine(),
		},
		{
			hints: pane === 'query' ? {'app.back': 'leave field'} : {},
			onText:
				pane !== 'query'
					? undefined
					: (input, key) => {
							let next = '';
							const consumed = applyTextEdit(
								update => {
									// Read the task's query, not this render's: several keys can arrive before a re-render.
									next = update(task?.getSnapshot().query ?? '');
								},
								input,
								key,
							);
							if (consumed) {
								task?.setQuery(next);
								setCursor(0);
								setVersionCursor(0);
							}
							return consumed;
						},
		},
	);

	return {repository, state, task, findMode, rows, current, timeline, versions, vCursor, pane, listHeight, timelineHeight, selectedIsDir, marks};
}

const noState: SearchState = {
	query: '',
	mode: 'index',
	hits: [],
	total: 0,
	looser: 0,
	hideMachine: false,
	totalExact: true,
	ms: 0,
	searching: false,
	progress: {phase: 'idle', snapshotsDone: 0, snapshotsTotal: 0, entries: 0, entriesPerSecond: 0, fromCache: 0, startedAt: 0},
};
const noTask = {subscribe: () => () => {}, getSnapshot: () => noState};
