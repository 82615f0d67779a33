/** One path's version timeline: when each version was there, its size and date; preview, diff, restore, mark (view). */
import {Box, Text} from 'ink';
import {List, listHandlers} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {roleStyle, selectionStyle, useTheme} from '../../theme/styles.js';
import {markGlyph} from '../../union/marks.js';
import {escapeForTerminal} from '../../util/escape.js';
import {formatBytes, formatDateTime, layoutColumns, plural, renderRow} from '../../util/format.js';
import {useVersionsScreen} from './use-versions-screen.js';

export function VersionsScreen({repo, path}: {repo: string; path: string}) {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const listHeight = Math.max(1, height - 3);
	const s = useVersionsScreen(repo, path, listHeight);
	const a = s.actions;
	useCommands(['versions', 'list'], {
		...listHandlers(a.move),
		'versions.open': a.open,
		'versions.mark': a.mark,
		'versions.diff': a.diff,
		'versions.restore': a.restore,
	});
	if (!s.model) return <Text {...roleStyle(theme, 'status.error')}>{s.gone ? `${escapeForTerminal(s.gone)}.` : `Unknown repository ${escapeForTerminal(repo)}.`} Esc goes back.</Text>;

	const p = s.progress;
	const indexing = p.phase === 'loading' || p.phase === 'listing' || p.phase === 'saving';
	const tl = s.timeline;
	const day = (t: number) => formatDateTime(t).slice(0, 10);
	const columns = layoutColumns(
		[
			{key: 'mark', width: 1, priority: 100},
			{key: 'range', width: 23, priority: 100},
			{key: 'snaps', width: 7, align: 'right', priority: 60},
			{key: 'size', width: 9, align: 'right', priority: 90},
			{key: 'id', width: 8, priority: 80},
			{key: 'host', width: 10, priority: 10},
			{key: 'mtime', width: 25, priority: 40},
		],
		width - 1,
	);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-start" {...roleStyle(theme, 'accent')}>
				{escapeForTerminal(path)}
			</Text>
			<Text wrap="truncate-end" {...roleStyle(theme, 'text.muted')}>
				{indexing ? <Spinner label={`indexing ${p.snapshotsDone}/${p.snapshotsTotal || '?'} snapshots… `} /> : null}
				{tl ? `${plural(tl.runs.length, 'version')} in ${plural(tl.present.length, 'snapshot')}` : indexing ? '' : 'in no indexed snapshot'}
				{tl?.deletedAfter ? ` · deleted after ${tl.deletedAfter.shortId} (${formatDateTime(tl.deletedAfter.time)})` : tl?.inLatest ? ' · in the latest snapshot' : ''}
				{s.mark ? ` · marked from ${s.mark.shortId}` : ''}
			</Text>
			<Text wrap="truncate-end" {...roleStyle(theme, 'text.muted')}>
				{renderRow(columns, {mark: ' ', range: 'WHEN', snaps: 'SNAPS', size: 'SIZE', id: 'NEWEST', host: 'HOST', mtime: 'MODIFIED'})}
			</Text>
			<List
				items={s.runs}
				cursor={s.cursor}
				height={listHeight}
				width={width}
				empty={indexing ? 'Indexing: versions appear as snapshots are listed.' : 'No version of this path in any snapshot.'}
				render={(run, selected) => {
					const newest = run.snapshots.at(-1)!;
					const first = run.snapshots[0]!;
					return (
						<Text wrap="truncate-end" {...(selected ? selectionStyle(theme) : {})}>
							{renderRow(columns, {
								mark: s.mark?.snapshot && run.snapshots.some(x => x.id === s.mark!.snapshot) ? markGlyph(s.mark) : ' ',
								range: run.snapshots.length === 1 || day(first.time) === day(newest.time) ? day(first.time) : `${day(first.time)} → ${day(newest.time)}`,
								snaps: `${run.snapshots.length} snap`,
								size: run.version.type === 'dir' ? 'dir' : formatBytes(run.version.size),
								id: newest.shortId,
								host: escapeForTerminal(newest.hostname),
								mtime: `modified ${formatDateTime(run.version.mtime)}`,
							})}
						</Text>
					);
				}}
			/>
		</Box>
	);
}
