/**
 * The tree screen's state and commands: the streamed `restic ls` listing and the preview of the selected
 * file, both stopped (SIGINT to restic) when the screen is left; the directory, cursor per directory, filter.
 */
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {listHandlers, moveCursor} from '../../components/list.js';
import {applyTextEdit} from '../../components/text-field.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useObservable} from '../../hooks/use-store.js';
import {PreviewLoader, type PreviewState} from '../../tasks/preview.js';
import {TreeListing} from '../../tasks/tree-listing.js';
import {marksFor} from '../../union/marks.js';

function parentDir(dir: string): string {
	const i = dir.lastIndexOf('/');
	return i <= 0 ? '/' : dir.slice(0, i);
}

/** State and commands of the tree screen (see TreeScreen for the view). */
export function useTreeScreen({repo: repoName, snapshotId, dir: initialDir}: {repo: string; snapshotId: string; dir?: string}) {
	const {nav, clientFor, repo, repos} = useContext(AppContext);
	const {height} = useBodySize();
	const repository = repo(repoName);
	const client = repository ? clientFor(repository) : undefined;
	const listing = useMemo(() => (client ? new TreeListing(client, snapshotId) : undefined), [client, snapshotId]);
	const preview = useMemo(() => (client ? new PreviewLoader(client) : undefined), [client]);
	const state = useObservable(listing ?? dummy);
	const previewState = useObservable(preview ?? dummyPreview);
	const [dir, setDir] = useState<string | undefined>(initialDir);
	const [cursors, setCursors] = useState<Record<string, number>>({});
	const [filter, setFilter] = useState('');
	const [filtering, setFiltering] = useState(false);
	const marks = useObservable(marksFor(repoName));

	useEffect(() => {
		if (!listing) return undefined;
		void listing.start();
		// Leaving the screen stops restic (SIGINT) and any preview dump.
		return () => {
			listing.cancel();
			preview?.cancel();
		};
	}, [listing, preview]);

	// Open the first interesting directory once the top of the tree has arrived.
	const effectiveDir = dir ?? (listing && state.entries > 0 ? listing.startDir() : '/');
	const entries = useMemo(() => {
		const all = listing ? listing.childrenOf(effectiveDir) : [];
		const q = filter.toLowerCase();
		return q ? all.filter(e => e.name.toLowerCase().includes(q)) : all;
		// state.version re-reads children as the listing grows.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [listing, effectiveDir, state.version, filter]);

	const cursor = Math.max(0, Math.min(entries.length - 1, cursors[effectiveDir] ?? 0));
	const selected = entries[cursor];
	const previewLines = Math.max(2, Math.min(10, Math.floor(height / 4)));
	// A failed listing's message gets a second line (the whole message matters, e.g. a dead backend).
	const errorLines = state.status === 'error' ? 1 : 0;
	// Title, status, the preview box (border, metadata, preview lines), the filter field when shown.
	const listHeight = Math.max(1, height - previewLines - 4 - errorLines - (filtering || filter ? 1 : 0));

	useEffect(() => {
		if (!preview) return;
		if (selected?.type === 'file' && selected.size > 0) preview.request(snapshotId, selected.path);
		else preview.clear();
	}, [preview, selected?.path, selected?.type, selected?.size, snapshotId]);

	const setCursor = (c: number) => setCursors(all => ({...all, [effectiveDir]: c}));
	const move = (cmd: Parameters<typeof moveCursor>[2]) => setCursor(moveCursor(cursor, entries.length, cmd, listHeight));
	const open = () => {
		if (!selected) return;
		if (selected.type === 'dir') {
			setDir(selected.path);
			setFilter('');
		} else nav.push({name: 'file', repo: repoName, snapshotId, path: selected.path});
	};
	const up = () => {
		if (effectiveDir === '/') {
			nav.pop();
			return;
		}
		setDir(parentDir(effectiveDir));
		setFilter('');
	};

	useCommands(
		filtering ? ['input'] : ['tree', 'list'],
		filtering
			? {'input.submit': () => setFiltering(false), 'input.cancel': () => (setFilter(''), setFiltering(false))}
			: {
					...listHandlers(move),
					'tree.open': open,
					'tree.parent': up,
					'tree.filter': () => setFiltering(true),
					// A folder restores whole, a file alone: the restore dialog shows where and asks.
					'tree.restore': selected ? () => nav.push({name: 'restore', repo: repoName, snapshotId, path: selected.path, dir: selected.type === 'dir'}) : {disabled: 'nothing selected'},
					'tree.mark': () => {
						if (!selected) return;
						const snap = repository
							? repos
									.modelFor(repository.name)
									?.getSnapshot()
									.snapshots.data?.find(x => x.id === snapshotId || x.shortId === snapshotId)
							: undefined;
						marksFor(repoName).toggle({snapshot: snap?.id ?? snapshotId, shortId: snapshotId.slice(0, 8), snapshotTime: snap?.time ?? 0, path: selected.path, type: selected.type, folder: selected.type === 'dir'});
						move('down');
					},
					'tree.versions': () => {
						if (selected) nav.push({name: 'versions', repo: repoName, path: selected.path});
					},
				},
		{
			modal: filtering,
			onText: filtering
				? (input, key) => {
						const consumed = applyTextEdit(setFilter, input, key);
						return consumed;
					}
				: undefined,
		},
	);

	// A selected directory is previewed by its entries.
	const childrenOf = (dir: string) => listing?.childrenOf(dir) ?? [];
	return {repository, state, previewState, effectiveDir, entries, cursor, selected, previewLines, errorLines, listHeight, filter, filtering, childrenOf, marks};
}

// Stable stand-ins for an unknown repository (useSyncExternalStore needs cached snapshots).
const noListing: ReturnType<TreeListing['getSnapshot']> = {status: 'error', entries: 0, startedAt: 0, version: 0};
const noPreview: PreviewState = {status: 'idle'};
const dummy = {subscribe: () => () => {}, getSnapshot: () => noListing};
const dummyPreview = {subscribe: () => () => {}, getSnapshot: () => noPreview};
