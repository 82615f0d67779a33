/** The union tree: every path of every snapshot in one tree, deleted ones as ghosts (view; state in use-union-screen). */
import {Box, Text} from 'ink';
import {List, listHandlers} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {roleStyle, selectionStyle, useTheme} from '../../theme/styles.js';
import {markGlyph} from '../../union/marks.js';
import type {UnionEntry} from '../../union/union-tree.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatBytes, formatDateTime} from '../../util/format.js';
import {fitPath} from './fit-path.js';
import {useUnionScreen} from './use-union-screen.js';

export function UnionScreen({repo, dir}: {repo: string; dir?: string}) {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const listHeight = Math.max(1, height - 3);
	const s = useUnionScreen(repo, dir, listHeight);
	const a = s.actions;

	useCommands(['union', 'list'], {
		...listHandlers(a.move),
		'union.open': a.open,
		'union.parent': a.parent,
		'union.mark': a.mark,
		'union.plan': a.plan,
		'union.deleted': a.toggleDeleted,
		'union.changed': a.cycleDays,
		'union.host': a.cycleHost,
		'union.versions': a.versions,
		'union.restore': a.restore,
	});

	if (!s.model) return <Text {...roleStyle(theme, 'status.error')}>{s.gone ? `${escapeForTerminal(s.gone)}.` : `Unknown repository ${escapeForTerminal(repo)}.`} Esc goes back.</Text>;

	const p = s.progress;
	const indexing = p.phase === 'loading' || p.phase === 'listing' || p.phase === 'saving';
	const filters = [s.host ? `host ${escapeForTerminal(s.host)}` : 'all hosts', s.deletedOnly ? 'deleted only' : '', s.days !== undefined ? `changed in ${s.days} day${s.days === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · ');
	const sizeW = 9;
	const versW = width >= 70 ? 5 : 0;
	const seenW = width >= 76 ? 17 : 0;
	const stateW = width >= 100 ? 34 : width >= 80 ? 24 : 0;
	const nameW = Math.max(10, width - 3 - sizeW - (versW ? versW + 1 : 0) - (seenW ? seenW + 1 : 0) - (stateW ? stateW + 1 : 0) - 2);
	// At 80 columns the id does not fit beside the date: the date says more (the id is in the timeline).
	const stateOf = (e: UnionEntry) => (e.ghost && e.deletedAfter ? `deleted after ${stateW >= 34 ? `${e.deletedAfter.shortId} ` : ''}${formatDateTime(e.deletedAfter.time).slice(0, 10)}` : e.types.length > 1 ? `was ${e.types.join(' and ')}` : '');

	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-end">
				{indexing ? <Spinner label={`indexing ${p.snapshotsDone}/${p.snapshotsTotal || '?'} snapshots… `} /> : null}
				<Text {...roleStyle(theme, 'accent')}>{escapeForTerminal(s.folder)}</Text>
				<Text {...roleStyle(theme, 'text.muted')}>
					{s.marks.size ? ` · p plan` : ''}
					{` · ${s.snapshotCount} snapshots · ${filters}`}
					{s.ghostsHere !== undefined ? ` · ${s.ghostsHere} deleted below` : ''}
				</Text>
			</Text>
			<Text {...roleStyle(theme, 'text.muted')} wrap="truncate-end">
				{`   ${fit('NAME', nameW)} ${fit('SIZE', sizeW, 'right')}${versW ? ` ${fit('VERS', versW, 'right')}` : ''}${seenW ? ` ${fit('LAST SEEN', seenW)}` : ''}${stateW ? ` ${fit('STATE', stateW)}` : ''}`}
			</Text>
			<List
				items={s.rows}
				cursor={s.cursor}
				height={listHeight}
				width={width}
				empty={indexing ? 'Indexing: the tree fills in as snapshots are listed.' : s.deletedOnly || s.days !== undefined ? 'Nothing here matches the filter.' : 'Empty folder.'}
				render={(e, selected) => {
					const mark = s.marks.get(e.path);
					const style = selected ? selectionStyle(theme) : e.ghost ? roleStyle(theme, 'text.muted') : {};
					const name = `${escapeForTerminal(e.name)}${e.hasChildren ? '/' : ''}`;
					const line = `${markGlyph(mark, e.lastSeen.id)}${e.ghost ? '✝' : ' '} ${fitPath(name, nameW)} ${fit(e.hasChildren ? '' : formatBytes(e.size), sizeW, 'right')}${versW ? ` ${fit(String(e.versions), versW, 'right')}` : ''}${seenW ? ` ${fit(formatDateTime(e.lastSeen.time), seenW)}` : ''}${stateW ? ` ${fit(stateOf(e), stateW)}` : ''}`;
					return (
						<Text wrap="truncate-end" {...style}>
							{line}
						</Text>
					);
				}}
			/>
		</Box>
	);
}
