/** Disk usage of one snapshot, like ncdu, from the index (view; state in use-du-screen). */
import {Box, Text} from 'ink';
import {List, listHandlers} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {roleStyle, selectionStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatBytes} from '../../util/format.js';
import {fitPath} from './fit-path.js';
import {useDuScreen} from './use-du-screen.js';

export function DuScreen({repo, snapshotId}: {repo: string; snapshotId: string}) {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const listHeight = Math.max(1, height - 2);
	const s = useDuScreen(repo, snapshotId, listHeight);
	useCommands(['du', 'list'], {...listHandlers(s.actions.move), 'du.open': s.actions.open, 'du.parent': s.actions.parent});
	if (!s.model) return <Text {...roleStyle(theme, 'status.error')}>{s.gone ? `${escapeForTerminal(s.gone)}.` : `Unknown repository ${escapeForTerminal(repo)}.`} Esc goes back.</Text>;
	const barW = width >= 80 ? 20 : 10;
	const nameW = Math.max(10, width - barW - 9 - 8 - 4);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-end">
				{!s.indexed ? <Spinner label={`indexing snapshot ${snapshotId.slice(0, 8)}… `} /> : null}
				<Text {...roleStyle(theme, 'accent')}>{escapeForTerminal(s.folder)}</Text>
				<Text {...roleStyle(theme, 'text.muted')}>{` · ${formatBytes(s.total)} in snapshot ${snapshotId.slice(0, 8)} · sizes as restic lists them (not deduplicated)`}</Text>
			</Text>
			<Text {...roleStyle(theme, 'text.muted')} wrap="truncate-end">{` ${fit('SIZE', 9, 'right')} ${fit('SHARE', 7, 'right')} ${' '.repeat(barW)} NAME`}</Text>
			<List
				items={s.rows}
				cursor={s.cursor}
				height={listHeight}
				width={width}
				empty={s.indexed ? 'Empty folder.' : ' '}
				render={(r, selected) => {
					const share = s.total > 0 ? r.bytes / s.total : 0;
					const filled = Math.round(share * barW);
					const name = r.path.slice(r.path.lastIndexOf('/') + 1);
					return (
						<Text wrap="truncate-end" {...(selected ? selectionStyle(theme) : {})}>
							{`${fit(formatBytes(r.bytes), 9, 'right')} ${fit(`${(share * 100).toFixed(1)}%`, 7, 'right')} ${'#'.repeat(filled)}${'.'.repeat(barW - filled)} ${fitPath(`${escapeForTerminal(name)}${r.type === 'dir' ? '/' : ''}`, nameW)}`}
						</Text>
					);
				}}
			/>
		</Box>
	);
}
