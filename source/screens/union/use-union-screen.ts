/**
 * State of the union-tree screen: the folder shown, its rows from the UnionTree (built over the
 * repository's file index, refreshed as the index grows), filters, the cursor per folder and marks.
 */
import {useContext, useEffect, useMemo, useRef, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {moveCursor} from '../../components/list.js';
import {useRepoModel} from '../../hooks/use-repos.js';
import {useObservable} from '../../hooks/use-store.js';
import type {IndexProgress} from '../../index/indexer.js';
import {marksFor} from '../../union/marks.js';
import {UnionTree, type UnionEntry, type UnionFilter} from '../../union/union-tree.js';

const idleProgress: IndexProgress = {phase: 'idle', snapshotsDone: 0, snapshotsTotal: 0, entries: 0, entriesPerSecond: 0, fromCache: 0, startedAt: 0};
const noSource = {subscribe: () => () => {}, getSnapshot: () => idleProgress};
const dayChoices = [undefined, 1, 7, 30, 365] as const;

/** Parent folder of an absolute path ("/a" → "/"). */
export function parentFolder(p: string): string {
	const i = p.lastIndexOf('/');
	return i <= 0 ? '/' : p.slice(0, i);
}

export function useUnionScreen(repoName: string, startDir: string | undefined, listHeight: number) {
	const {nav} = useContext(AppContext);
	const {model, gone} = useRepoModel(repoName);
	const indexer = model?.indexer();
	const progress = useObservable(indexer ?? noSource);
	const marks = useObservable(marksFor(repoName));
	const [host, setHost] = useState<string | undefined>(undefined);
	const [deletedOnly, setDeletedOnly] = useState(false);
	const [days, setDays] = useState<number | undefined>(undefined);
	const [folder, setFolder] = useState<string | undefined>(startDir);
	const cursors = useRef(new Map<string, number>());
	const [cursor, setCursor] = useState(0);

	useEffect(() => {
		indexer?.update().catch(() => {});
	}, [indexer]);

	const index = indexer?.index;
	const tree = useMemo(() => (index ? new UnionTree(index, {host}) : undefined), [index, host]);
	// Where to start: the deepest folder that is the only thing in its parent (the backup root, usually).
	const shownFolder = useMemo(() => {
		if (folder !== undefined || !tree) return folder ?? '/';
		let at = '/';
		for (let i = 0; i < 64; i++) {
			const rows = tree.list(at);
			if (rows.length !== 1 || !rows[0]!.hasChildren) break;
			at = rows[0]!.path;
		}
		return at;
		// The index grows while it is built: recompute with it.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [tree, folder, progress.snapshotsDone, progress.phase]);
	const filter: UnionFilter = useMemo(() => ({deletedOnly, changedSince: days === undefined ? undefined : Date.now() - days * 86_400_000}), [deletedOnly, days]);
	const rows: UnionEntry[] = useMemo(
		() => tree?.list(shownFolder, filter) ?? [],
		// eslint-disable-next-line react-hooks/exhaustive-deps
		[tree, shownFolder, filter, progress.snapshotsDone, progress.phase, progress.entries],
	);
	const clamp = (c: number) => Math.max(0, Math.min(rows.length - 1, c));
	const current = rows[clamp(cursor)];
	// The tree grows while snapshots are indexed: snapshotsDone says when.
	// eslint-disable-next-line react-hooks/exhaustive-deps
	const hosts = useMemo(() => tree?.hosts() ?? [], [tree, progress.snapshotsDone]);
	const snapshotCount = tree?.snapshots().length ?? 0;
	const ghostsHere = deletedOnly || days !== undefined ? tree?.below(shownFolder).ghosts : undefined;

	const go = (next: string, select?: string) => {
		cursors.current.set(shownFolder, clamp(cursor));
		setFolder(next);
		const list = tree?.list(next, filter) ?? [];
		const at = select ? list.findIndex(r => r.path === select) : -1;
		setCursor(at >= 0 ? at : (cursors.current.get(next) ?? 0));
	};

	const actions = {
		move: (cmd: Parameters<typeof moveCursor>[2]) => setCursor(c => moveCursor(c, rows.length, cmd, listHeight)),
		open: () => {
			if (!current) return;
			// A folder opens as a folder, even an empty one (a `restic dump` of it would be a tar stream).
			if (current.hasChildren || current.type === 'dir') go(current.path);
			// A file: its version timeline (preview, diff, restore and marks per version from there).
			else nav.push({name: 'versions', repo: repoName, path: current.path});
		},
		parent: () => {
			if (shownFolder !== '/') go(parentFolder(shownFolder), shownFolder);
		},
		/** Restore the row as it was last seen: a folder whole, a file alone (the restore dialog asks where). */
		restore: () => {
			if (current) nav.push({name: 'restore', repo: repoName, snapshotId: current.lastSeen.id, path: current.path, dir: current.hasChildren || current.type === 'dir'});
		},
		versions: () => {
			if (current) nav.push({name: 'search', repo: repoName, query: current.name});
		},
		/** Mark (or unmark) the current row as it was last seen: a ghost folder comes back whole in one action. */
		mark: () => {
			if (!current) return;
			marksFor(repoName).toggle({snapshot: current.lastSeen.id, shortId: current.lastSeen.shortId, snapshotTime: current.lastSeen.time, path: current.path, type: current.type, folder: current.hasChildren});
			setCursor(c => clamp(c + 1));
		},
		plan: () => nav.push({name: 'plan', repo: repoName}),
		toggleDeleted: () => {
			setDeletedOnly(d => !d);
			setCursor(0);
		},
		cycleDays: () => {
			setDays(d => dayChoices[(dayChoices.indexOf(d as (typeof dayChoices)[number]) + 1) % dayChoices.length]);
			setCursor(0);
		},
		cycleHost: () => {
			setHost(h => {
				const all = [undefined, ...hosts];
				return all[(all.indexOf(h) + 1) % all.length];
			});
			setCursor(0);
		},
	};

	return {model, gone, progress, rows, cursor: clamp(cursor), current, folder: shownFolder, host, deletedOnly, days, marks, snapshotCount, ghostsHere, actions};
}
