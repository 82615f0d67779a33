import cliTruncate from 'cli-truncate';
import {Box, Text} from 'ink';
import stringWidth from 'string-width';
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {List, moveCursor} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {applyTextEdit, TextField} from '../../components/text-field.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useObservable} from '../../hooks/use-store.js';
import type {SearchHit} from '../../index/search.js';
import {SearchTask} from '../../tasks/search-task.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import type {Theme} from '../../theme/tokens.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatBytes, formatDateTime, formatDuration, formatRelative} from '../../util/format.js';
import {diffVersions} from './diff-action.js';
import {restoreVersion} from './restore-action.js';

/** A path with its matched characters highlighted; long paths keep their end (the base name) visible. */
export function HighlightedPath({hit, width, theme}: {hit: SearchHit; width: number; theme: Theme}) {
	const marks = new Set(hit.positions);
	const nameStart = hit.path.lastIndexOf('/') + 1;
	const chars: Array<{text: string; mark: boolean; dir: boolean}> = [];
	for (let i = 0; i < hit.path.length; ) {
		const ch = String.fromCodePoint(hit.path.codePointAt(i)!);
		chars.push({text: escapeForTerminal(ch), mark: marks.has(i), dir: i < nameStart});
		i += ch.length;
	}
	// Keep the end (the base name) visible: drop characters from the left.
	let used = 0;
	let start = chars.length;
	while (start > 0 && used + [...chars[start - 1]!.text].length <= width - 1) {
		start--;
		used += [...chars[start]!.text].length;
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
export function SearchScreen({repo: repoName, query: initialQuery}: {repo: string; query?: string}) {
	const services = useContext(AppContext);
	const {nav, repo, store} = services;
	const theme = useTheme();
	const {width, height} = useBodySize();
	const repository = repo(repoName);
	const model = repository ? services.repos.modelFor(repository.name) : undefined;
	const machineTrees = services.config.search?.machineTrees;
	const task = useMemo(() => (model ? new SearchTask(model.indexer(), model.client, {machineTrees}) : undefined), [model, machineTrees]);
	const state = useObservable(task ?? noTask);
	const [cursor, setCursor] = useState(0);
	const [pane, setPane] = useState<'results' | 'versions'>('results');
	const [versionCursor, setVersionCursor] = useState(0);

	useEffect(() => {
		if (!task) return undefined;
		task.start();
		if (initialQuery) task.setQuery(initialQuery);
		return () => task.stop();
	}, [task, initialQuery]);

	const findMode = state.mode === 'find';
	const rows = findMode ? (state.findResults ?? []).length : state.hits.length;
	const timelineHeight = Math.max(3, Math.min(8, Math.floor(height / 3)));
	const listHeight = Math.max(1, height - timelineHeight - 4);
	const current = Math.max(0, Math.min(rows - 1, cursor));
	const hit = findMode ? undefined : state.hits[current];
	// The index grows while it is built: recompute the timeline as more snapshots come in.
	// eslint-disable-next-line react-hooks/exhaustive-deps
	const timeline = useMemo(() => (task && hit ? task.timeline(hit) : undefined), [task, hit, state.progress.snapshotsDone]);
	const versions = timeline ? [...timeline.runs].reverse() : [];
	const vCursor = Math.max(0, Math.min(versions.length - 1, versionCursor));
	const selectedRun = versions[vCursor];
	const selectedPath = findMode ? state.findResults?.[current]?.path : hit?.path;
	const selectedSnapshot = findMode ? state.findResults?.[current]?.snapshots.at(-1) : selectedRun?.snapshots.at(-1)?.id;

	const moveResults = (cmd: Parameters<typeof moveCursor>[2]) => {
		setCursor(c => moveCursor(Math.min(c, rows - 1), rows, cmd, listHeight));
		setVersionCursor(0);
	};
	const moveVersions = (cmd: Parameters<typeof moveCursor>[2]) => setVersionCursor(c => moveCursor(c, versions.length, cmd, timelineHeight));

	useCommands(
		['search'],
		{
			'search.next': () => (pane === 'results' ? moveResults('down') : moveVersions('down')),
			'search.prev': () => (pane === 'results' ? moveResults('up') : moveVersions('up')),
			'search.focus': () => setPane(p => (p === 'results' && !findMode ? 'versions' : 'results')),
			'search.open': () => {
				if (!selectedPath || !selectedSnapshot) return;
				nav.push({name: 'file', repo: repoName, snapshotId: selectedSnapshot, path: selectedPath});
			},
			'search.restore': () => {
				if (repository && selectedPath && selectedSnapshot) void restoreVersion(services, repository, selectedSnapshot, selectedPath);
			},
			'search.diff': () => {
				if (!repository || !selectedPath || !selectedRun) return;
				const older = versions[vCursor + 1];
				if (!older) {
					store.dispatch({type: 'notice', text: 'This is the oldest version: nothing to compare with.', level: 'warn'});
					return;
				}
				void diffVersions(services, repository, selectedPath, older.snapshots.at(-1)!.id, selectedRun.snapshots.at(-1)!.id);
			},
			'search.mode': () => task?.toggleMode(),
			'search.machine': () => task?.toggleMachine(),
		},
		{
			onText: (input, key) => {
				let next = '';
				const consumed = applyTextEdit(
					update => {
						// Read the task's query, not this render's: several keys can arrive before a re-render.
						next = update(task?.getSnapshot().query ?? '');
					},
					input,
					key,
				);
				if (consumed) {
					task?.setQuery(next);
					setCursor(0);
					setVersionCursor(0);
					setPane('results');
				}
				return consumed;
			},
		},
	);

	if (!repository) return <Text {...roleStyle(theme, 'status.error')}>Unknown repository {escapeForTerminal(repoName)}.</Text>;

	const p = state.progress;
	const indexing = p.phase === 'loading' || p.phase === 'listing' || p.phase === 'saving';
	const status = indexing ? (
		<Spinner
			label={`indexing ${p.snapshotsDone}/${p.snapshotsTotal || '?'} snapshots · ${p.entries.toLocaleString('en-US')} entries (${p.entriesPerSecond.toLocaleString('en-US')}/s)${p.etaSeconds ? ` · ETA ${formatDuration(p.etaSeconds)}` : ''} · searchable now`}
		/>
	) : p.phase === 'error' ? (
		<Text {...roleStyle(theme, 'status.error')}>index: {escapeForTerminal(p.message ?? 'failed')}</Text>
	) : (
		<Text {...roleStyle(theme, 'text.muted')}>
 			{p.snapshotsTotal} snapshots indexed{p.fromCache ? ` (${p.fromCache} from cache)` : ''} ·{' '}
			{state.query ? (findMode ? (state.searching ? 'restic find is running…' : `${(state.findResults ?? []).length.toLocaleString('en-US')} paths in ${Math.round(state.ms)} ms`) : state.searching && state.hits.length === 0 ? 'searching…' : countText(state)) : 'type a few letters of a file name'}
			{!findMode && state.hideMachine ? ' · machine-made trees hidden (^T)' : ''}
			{findMode ? ' · restic find mode (globs), ^G for index' : ' · ^G restic find mode'}
		</Text>
	);

	const sizeW = 9;
	const whenW = 12;
	const pathW = Math.max(10, width - sizeW - whenW - 3);

	return (
		<Box flexDirection="column" width={width} height={height}>
			<TextField label={findMode ? 'find (glob): ' : 'search: '} value={state.query} focused placeholder={findMode ? '*.pdf, **/2023/*' : 'tax 2023 pdf'} />
			<Box height={1}>
				<Text wrap="truncate-end">
					{state.searching ? <Spinner label="" /> : null}
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
			{findMode ? (
				<List
					items={state.findResults ?? []}
					cursor={current}
					height={listHeight}
					width={width}
					empty={state.searching ? 'restic find is running…' : state.query ? 'No match.' : 'Type a glob pattern.'}
					render={r => <Text>{`${cutMiddle(escapeForTerminal(r.path), pathW)} ${fit(r.type === 'dir' ? 'dir' : formatBytes(r.size), sizeW, 'right')} ${fit(`${r.snapshots.length} snap`, whenW, 'right')}`}</Text>}
				/>
			) : (
				<List
					items={state.hits}
					cursor={current}
					height={listHeight}
					width={width}
					empty={state.query ? (state.searching ? 'searching…' : indexing ? 'No match yet: still indexing.' : 'No match in any snapshot.') : ' '}
					render={h => (
						<Text>
							<HighlightedPath hit={h} width={pathW} theme={theme} />
							{` ${h.type === 'dir' ? 'dir' : '   '}${fit(formatRelative(h.newest), whenW, 'right')}`}
						</Text>
					)}
				/>
			)}
			<Box flexDirection="column" height={timelineHeight + 1} borderStyle="single" borderTop borderBottom={false} borderLeft={false} borderRight={false} borderColor={theme.colors[pane === 'versions' ? 'border.focused' : 'border.muted']}>
				{timeline ? (
					<>
						<Text wrap="truncate-end" {...roleStyle(theme, 'text.muted')}>
							{timeline.runs.length} version{timeline.runs.length === 1 ? '' : 's'} in {timeline.present.length} snapshot{timeline.present.length === 1 ? '' : 's'}
							{timeline.deletedAfter ? ` · deleted after ${timeline.deletedAfter.shortId} (${formatDateTime(timeline.deletedAfter.time)})` : timeline.inLatest ? ' · in the latest snapshot' : ''}
							{pane === 'results' ? ' · tab: pick a version' : ' · enter preview · ^O restore · ^E diff'}
						</Text>
						<List
							items={versions}
							cursor={pane === 'versions' ? vCursor : -1}
							height={timelineHeight - 1}
							width={width}
							render={run => (
								<Text>
									{`${fit(`${formatDateTime(run.snapshots[0]!.time)} → ${formatDateTime(run.snapshots.at(-1)!.time)}`, 35)} ${fit(`${run.snapshots.length} snap${run.snapshots.length === 1 ? '' : 's'}`, 8)} ${fit(run.version.type === 'dir' ? 'dir' : formatBytes(run.version.size), 9, 'right')}  ${run.snapshots.at(-1)!.shortId} ${fit(escapeForTerminal(run.snapshots.at(-1)!.hostname), 8)} mtime ${formatDateTime(run.version.mtime)}`}
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

/**
 * The headline count: real matches, scattered-letter matches apart. While counting goes on it is a
 * lower bound and says so; it never contradicts the list (which holds at most the best few hundred).
 */
export function countText(s: {total: number; looser: number; totalExact: boolean; ms: number; hits: readonly unknown[]}): string {
	const n = (v: number) => v.toLocaleString('en-US');
	if (!s.totalExact) return `${n(Math.max(s.total, s.hits.length))}+ matches in ${Math.round(s.ms)} ms, counting…`;
	const real = `${n(s.total)} match${s.total === 1 ? '' : 'es'}`;
	return `${real}${s.looser ? ` · ${n(s.looser)} looser` : ''} in ${Math.round(s.ms)} ms`;
}

/** A path cut in the middle to `width` columns, so the base name at its end stays visible. */
function cutMiddle(text: string, width: number): string {
	return fit(stringWidth(text) > width ? cliTruncate(text, width, {position: 'middle'}) : text, width);
}

const noState: ReturnType<SearchTask['getSnapshot']> = {
	query: '',
	mode: 'index',
	hits: [],
	total: 0,
	looser: 0,
	hideMachine: false,
	totalExact: true,
	ms: 0,
	searching: false,
	progress: {phase: 'idle', snapshotsDone: 0, snapshotsTotal: 0, entries: 0, entriesPerSecond: 0, fromCache: 0, startedAt: 0},
};
const noTask = {subscribe: () => () => {}, getSnapshot: () => noState};
