/** Every message since resto started, newest first, with time and level; scrolls (j/k, PgUp/PgDn, g/G). */
import {Box, Text} from 'ink';
import {useBodySize} from '../../hooks/use-body-size.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {plural} from '../../util/format.js';
import {noticeHead, noticePrefix, useNoticesScreen} from './use-notices-screen.js';

export function NoticesScreen() {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const pageHeight = Math.max(1, height - 1);
	const {count, rows, first, visible} = useNoticesScreen(width, pageHeight);
	const more = rows.length > pageHeight ? ` · rows ${first + 1}–${Math.min(rows.length, first + pageHeight)} of ${rows.length}` : '';
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-end" {...roleStyle(theme, 'accent')}>
				{count === 0 ? 'No messages since resto started.' : `${plural(count, 'message')} since resto started, newest first${more}`}
			</Text>
			{visible.map((row, i) => (
				<Box key={first + i} height={1} width={width} overflow="hidden">
					<Box width={noticePrefix} flexShrink={0}>
						<Text {...roleStyle(theme, row.notice.level === 'error' ? 'status.error' : row.notice.level === 'warn' ? 'status.warn' : 'text.muted')}>{row.first ? noticeHead(row.notice) : ' '}</Text>
					</Box>
					<Text wrap="truncate-end">{row.text || ' '}</Text>
				</Box>
			))}
		</Box>
	);
}
