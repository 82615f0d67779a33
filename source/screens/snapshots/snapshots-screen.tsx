import {Box, Text} from 'ink';
import {TextField} from '../../components/text-field.js';
import {List} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatBytes, formatDateTime, formatRelative} from '../../util/format.js';
import {useSnapshotsScreen} from './use-snapshots-screen.js';

export {snapshotRows, type SnapshotRow} from './use-snapshots-screen.js';

/** The snapshots of one repository: filter, group by host, sort by time, open one. */
export function SnapshotsScreen({repo: repoName}: {repo: string}) {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {model, gone, loadable, rows, cursor, clamp, filter, filtering, groupByHost, newestFirst, listHeight} = useSnapshotsScreen({repo: repoName});

	if (!model) return <Text {...roleStyle(theme, 'status.error')}>{gone ? `${escapeForTerminal(gone)}.` : `Unknown repository ${escapeForTerminal(repoName)}.`} Esc goes back.</Text>;

	const idW = 9;
	const whenW = 11;
	// Narrow terminals drop the absolute time and the size column before the paths.
	const dateW = width >= 90 ? 16 : 0;
	const hostW = Math.min(14, Math.max(4, ...(loadable?.data ?? []).map(s => s.hostname.length)));
	const tagsW = width >= 80 ? 12 : 8;
	const sizeW = width >= 80 ? 9 : 0;
	const pathsW = Math.max(6, width - idW - whenW - (dateW ? dateW + 1 : 0) - hostW - tagsW - (sizeW ? sizeW + 1 : 0) - 5);
	const count = loadable?.data?.length ?? 0;
	const shown = rows.filter(r => r.kind === 'snapshot').length;

	return (
		<Box flexDirection="column" width={width} height={height}>
			<Box>
				<Text wrap="truncate-end">
					{loadable?.state === 'loading' ? <Spinner label="loading snapshots… " /> : null}
					<Text {...roleStyle(theme, 'text.muted')}>
						{count} snapshot{count === 1 ? '' : 's'}
						{filter ? `, ${shown} match` : ''} · {newestFirst ? 'newest first' : 'oldest first'}
						{groupByHost ? ' · grouped by host' : ''}
					</Text>
				</Text>
			</Box>
			{filtering || filter ? <TextField label="filter: " value={filter} focused={filtering} placeholder="id, host, tag or path" /> : null}
			{loadable?.state === 'error' ? (
				<Text wrap="wrap" {...roleStyle(theme, 'status.error')}>
					{escapeForTerminal(loadable.error ?? 'failed')}
				</Text>
			) : null}
			<Text {...roleStyle(theme, 'text.muted')} wrap="truncate-end">
				{` ${fit('ID', idW)}${fit('WHEN', whenW)}${dateW ? ` ${fit('TIME', dateW)}` : ''} ${fit('HOST', hostW)} ${fit('TAGS', tagsW)}${sizeW ? ` ${fit('SIZE', sizeW, 'right')}` : ''} PATHS`}
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
							{`${fit(row.snapshot.shortId, idW)}${fit(formatRelative(row.snapshot.time), whenW)}${dateW ? ` ${fit(formatDateTime(row.snapshot.time), dateW)}` : ''} ${fit(escapeForTerminal(row.snapshot.hostname), hostW)} ${fit(escapeForTerminal(row.snapshot.tags.join(',')), tagsW)}${sizeW ? ` ${fit(row.snapshot.totalBytes === undefined ? '' : formatBytes(row.snapshot.totalBytes), sizeW, 'right')}` : ''} ${fit(escapeForTerminal(row.snapshot.paths.join(' ')), pathsW)}`}
						</Text>
					)
				}
			/>
		</Box>
	);
}
