/**
 * State of a path's version timeline (from the union tree, the snapshot tree or search): the runs of
 * identical versions from the file index, newest first; preview, diff, restore and mark per version.
 */
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {moveCursor} from '../../components/list.js';
import {useRepoModel} from '../../hooks/use-repos.js';
import {useObservable} from '../../hooks/use-store.js';
import type {IndexProgress} from '../../index/indexer.js';
import {diffVersions} from '../../tasks/diff-task.js';
import {marksFor} from '../../union/marks.js';
import {useScreenScope} from '../../hooks/use-screen-scope.js';

const idleProgress: IndexProgress = {phase: 'idle', snapshotsDone: 0, snapshotsTotal: 0, entries: 0, entriesPerSecond: 0, fromCache: 0, startedAt: 0};
const noSource = {subscribe: () => () => {}, getSnapshot: () => idleProgress};

export function useVersionsScreen(repoName: string, path: string, listHeight: number) {
	const services = useContext(AppContext);
	const {nav, store} = services;
	const {model, gone} = useRepoModel(repoName);
	const indexer = model?.indexer();
	const progress = useObservable(indexer ?? noSource);
	const marks = useObservable(marksFor(repoName));
	const [cursor, setCursor] = useState(0);
	// A diff this screen started stops when the screen is left.
	const scope = useScreenScope();
	useEffect(() => {
		indexer?.update().catch(() => {});
	}, [indexer]);

	// The index is replaced when loaded from its cache and grows while snapshots are listed.
	const timeline = useMemo(() => {
		const index = indexer?.index;
		const id = index?.lookup(path);
		return index && id !== undefined ? index.timeline(id) : undefined;
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [indexer, path, progress.snapshotsDone, progress.phase]);
	const runs = useMemo(() => (timeline ? [...timeline.runs].reverse() : []), [timeline]);
	const clamp = (c: number) => Math.max(0, Math.min(runs.length - 1, c));
	const current = runs[clamp(cursor)];
	const newestOf = (run: (typeof runs)[number]) => run.snapshots.at(-1)!;

	const actions = {
		move: (cmd: Parameters<typeof moveCursor>[2]) => setCursor(c => moveCursor(c, runs.length, cmd, listHeight)),
		open: () => {
			if (!current) return;
			if (current.version.type === 'dir') nav.push({name: 'tree', repo: repoName, snapshotId: newestOf(current).id, dir: path});
			else nav.push({name: 'file', repo: repoName, snapshotId: newestOf(current).id, path});
		},
		diff: () => {
			if (!current || !model) return;
			const older = runs[clamp(cursor) + 1];
			if (!older) {
				store.dispatch({type: 'notice', text: 'This is the oldest version: nothing to compare with.', level: 'warn'});
				return;
			}
			if (current.version.type !== 'file' || older.version.type !== 'file') {
				store.dispatch({type: 'notice', text: 'Only files have a text diff.', level: 'warn'});
				return;
			}
			void diffVersions({store, client: model.client, repo: repoName, scope: scope.current?.signal}, path, newestOf(older).id, newestOf(current).id);
		},
		restore: () => {
			// The restore dialog shows where it goes (and offers the original location); a folder restores whole.
			if (current) nav.push({name: 'restore', repo: repoName, snapshotId: newestOf(current).id, path, dir: current.version.type === 'dir'});
		},
		mark: () => {
			if (!current) return;
			const s = newestOf(current);
			marksFor(repoName).toggle({snapshot: s.id, shortId: s.shortId, snapshotTime: s.time, path, type: current.version.type, folder: current.version.type === 'dir'});
		},
	};
	return {model, gone, progress, timeline, runs, cursor: clamp(cursor), mark: marks.get(path), actions};
}
