/** The restore plan: what comes from which snapshot, where it goes, what it replaces; one run, a report per item (view). */
import {Box, Text} from 'ink';
import {List, listHandlers} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {roleStyle, selectionStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatBytes, formatDateTime} from '../../util/format.js';
import {fitPath} from './fit-path.js';
import {usePlanScreen} from './use-plan-screen.js';

export function PlanScreen({repo}: {repo: string}) {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const listHeight = Math.max(1, height - 4);
	const s = usePlanScreen(repo, listHeight);
	const a = s.actions;
	useCommands(['plan', 'list'], {
		...listHandlers(a.move),
		'plan.run': () => void a.run(),
		'plan.remove': a.remove,
		'plan.overwrite': a.toggleOverwrite,
	});
	if (!s.model) return <Text {...roleStyle(theme, 'status.error')}>{s.gone ? `${escapeForTerminal(s.gone)}.` : `Unknown repository ${escapeForTerminal(repo)}.`} Esc goes back.</Text>;
	const st = s.state;
	const pathW = Math.max(12, Math.floor((width - 24) / 2));
	const report = st.phase === 'done' && st.result;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-middle" {...roleStyle(theme, 'accent')}>
				{report ? `${st.result!.items.filter(i => i.status === 'restored').length} of ${st.result!.items.length} restored into ` : `${s.items.length} item${s.items.length === 1 ? '' : 's'} → `}
				{escapeForTerminal(st.target)}
			</Text>
			<Text {...roleStyle(theme, 'text.muted')} wrap="truncate-end">
				{st.phase === 'running' ? <Spinner label={`${escapeForTerminal(st.progress?.text ?? 'starting')} `} /> : null}
				{st.phase === 'previewing' ? 'checking the plan… ' : ''}
				{s.overwrite ? 'existing files are replaced' : 'existing files are kept (o: replace)'}
				{st.phase === 'error' ? ` · ${escapeForTerminal(st.error ?? 'failed')}` : ''}
			</Text>
			<Text {...roleStyle(theme, 'text.muted')} wrap="truncate-end">
				{report ? `   ${fit('RESULT', 9)}${fit('PATH', pathW)} DETAILS` : `   ${fit('FROM', 20)}${fit('PATH', pathW)} GOES TO`}
			</Text>
			{report ? (
				<List
					items={st.result!.items}
					cursor={s.cursor}
					height={listHeight}
					width={width}
					render={(r, selected) => (
						<Text wrap="truncate-end" {...(selected ? selectionStyle(theme) : roleStyle(theme, r.status === 'restored' ? 'status.ok' : 'status.error'))}>
							{`${fit(r.status, 9)}${fitPath(escapeForTerminal(r.path), pathW)} ${r.status === 'restored' ? `${r.files} file${r.files === 1 ? '' : 's'}, ${formatBytes(r.bytes)}, verified${r.replaced ? ', replaced' : ''}` : escapeForTerminal(r.error ?? '')}`}
						</Text>
					)}
				/>
			) : (
				<List
					items={s.items}
					cursor={s.cursor}
					height={listHeight}
					width={width}
					empty="Nothing marked: mark files and folders with space in the all-files tree, search results, a snapshot's tree or a version timeline."
					render={(m, selected) => {
						const p = st.preview.find(x => x.path === m.path && x.snapshot.startsWith(m.snapshot.slice(0, 8)));
						// Relative to the target named in the title: the part that differs (a path, or a `<short id>/` it goes below).
						const dest = p && p.destination.startsWith(`${st.target}/`) ? `./${p.destination.slice(st.target.length + 1)}` : (p?.destination ?? '');
						const note = p?.replaces ? (s.overwrite ? ' (replaces)' : ' (exists: skipped)') : '';
						const where = p?.problem ? p.problem : p ? `${fitPath(escapeForTerminal(dest), Math.max(8, width - 22 - pathW - note.length))}${note}` : '';
						return (
							<Text wrap="truncate-end" {...(selected ? selectionStyle(theme) : p?.problem ? roleStyle(theme, 'status.error') : p?.replaces ? roleStyle(theme, 'status.warn') : {})}>
								{`${fit(`${m.shortId} ${formatDateTime(m.snapshotTime).slice(0, 10)}`, 20)}${fitPath(`${escapeForTerminal(m.path)}${m.folder ? '/' : ''}`, pathW)} ${where}`}
							</Text>
						);
					}}
				/>
			)}
		</Box>
	);
}
