import {Box, Text} from 'ink';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {formatBytes} from '../../util/format.js';
import {useFileScreen} from './use-file-screen.js';
import {Paragraph} from '../../components/paragraph.js';

/**
 * One file of a snapshot, readable: scroll (j/k, PgUp/PgDn, g/G), wrap or scroll sideways, more of the
 * file on demand, valid UTF-8 as text in any script, `x` for hex.
 */
export function FileScreen(props: {repo: string; snapshotId: string; path: string}) {
	const {snapshotId, path} = props;
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {state, bytes, whole, text, hex, wrap, hscroll, first, total, visible, pageHeight, asked} = useFileScreen(props);
	const loaded = state.status === 'loading' && state.bytes ? `loading ${formatBytes(asked)}…` : state.bytes ? (whole ? `whole file, ${formatBytes(bytes.length)}` : `first ${formatBytes(bytes.length)}`) : '';
	const position = total > pageHeight ? ` · rows ${first + 1}–${Math.min(total, first + pageHeight)} of ${total}${whole ? '' : '+'}` : '';
	const mode = hex ? 'hex' : `${text ? '' : 'binary as text, '}${wrap ? 'wrapped' : hscroll > 0 ? `from column ${hscroll + 1}` : 'not wrapped'}`;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-start" {...roleStyle(theme, 'accent')}>
				{escapeForTerminal(path)}
			</Text>
			<Text wrap="truncate-end" {...roleStyle(theme, 'text.muted')}>
				{snapshotId.slice(0, 8)} · {loaded || '…'}
				{position} · {mode}
			</Text>
			{state.status === 'error' ? (
				<Paragraph {...roleStyle(theme, 'status.error')}>{escapeForTerminal(state.error ?? 'could not read the file')}</Paragraph>
			) : !state.bytes ? (
				<Spinner label="reading the file (restic dump)…" />
			) : bytes.length === 0 ? (
				<Text {...roleStyle(theme, 'text.muted')}>(empty file)</Text>
			) : (
				<Box flexDirection="column" height={pageHeight} overflow="hidden">
					{visible.map((row, i) => (
						<Text key={first + i} wrap="truncate-end">
							{row || ' '}
						</Text>
					))}
				</Box>
			)}
		</Box>
	);
}
