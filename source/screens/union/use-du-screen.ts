/** State of the disk-usage screen: sizes of one snapshot summed from the index, the folder shown, the cursor. */
import {useEffect, useMemo, useState} from 'react';
import {moveCursor} from '../../components/list.js';
import {useRepoModel} from '../../hooks/use-repos.js';
import {useObservable} from '../../hooks/use-store.js';
import type {IndexProgress} from '../../index/indexer.js';
import {dirIdsOf} from '../../union/folders.js';
import {childrenBySize, commonRoot, folderSizes, type SizedPath} from '../../union/du.js';
import {parentFolder} from './use-union-screen.js';

const idleProgress: IndexProgress = {phase: 'idle', snapshotsDone: 0, snapshotsTotal: 0, entries: 0, entriesPerSecond: 0, fromCache: 0, startedAt: 0};
const noSource = {subscribe: () => () => {}, getSnapshot: () => idleProgress};

export function useDuScreen(repoName: string, snapshotId: string, listHeight: number) {
	const {model, gone} = useRepoModel(repoName);
	const indexer = model?.indexer();
	const progress = useObservable(indexer ?? noSource);
	useEffect(() => {
		indexer?.update().catch(() => {});
	}, [indexer]);
	const index = indexer?.index;
	const indexed = Boolean(index?.snapshots.some(s => s.id === snapshotId && s.complete));
	// eslint-disable-next-line react-hooks/exhaustive-deps
	const sizes = useMemo(() => (index && indexed ? folderSizes(index, snapshotId, 0) : undefined), [index, indexed, snapshotId, progress.phase]);
	const [folder, setFolder] = useState<string | undefined>(undefined);
	const [cursor, setCursor] = useState(0);
	const shown = useMemo(() => folder ?? (index && sizes ? commonRoot(index, sizes) : '/'), [folder, index, sizes]);
	const rows: SizedPath[] = useMemo(() => (index && sizes ? childrenBySize(index, sizes, shown) : []), [index, sizes, shown]);
	const total = useMemo(() => {
		if (!index || !sizes) return 0;
		const key = shown === '/' ? '' : shown;
		const d = dirIdsOf(index).get(key);
		return d === undefined ? 0 : sizes.bytes[d]!;
	}, [index, sizes, shown]);
	const clamp = (c: number) => Math.max(0, Math.min(rows.length - 1, c));
	const current = rows[clamp(cursor)];
	const actions = {
		move: (cmd: Parameters<typeof moveCursor>[2]) => setCursor(c => moveCursor(c, rows.length, cmd, listHeight)),
		open: () => {
			if (current?.type === 'dir' && current.files > 0) {
				setFolder(current.path);
				setCursor(0);
			}
		},
		parent: () => {
			if (shown === '/') return;
			const up = parentFolder(shown);
			setFolder(up);
			setCursor(
				Math.max(
					0,
					(index && sizes ? childrenBySize(index, sizes, up) : []).findIndex(r => r.path === shown),
				),
			);
		},
	};
	return {model, gone, progress, indexed, rows, total, cursor: clamp(cursor), folder: shown, actions};
}
