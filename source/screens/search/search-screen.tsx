import {Box, Text} from 'ink';
import {List} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {TextField} from '../../components/text-field.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import type {SearchHit} from '../../index/search.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import type {Theme} from '../../theme/tokens.js';
import {markGlyph} from '../../union/marks.js';
import {escapeForTerminal} from '../../util/escape.js';
import {columns, fit, formatBytes, formatDateTime, formatDuration, formatRelative, layoutColumns, plural, renderRow} from '../../util/format.js';
import {useSearchScreen} from './use-search-screen.js';

/**
 * A path with its matched characters highlighted, from index `from` (the part below a root shown
 * once above the list); long paths keep their end (the base name) visible.
 */
export function HighlightedPath({hit, width, theme, from = 0}: {hit: SearchHit; width: number; theme: Theme; from?: number}) {
	const marks = new Set(hit.positions);
	const nameStart = hit.path.lastIndexOf('/') + 1;
	const chars: Array<{text: string; mark: boolean; dir: boolean}> = [];
	for (let i = from; i < hit.path.length;) {
		const ch = String.fromCodePoint(hit.path.codePointAt(i)!);
		chars.push({text: escapeForTerminal(ch), mark: marks.has(i), dir: i < nameStart});
		i += ch.length;
	}
	// Keep the end (the base name) visible: drop characters from the left.
	let used = 0;
	let start = chars.length;
	// Columns, not code points: 日本語 takes six.
	while (start > 0 && used + columns(chars[start - 1]!.text) <= width - 1) {
		start--;
		used += columns(chars[start]!.text);
	}
	const runs: Array<{text: string; mark: boolean; dir: boolean}> = [];
	for (const c of chars.slice(start)) {
		const last = runs.at(-1);
		if (last && last.mark === c.mark && last.dir === c.dir) last.text += c.text;
		else runs.push({...c});
	}
	return (
		<Text wrap="truncate-end">
			{start > 0 ? <Text {...roleStyle(theme, 'text.muted')}>…</Text> : null}
			{runs.map((r, i) =>
				r.mark ? (
					<Text key={i} {...roleStyle(theme, 'match')} bold>
						{r.text}
					</Text>
				) : r.dir ? (
					<Text key={i} {...roleStyle(theme, 'text.muted')}>
						{r.text}
					</Text>
				) : (
					<Text key={i}>{r.text}</Text>
				),
			)}
			{' '.repeat(Math.max(0, width - used - (start > 0 ? 1 : 0)))}
		</Text>
	);
}

/** Search every snapshot of a repository as you type; see each result's versions; preview, diff, restore. */
export function SearchScreen(props: {repo: string; query?: string}) {
	const repoName = props.repo;
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {repository, state, findMode, current, timeline, versions, vCursor, pane, listHeight, timelineHeight, marks} = useSearchScreen(props);
	if (!repository) return <Text {...roleStyle(theme, 'status.error')}>Unknown repository {escapeForTerminal(repoName)}.</Text>;

	const p = state.progress;
	const indexing = p.phase === 'loading' || p.phase === 'listing' || p.phase === 'saving';
	const status = indexing ? (
		<Spinner label={`indexing ${p.snapshotsDone}/${p.snapshotsTotal || '?'} snapshots · ${plural(p.entries, 'entry')} (${p.entriesPerSecond.toLocaleString('en-US')}/s)${p.etaSeconds ? ` · ETA ${formatDuration(p.etaSeconds)}` : ''} · searchable now`} />
	) : p.phase === 'error' ? (
		<Text {...roleStyle(theme, 'status.error')}>index: {escapeForTerminal(p.message ?? 'failed')}</Text>
	) : (
		<Text {...roleStyle(theme, 'text.muted')}>
			{plural(p.snapshotsTotal, 'snapshot')} indexed{p.fromCache ? ` (${p.fromCache} from cache)` : ''} ·{' '}
			{state.query ? (findMode ? (state.searching ? 'restic find is running…' : `${(state.findResults ?? []).length.toLocaleString('en-US')} paths in ${Math.round(state.ms)} ms`) : state.searching && state.hits.length === 0 ? 'searching…' : countText(state)) : 'type a few letters of a file name'}
			{!findMode && state.hideMachine ? ' · machine-made trees hidden (^T)' : ''}
			{findMode ? ' · restic find mode (globs), ^G for index' : ' · ^G restic find mode'}
		</Text>
	);

	// One backup root for every hit: shown once above them, the rows show the path below it.
	const root = sharedRoot(state.hits);
	const sizeW = 9;
	const whenW = 12;
	// One column for the mark glyph (● marked).
	const pathW = Math.max(10, width - 1 - 4 - whenW - 1 - 1);
	const findColumns = layoutColumns(
		[
			{key: 'path', width: 0, grow: true, min: 16, cut: 'path', priority: 100},
			{key: 'size', width: sizeW, align: 'right', priority: 50},
			{key: 'snaps', width: 12, align: 'right', priority: 40},
		],
		width - 2,
	);
	// A version: when it was there, in how many snapshots, its size, the newest snapshot's id and host,
	// and its own mtime. Dates only in the range (the times are in the preview); the host goes first.
	const versionColumns = layoutColumns(
		[
			{key: 'range', width: 23, priority: 100},
			{key: 'snaps', width: 7, align: 'right', priority: 60},
			{key: 'size', width: 9, align: 'right', priority: 80},
			{key: 'id', width: 8, priority: 50},
			{key: 'host', width: 10, priority: 10},
			{key: 'mtime', width: 25, priority: 70},
		],
		width - 1,
	);
	const day = (t: number | undefined) => formatDateTime(t).slice(0, 10);

	return (
		<Box flexDirection="column" width={width} height={height}>
			<TextField label={findMode ? 'find (glob): ' : 'search: '} value={state.query} focused={pane === 'query'} placeholder={findMode ? '*.pdf, **/2023/*' : 'tax 2023 pdf'} />
			<Box height={1}>
				<Text wrap="truncate-end">
					{/* While indexing, its spinner is the one that turns (two side by side read as noise). */}
					{state.searching && !indexing ? <Spinner label="" /> : null}
					{status}
				</Text>
			</Box>
			{state.error ? (
				<Text wrap="truncate-end" {...roleStyle(theme, 'status.error')}>
					{escapeForTerminal(state.error)}
				</Text>
			) : null}
			{p.warning ? (
				<Text wrap="truncate-end" {...roleStyle(theme, 'status.warn')}>
					{escapeForTerminal(p.warning)}
				</Text>
			) : null}
			{!findMode && root !== undefined ? (
				<Text wrap="truncate-end" {...roleStyle(theme, 'text.muted')}>
					{'in '}
					{fit(escapeForTerminal(root || '/'), width - 4, 'left', 'middle')}
				</Text>
			) : null}
			{findMode ? (
				<List
					items={state.findResults ?? []}
					cursor={current}
					height={listHeight}
					width={width}
					empty={state.searching ? 'restic find is running…' : state.query ? 'No match.' : 'Type a glob pattern.'}
					render={r => (
						<Text>
							{markGlyph(marks.get(r.path))}
							{renderRow(findColumns, {path: escapeForTerminal(r.path), size: r.type === 'dir' ? 'dir' : formatBytes(r.size), snaps: plural(r.snapshots.length, 'snapshot')})}
						</Text>
					)}
				/>
			) : (
				<List
					items={state.hits}
					cursor={current}
					height={root === undefined ? listHeight : listHeight - 1}
					width={width}
					empty={state.query ? (state.searching ? 'searching…' : indexing ? 'No match yet: still indexing.' : 'No match in any snapshot.') : ' '}
					render={h => (
						<Text>
							{markGlyph(marks.get(h.path))}
							<HighlightedPath hit={h} width={pathW} theme={theme} from={root === undefined ? 0 : h.rootEnd} />
							{` ${h.type === 'dir' ? 'dir' : '   '}${fit(formatRelative(h.newest), whenW, 'right')}`}
						</Text>
					)}
				/>
			)}
			<Box flexDirection="column" height={timelineHeight + 1} borderStyle="single" borderTop borderBottom={false} borderLeft={false} borderRight={false} borderColor={theme.colors[pane === 'versions' ? 'border.focused' : 'border.muted']}>
				{timeline ? (
					<>
						<Text wrap="truncate-end" {...roleStyle(theme, 'text.muted')}>
							{plural(timeline.runs.length, 'version')} in {plural(timeline.present.length, 'snapshot')}
							{timeline.deletedAfter ? ` · deleted after ${timeline.deletedAfter.shortId} (${formatDateTime(timeline.deletedAfter.time)})` : timeline.inLatest ? ' · in the latest snapshot' : ''}
							{pane !== 'versions' ? ' · tab: pick a version' : ' · enter preview · ^O restore · ^E diff'}
						</Text>
						<List
							items={versions}
							cursor={pane === 'versions' ? vCursor : -1}
							height={timelineHeight - 1}
							width={width}
							render={run => (
								<Text>
									{renderRow(versionColumns, {
										range: run.snapshots.length === 1 || day(run.snapshots[0]!.time) === day(run.snapshots.at(-1)!.time) ? day(run.snapshots[0]!.time) : `${day(run.snapshots[0]!.time)} → ${day(run.snapshots.at(-1)!.time)}`,
										snaps: `${run.snapshots.length} snap`,
										size: run.version.type === 'dir' ? 'dir' : formatBytes(run.version.size),
										id: run.snapshots.at(-1)!.shortId,
										host: escapeForTerminal(run.snapshots.at(-1)!.hostname),
										mtime: `modified ${formatDateTime(run.version.mtime)}`,
									})}
								</Text>
							)}
						/>
					</>
				) : (
					<Text {...roleStyle(theme, 'text.muted')}>{findMode ? 'enter preview · ^O restore from the newest snapshot that has it' : 'Versions of the selected file appear here.'}</Text>
				)}
			</Box>
		</Box>
	);
}

/** The backup root every hit lies below, when they share one (undefined: no hits, or several roots). */
export function sharedRoot(hits: readonly SearchHit[]): string | undefined {
	if (hits.length === 0) return undefined;
	const first = hits[0]!.path.slice(0, hits[0]!.rootEnd - 1);
	return hits.every(h => h.rootEnd === hits[0]!.rootEnd && h.path.startsWith(first)) ? first : undefined;
}

/**
 * The headline count: real matches, scattered-letter matches apart. While counting goes on it is a
 * lower bound and says so; it never contradicts the list (which holds at most the best few hundred).
 */
export function countText(s: {total: number; looser: number; totalExact: boolean; ms: number; hits: readonly unknown[]}): string {
	const n = (v: number) => v.toLocaleString('en-US');
	if (!s.totalExact) return `${n(Math.max(s.total, s.hits.length))}+ matches in ${Math.round(s.ms)} ms, counting…`;
	const real = plural(s.total, 'match');
	return `${real}${s.looser ? ` · ${n(s.looser)} looser` : ''} in ${Math.round(s.ms)} ms`;
}
