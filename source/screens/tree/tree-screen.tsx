import {Box, Text} from 'ink';
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {List, listHandlers, moveCursor} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {applyTextEdit, TextField} from '../../components/text-field.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useObservable} from '../../hooks/use-store.js';
import {PreviewLoader} from '../../tasks/preview.js';
import {TreeListing, type TreeEntry} from '../../tasks/tree-listing.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatBytes, formatDateTime} from '../../util/format.js';
import {hexPreview, looksBinary, textPreview} from '../../util/preview.js';

function parentDir(dir: string): string {
	const i = dir.lastIndexOf('/');
	return i <= 0 ? '/' : dir.slice(0, i);
}

const typeMark: Record<TreeEntry['type'], string> = {dir: '▸', file: ' ', symlink: '↪', other: '?'};

/** Browse one snapshot's tree while `restic ls` streams it; preview the selected file. */
export function TreeScreen({repo: repoName, snapshotId, dir: initialDir}: {repo: string; snapshotId: string; dir?: string}) {
	const {nav, clientFor, repo, store} = useContext(AppContext);
	const theme = useTheme();
	const {width, height} = useBodySize();
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
	const listHeight = Math.max(1, height - previewLines - 5 - errorLines - (filtering || filter ? 1 : 0));

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
					'tree.restore': () => {
						if (!selected) return;
						nav.push({name: 'file', repo: repoName, snapshotId, path: selected.path});
						store.dispatch({type: 'notice', text: 'Press r again to restore into a new folder.'});
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

	if (!repository) return <Text {...roleStyle(theme, 'status.error')}>Unknown repository {escapeForTerminal(repoName)}.</Text>;

	const sizeW = 10;
	const dateW = 16;
	const nameW = Math.max(10, width - sizeW - dateW - 6);
	const elapsed = ((state.finishedAt ?? Date.now()) - state.startedAt) / 1000;

	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-start">
				<Text {...roleStyle(theme, 'accent')}>{snapshotId.slice(0, 8)}</Text>
				<Text> {escapeForTerminal(effectiveDir)}</Text>
			</Text>
			<Box height={1 + errorLines} overflow="hidden">
			<Text wrap={state.status === 'error' ? 'wrap' : 'truncate-end'} {...roleStyle(theme, state.status === 'error' ? 'status.error' : 'text.muted')}>
				{state.status === 'listing' ? <Spinner label={`listing… ${state.entries.toLocaleString('en-US')} entries (${Math.round(state.entries / Math.max(0.1, elapsed)).toLocaleString('en-US')}/s)`} /> : null}
				{state.status === 'done' ? `${state.entries.toLocaleString('en-US')} entries listed in ${elapsed.toFixed(1)} s · ${entries.length} here` : ''}
				{state.status === 'error' ? escapeForTerminal(state.error ?? 'listing failed') : ''}
				{state.status === 'canceled' ? 'listing canceled' : ''}
			</Text>
			</Box>
			{filtering || filter ? <TextField label="filter: " value={filter} focused={filtering} /> : null}
			<List
				items={entries}
				cursor={cursor}
				height={listHeight}
				width={width}
				empty={state.status === 'listing' ? 'waiting for restic…' : state.status === 'error' ? 'Nothing listed: the listing failed. esc goes back.' : filter ? 'Nothing matches the filter.' : 'Empty directory.'}
				render={entry => (
					<Text>
						{`${typeMark[entry.type]} ${fit(escapeForTerminal(entry.name) + (entry.type === 'dir' ? '/' : ''), nameW)} ${fit(entry.type === 'dir' ? (entry.totalSize === undefined ? '' : formatBytes(entry.totalSize)) : formatBytes(entry.size), sizeW, 'right')} ${fit(formatDateTime(entry.mtime), dateW)}`}
					</Text>
				)}
			/>
			<Box flexDirection="column" borderStyle="single" borderTop borderBottom={false} borderLeft={false} borderRight={false} borderColor={theme.colors['border.muted']} height={previewLines + 2}>
				{selected ? (
					<Text wrap="truncate-end" {...roleStyle(theme, 'text.muted')}>
						{selected.type} · {selected.permissions} · {selected.type === 'dir' ? `${selected.fileCount ?? '?'} files` : formatBytes(selected.size)} · modified {formatDateTime(selected.mtime)} · uid {selected.uid} gid {selected.gid}
					</Text>
				) : (
					<Text> </Text>
				)}
				<PreviewBody state={previewState} lines={previewLines} width={width} isFile={selected?.type === 'file'} empty={selected?.type === 'file' && selected.size === 0} />
			</Box>
		</Box>
	);
}

/** The preview area: escaped text or a hex dump of the first KB. */
export function PreviewBody({state, lines, width, isFile, empty, hex}: {state: ReturnType<PreviewLoader['getSnapshot']>; lines: number; width: number; isFile: boolean; empty?: boolean; hex?: boolean}) {
	const theme = useTheme();
	if (!isFile) return <Text {...roleStyle(theme, 'text.muted')}>Enter opens the directory.</Text>;
	if (empty) return <Text {...roleStyle(theme, 'text.muted')}>(empty file)</Text>;
	if (state.status === 'loading' || state.status === 'idle') return <Spinner label="loading preview (restic dump)…" />;
	if (state.status === 'error') return <Text wrap="wrap" {...roleStyle(theme, 'status.error')}>{escapeForTerminal(state.error ?? 'preview failed')}</Text>;
	const bytes = state.bytes ?? Buffer.alloc(0);
	const binary = hex || looksBinary(bytes);
	const rows = binary ? hexPreview(bytes, lines, width >= 78 ? 16 : 8) : textPreview(bytes, lines);
	return (
		<Box flexDirection="column">
			{rows.map((row, i) => (
				<Text key={i} wrap="truncate-end">
					{row || ' '}
				</Text>
			))}
		</Box>
	);
}

// Stable stand-ins for an unknown repository (useSyncExternalStore needs cached snapshots).
const noListing: ReturnType<TreeListing['getSnapshot']> = {status: 'error', entries: 0, startedAt: 0, version: 0};
const noPreview: ReturnType<PreviewLoader['getSnapshot']> = {status: 'idle'};
const dummy = {subscribe: () => () => {}, getSnapshot: () => noListing};
const dummyPreview = {subscribe: () => () => {}, getSnapshot: () => noPreview};
