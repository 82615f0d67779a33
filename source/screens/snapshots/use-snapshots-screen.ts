/**
 * The snapshots screen's state and commands: the repository model's snapshot list (shared with every
 * other screen, reloaded after a backup), the filter, grouping and sort.
 */
import Fuse from 'fuse.js';
import {useContext, useEffect, useMemo, useRef, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {listHandlers, moveCursor} from '../../components/list.js';
import {applyTextEdit} from '../../components/text-field.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useRepoModel} from '../../hooks/use-repos.js';
import type {Snapshot} from '../../restic/parse.js';

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

/** State and commands of the snapshots screen (see SnapshotsScreen for the view). */
export function useSnapshotsScreen({repo: repoName}: {repo: string}) {
	const {nav} = useContext(AppContext);
	const {height} = useBodySize();
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
	// The count line, the column header, the filter field and a failure's message when shown.
	const listHeight = Math.max(1, height - 2 - (filtering || filter ? 1 : 0) - (loadable?.state === 'error' ? 2 : 0));
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
					'snapshots.retention': () => nav.push({name: 'retention', repo: repoName}),
					'snapshots.union': () => nav.push({name: 'union', repo: repoName}),
					'snapshots.du': () => {
						if (current?.kind === 'snapshot') nav.push({name: 'du', repo: repoName, snapshotId: current.snapshot.id});
					},
					'snapshots.diff': () => {
						if (current?.kind !== 'snapshot') return;
						const s = current.snapshot;
						// The previous snapshot of the same host (and backup paths when there is one).
						const older = (loadable?.data ?? []).filter(o => o.hostname === s.hostname && o.time < s.time).sort((a, b) => b.time - a.time);
						const previous = older.find(o => o.paths.join('\0') === s.paths.join('\0')) ?? older[0];
						if (previous) nav.push({name: 'snapdiff', repo: repoName, source: previous.id, target: s.id});
					},
					'snapshots.live': () => {
						if (current?.kind === 'snapshot') nav.push({name: 'snapdiff', repo: repoName, source: current.snapshot.id, target: 'live'});
					},
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

	return {model, gone, loadable, rows, cursor, clamp, filter, filtering, groupByHost, newestFirst, listHeight};
}
