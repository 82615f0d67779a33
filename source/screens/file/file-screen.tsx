import {Box, Text} from 'ink';
import {useBodySize} from '../../hooks/use-body-size.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {PreviewBody} from '../tree/tree-screen.js';
import {useFileScreen} from './use-file-screen.js';

/** One file of a snapshot: where it is, and the first KB as escaped text or hex. */
export function FileScreen(props: {repo: string; snapshotId: string; path: string}) {
	const {snapshotId, path} = props;
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {state, hex} = useFileScreen(props);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-start" {...roleStyle(theme, 'accent')}>
				{escapeForTerminal(path)}
			</Text>
			<Text {...roleStyle(theme, 'text.muted')}>
				snapshot {snapshotId.slice(0, 8)} · {state.bytes ? `first ${state.bytes.length} bytes` : ''} · x toggles hex
			</Text>
			<PreviewBody state={state} lines={Math.max(1, height - 3)} width={width} isFile hex={hex} />
		</Box>
	);
}
