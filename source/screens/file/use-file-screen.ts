/**
 * The file viewer's state and commands: the dump (64 KiB first, more on request, stopped when the screen
 * is left), scrolling, wrap or sideways scroll, text or hex, restore.
 */
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {listHandlers} from '../../components/list.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useObservable} from '../../hooks/use-store.js';
import {PreviewLoader, type PreviewState} from '../../tasks/preview.js';
import {formatBytes} from '../../util/format.js';
import {decodeText, hexPerRow, hexRows, isText, textRows} from '../../util/viewer.js';

/** What the viewer loads first, and the most it loads on request (restic dump reads from the start). */
const firstBytes = 64 * 1024;
const mostBytes = 16 * 1024 * 1024;
const idle: PreviewState = {status: 'idle'};
const emptyBytes = Buffer.alloc(0);

/** State and commands of the file screen (see FileScreen for the view). */
export function useFileScreen({repo: repoName, snapshotId, path}: {repo: string; snapshotId: string; path: string}) {
	const services = useContext(AppContext);
	const {clientFor, repo} = services;
	const {width, height} = useBodySize();
	const repository = repo(repoName);
	const preview = useMemo(() => (repository ? new PreviewLoader(clientFor(repository), firstBytes, 0) : undefined), [repository, clientFor]);
	const state = useObservable(preview ?? {subscribe: () => () => {}, getSnapshot: () => idle});
	const [hexChoice, setHex] = useState<boolean | undefined>(undefined);
	const [wrap, setWrap] = useState(true);
	const [top, setTop] = useState(0);
	const [hscroll, setHscroll] = useState(0);
	const [want, setWant] = useState(firstBytes);

	useEffect(() => {
		preview?.request(snapshotId, path, want);
	}, [preview, snapshotId, path, want]);
	useEffect(() => () => preview?.cancel(), [preview]);

	const bytes = state.bytes ?? emptyBytes;
	const asked = state.maxBytes ?? want;
	const whole = state.status === 'ready' && bytes.length < asked;
	const text = useMemo(() => isText(bytes, !whole), [bytes, whole]);
	const hex = hexChoice ?? !text;
	const pageHeight = Math.max(1, height - 2);
	const perRow = hexPerRow(width);
	// Text rows are computed once per content/width/mode, not per scroll step (a 2 MB line is 35 000 rows at 60 columns).
	const view = useMemo(() => (hex ? undefined : textRows(decodeText(bytes, !whole), {width, wrap, hscroll})), [hex, bytes, whole, width, wrap, hscroll]);
	const total = hex ? Math.ceil(bytes.length / perRow) : view!.rows.length;
	const maxTop = Math.max(0, total - pageHeight);
	const first = Math.min(top, maxTop);
	const visible = hex ? hexRows(bytes, first, pageHeight, perRow) : view!.rows.slice(first, first + pageHeight);
	const canLoadMore = !whole && state.status === 'ready' && asked < mostBytes;
	const loadMore = () => setWant(w => Math.min(mostBytes, w * 4));

	const move = (cmd: 'up' | 'down' | 'pageUp' | 'pageDown' | 'top' | 'bottom') => {
		const next = cmd === 'up' ? first - 1 : cmd === 'down' ? first + 1 : cmd === 'pageUp' ? first - pageHeight : cmd === 'pageDown' ? first + pageHeight : cmd === 'top' ? 0 : maxTop;
		// Scrolling past what is loaded asks restic for more.
		if (next > maxTop && cmd !== 'bottom' && canLoadMore) loadMore();
		setTop(Math.max(0, Math.min(maxTop, next)));
	};
	const notWrapped = hex ? {disabled: 'the hex view has no long lines'} : wrap ? {disabled: 'lines are wrapped: w scrolls sideways instead'} : undefined;

	useCommands(['file', 'list'], {
		...listHandlers(move),
		'file.hex': () => {
			setHex(!hex);
			setTop(0);
		},
		'file.wrap': hex
			? {disabled: 'the hex view has no long lines'}
			: () => {
					setWrap(w => !w);
					setHscroll(0);
					setTop(0);
				},
		'file.left': notWrapped ?? (() => setHscroll(h => Math.max(0, h - Math.max(8, Math.floor(width / 2))))),
		'file.right': notWrapped ?? (() => setHscroll(h => Math.min(Math.max(0, (view?.longest ?? 0) - 8), h + Math.max(8, Math.floor(width / 2))))),
		'file.more': canLoadMore ? loadMore : {disabled: whole ? 'the whole file is shown' : state.status === 'loading' ? 'still loading' : `resto shows at most ${formatBytes(mostBytes)}`},
		'file.restore': () => services.nav.push({name: 'restore', repo: repoName, snapshotId, path, dir: false}),
	});

	return {state, bytes, whole, text, hex, wrap, hscroll, first, total, visible, pageHeight, asked, canLoadMore};
}
