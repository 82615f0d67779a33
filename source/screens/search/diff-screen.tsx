import {Box, Text} from 'ink';
import {List} from '../../components/list.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {useDiffScreen} from './use-diff-screen.js';

/** A unified diff of two versions of a text file; every line is escaped. */
export function DiffScreen({path, older, newer, lines, truncated}: {path: string; older: string; newer: string; lines: string[]; truncated: boolean}) {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {top, page} = useDiffScreen(lines);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-start" {...roleStyle(theme, 'accent')}>
				{escapeForTerminal(path)}
			</Text>
			<Text {...roleStyle(theme, 'text.muted')}>
				{older.slice(0, 8)} → {newer.slice(0, 8)}
				{truncated ? ' · first 64 KiB only' : ''}
				{lines.every(l => !l.startsWith('@@')) ? ' · no differences' : ''}
			</Text>
			<List
				items={lines.slice(top, top + page)}
				cursor={-1}
				height={page}
				width={width}
				render={line => <Text {...roleStyle(theme, line.startsWith('+') ? 'status.ok' : line.startsWith('-') ? 'status.error' : line.startsWith('@@') ? 'accent' : 'text.primary')}>{escapeForTerminal(line) || ' '}</Text>}
			/>
		</Box>
	);
}
