import {Box, Text} from 'ink';
import {List} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {TextField} from '../../components/text-field.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import type {PreviewState} from '../../tasks/preview.js';
import type {TreeEntry} from '../../tasks/tree-listing.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {markGlyph} from '../../union/marks.js';
import {escapeForTerminal} from '../../util/escape.js';
import {formatBytes, formatDateTime, layoutColumns, plural, renderRow} from '../../util/format.js';
import {hexPreview, looksBinary, textPreview} from '../../util/preview.js';
import {useTreeScreen} from './use-tree-screen.js';
import {Paragraph} from '../../components/paragraph.js';

const typeMark: Record<TreeEntry['type'], string> = {dir: '▸', file: ' ', symlink: '↪', other: '?'};

/** Browse one snapshot's tree while `restic ls` streams it; preview the selected file. */
export function TreeScreen(props: {repo: string; snapshotId: string; dir?: string}) {
	const {repo: repoName, snapshotId} = props;
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {repository, state, previewState, effectiveDir, entries, cursor, selected, previewLines, errorLines, listHeight, filter, filtering, childrenOf, marks} = useTreeScreen(props);

	if (!repository) return <Text {...roleStyle(theme, 'status.error')}>Unknown repository {escapeForTerminal(repoName)}.</Text>;

	// Names are cut in the middle (the extension stays); the date goes before the size when narrow.
	const columns = layoutColumns(
		[
			{key: 'mark', width: 1, priority: 100},
			{key: 'type', width: 1, priority: 100},
			{key: 'name', width: 0, grow: true, min: 16, cut: 'middle', priority: 100},
			{key: 'size', width: 9, align: 'right', priority: 60},
			{key: 'date', width: 16, priority: 40},
		],
		width - 1,
	);
	const elapsed = ((state.finishedAt ?? Date.now()) - state.startedAt) / 1000;

	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-start">
				<Text {...roleStyle(theme, 'accent')}>{snapshotId.slice(0, 8)}</Text>
				<Text> {escapeForTerminal(effectiveDir)}</Text>
			</Text>
			<Box height={1 + errorLines} overflow="hidden">
				<Text wrap={state.status === 'error' ? 'wrap' : 'truncate-end'} {...roleStyle(theme, state.status === 'error' ? 'status.error' : 'text.muted')}>
					{state.status === 'listing' ? <Spinner label={`listing… ${plural(state.entries, 'entry')} (${Math.round(state.entries / Math.max(0.1, elapsed)).toLocaleString('en-US')}/s)`} /> : null}
					{state.status === 'done' ? `${plural(state.entries, 'entry')} listed in ${elapsed.toFixed(1)} s · ${entries.length} here` : ''}
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
						{renderRow(columns, {
							mark: markGlyph(marks.get(entry.path), snapshotId),
							type: typeMark[entry.type],
							name: escapeForTerminal(entry.name) + (entry.type === 'dir' ? '/' : ''),
							size: entry.type === 'dir' ? (entry.totalSize === undefined ? '' : formatBytes(entry.totalSize)) : formatBytes(entry.size),
							date: formatDateTime(entry.mtime),
						})}
					</Text>
				)}
			/>
			<Box flexDirection="column" borderStyle="single" borderTop borderBottom={false} borderLeft={false} borderRight={false} borderColor={theme.colors['border.muted']} height={previewLines + 2}>
				{selected ? (
					<Text wrap="truncate-end" {...roleStyle(theme, 'text.muted')}>
						{selected.type} · {selected.permissions} · {selected.type === 'dir' ? (selected.fileCount === undefined ? '? files' : plural(selected.fileCount, 'file')) : formatBytes(selected.size)} · modified {formatDateTime(selected.mtime)} · uid {selected.uid} gid {selected.gid}
					</Text>
				) : (
					<Text> </Text>
				)}
				{selected?.type === 'dir' ? (
					<DirPreview names={childrenOf(selected.path).map(e => escapeForTerminal(e.name) + (e.type === 'dir' ? '/' : ''))} lines={previewLines} />
				) : (
					<PreviewBody state={previewState} lines={previewLines} width={width} isFile={selected?.type === 'file'} empty={selected?.type === 'file' && selected.size === 0} />
				)}
			</Box>
		</Box>
	);
}

/** A directory's preview: its first entries (the rest counted), so Enter is not a blind step. */
function DirPreview({names, lines}: {names: string[]; lines: number}) {
	const theme = useTheme();
	if (names.length === 0) return <Text {...roleStyle(theme, 'text.muted')}>(empty directory)</Text>;
	const shown = names.length > lines ? names.slice(0, lines - 1) : names;
	return (
		<Box flexDirection="column">
			{shown.map((name, i) => (
				<Text key={i} wrap="truncate-end">
					{name}
				</Text>
			))}
			{names.length > shown.length ? <Text {...roleStyle(theme, 'text.muted')}>… and {plural(names.length - shown.length, 'more entry', 'more entries')}</Text> : null}
		</Box>
	);
}

/** The preview area: escaped text or a hex dump of the first KB. */
export function PreviewBody({state, lines, width, isFile, empty, hex}: {state: PreviewState; lines: number; width: number; isFile: boolean; empty?: boolean; hex?: boolean}) {
	const theme = useTheme();
	if (!isFile) return <Text {...roleStyle(theme, 'text.muted')}>Enter opens the directory.</Text>;
	if (empty) return <Text {...roleStyle(theme, 'text.muted')}>(empty file)</Text>;
	if (state.status === 'loading' || state.status === 'idle') return <Spinner label="loading preview (restic dump)…" />;
	if (state.status === 'error') return <Paragraph {...roleStyle(theme, 'status.error')}>{escapeForTerminal(state.error ?? 'preview failed')}</Paragraph>;
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
