import {Box, Text} from 'ink';
import {TextField} from '../../components/text-field.js';
import {List} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {columns as columnsOf, formatBytes, formatDateTime, formatRelative, layoutColumns, plural, renderRow} from '../../util/format.js';
import {useSnapshotsScreen} from './use-snapshots-screen.js';
import {Paragraph} from '../../components/paragraph.js';

export {snapshotRows, type SnapshotRow} from './use-snapshots-screen.js';

/** The snapshots of one repository: filter, group by host, sort by time, open one. */
export function SnapshotsScreen({repo: repoName}: {repo: string}) {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {model, gone, loadable, rows, cursor, clamp, filter, filtering, groupByHost, newestFirst, listHeight} = useSnapshotsScreen({repo: repoName});

	if (!model) return <Text {...roleStyle(theme, 'status.error')}>{gone ? `${escapeForTerminal(gone)}.` : `Unknown repository ${escapeForTerminal(repoName)}.`} Esc goes back.</Text>;

	const all = loadable?.data ?? [];
	// Date and time stay readable at 80 columns; the relative age comes first when there is room.
	// Columns no snapshot fills (SIZE before restic 0.17, TAGS when untagged) give their room away.
	const columns = layoutColumns(
		[
			{key: 'id', width: 8, priority: 100},
			{key: 'time', width: 16, priority: 90},
			{key: 'when', width: 10, align: 'right', priority: 10},
			{key: 'host', width: Math.min(14, Math.max(4, ...all.map(s => columnsOf(escapeForTerminal(s.hostname))))), priority: 50},
			...(all.some(s => s.tags.length > 0) ? [{key: 'tags', width: Math.min(12, Math.max(4, ...all.map(s => columnsOf(escapeForTerminal(s.tags.join(',')))))), priority: 30}] : []),
			...(all.some(s => s.totalBytes !== undefined) ? [{key: 'size', width: 9, align: 'right' as const, priority: 20}] : []),
			{key: 'paths', width: 0, grow: true, min: 10, cut: 'path' as const, priority: 100},
		],
		width - 1,
	);
	const header = renderRow(columns, {id: 'ID', time: 'TIME', when: 'AGE', host: 'HOST', tags: 'TAGS', size: 'SIZE', paths: 'PATHS'});
	const count = loadable?.data?.length ?? 0;
	const shown = rows.filter(r => r.kind === 'snapshot').length;

	return (
		<Box flexDirection="column" width={width} height={height}>
			<Box>
				<Text wrap="truncate-end">
					{loadable?.state === 'loading' ? <Spinner label="loading snapshots… " /> : null}
					<Text {...roleStyle(theme, 'text.muted')}>
						{plural(count, 'snapshot')}
						{filter ? `, ${plural(shown, 'match')}` : ''} · {newestFirst ? 'newest first' : 'oldest first'}
						{groupByHost ? ' · grouped by host' : ''}
					</Text>
				</Text>
			</Box>
			{filtering || filter ? <TextField label="filter: " value={filter} focused={filtering} placeholder="id, host, tag or path" /> : null}
			{loadable?.state === 'error' ? <Paragraph {...roleStyle(theme, 'status.error')}>{escapeForTerminal(loadable.error ?? 'failed')}</Paragraph> : null}
			<Text {...roleStyle(theme, 'text.muted')} wrap="truncate-end">
				{` ${header}`}
			</Text>
			<List
				items={rows}
				cursor={clamp(cursor)}
				height={listHeight}
				width={width}
				empty={loadable?.state === 'ready' ? (filter ? 'No snapshot matches the filter.' : 'This repository has no snapshots yet.') : ' '}
				render={row =>
					row.kind === 'group' ? (
						<Text {...roleStyle(theme, 'accent')} bold>
							{`${escapeForTerminal(row.host || '(no host)')} (${row.count})`}
						</Text>
					) : (
						<Text>
							{renderRow(columns, {
								id: row.snapshot.shortId,
								time: formatDateTime(row.snapshot.time),
								when: formatRelative(row.snapshot.time),
								host: escapeForTerminal(row.snapshot.hostname),
								tags: escapeForTerminal(row.snapshot.tags.join(',')),
								size: row.snapshot.totalBytes === undefined ? '' : formatBytes(row.snapshot.totalBytes),
								paths: escapeForTerminal(row.snapshot.paths.join(' ')),
							})}
						</Text>
					)
				}
			/>
		</Box>
	);
}
