import Fuse from 'fuse.js';
import {Box, Text} from 'ink';
import {useContext, useEffect, useMemo, useRef, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {applyTextEdit, TextField} from '../../components/text-field.js';
import {List, listHandlers, moveCursor} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useRepoModel} from '../../hooks/use-repos.js';
import type {Snapshot} from '../../restic/parse.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatBytes, formatDateTime, formatRelative} from '../../util/format.js';

/** A row of the snapshots list: a snapshot or a host group heading. */
export type SnapshotRow = {kind: 'snapshot'; snapshot: Snapshot} | {kind: 'group'; host: string; count: number};

/** Filter (fuzzy, over id/host/tags/paths), sort and optionally group snapshots into rows. */
export function snapshotRows(snapshots: readonly Snapshot[], options: {filter: string; groupByHost: boolean; newestFirst: boolean}): SnapshotRow[] {
	let list = [...snapshots];
	const q = options.filter.trim();
	if (q) {
		const fuse = new Fuse(list, {
			keys: ['shortId', 'id', 'hostname', 'tags', 'paths', 'username'],
			threshold: 0.35,
			ignoreLocation: true,
		});
		list = fuse.search(q).map(r => r.item);
	}
	list.sort((a, b) => (options.newestFirst ? b.time - a.time : a.time - b.time));
	if (!options.groupByHost) return list.map(snapshot => ({kind: 'snapshot', snapshot}));
	const groups = new Map<string, Snapshot[]>();
	for (const s of list) groups.set(s.hostname, [...(groups.get(s.hostname) ?? []), s]);
	const rows: SnapshotRow[] = [];
	for (const host of [...groups.keys()].sort()) {
		const items = groups.get(host)!;
		rows.push({kind: 'group', host, count: items.length});
		for (const snapshot of items) rows.push({kind: 'snapshot', snapshot});
	}
	return rows;
}

/** The snapshots of one repository: filter, group by host, sort by time, open one. */
export function SnapshotsScreen({repo: repoName}: {repo: string}) {
	const {nav} = useContext(AppContext);
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {model, state: repoState, gone} = useRepoModel(repoName);
	const loadable = repoState?.snapshots;
	const [cursor, setCursor] = useState(0);
	const [filter, setFilter] = useState('');
	const [filtering, setFiltering] = useState(false);
	const [groupByHost, setGroupByHost] = useState(false);
	const [newestFirst, setNewestFirst] = useState(true);
	const controller = useRef<AbortController | undefined>(undefined);

	const reload = () => {
		if (!model) return;
		controller.current?.abort();
		const c = new AbortController();
		controller.current = c;
		void model.loadSnapshots(c.signal);
	};

	useEffect(() => {
		if (!model?.getSnapshot().snapshots.data) reload();
		return () => controller.current?.abort();
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [model]);

	const rows = useMemo(() => snapshotRows(loadable?.data ?? [], {filter, groupByHost, newestFirst}), [loadable?.data, filter, groupByHost, newestFirst]);
	const listHeight = Math.max(1, height - 6);
	const clamp = (c: number) => Math.max(0, Math.min(rows.length - 1, c));
	const current = rows[clamp(cursor)];
	const move = (cmd: Parameters<typeof moveCursor>[2]) => setCursor(c => moveCursor(c, rows.length, cmd, listHeight));

	useCommands(
		filtering ? ['input'] : ['snapshots', 'list'],
		filtering
			? {
					'input.submit': () => setFiltering(false),
					'input.cancel': () => {
						setFilter('');
						setFiltering(false);
					},
				}
			: {
					...listHandlers(move),
					'snapshots.open': () => {
						if (current?.kind === 'snapshot') nav.push({name: 'tree', repo: repoName, snapshotId: current.snapshot.id});
					},
					'snapshots.filter': () => setFiltering(true),
					'snapshots.group': () => setGroupByHost(g => !g),
					'snapshots.sort': () => setNewestFirst(n => !n),
					'snapshots.search': () => nav.push({name: 'search', repo: repoName}),
					'snapshots.refresh': reload,
				},
		{
			modal: filtering,
			onText: filtering
				? (input, key) => {
						const consumed = applyTextEdit(setFilter, input, key);
						if (consumed) setCursor(0);
						return consumed;
					}
				: undefined,
		},
	);

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
