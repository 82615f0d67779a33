import {Box, Text} from 'ink';
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useObservable} from '../../hooks/use-store.js';
import {PreviewLoader} from '../../tasks/preview.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {PreviewBody} from '../tree/tree-screen.js';
import {restoreVersion} from '../search/restore-action.js';

/** One file of a snapshot: where it is, and the first KB as escaped text or hex. */
export function FileScreen({repo: repoName, snapshotId, path}: {repo: string; snapshotId: string; path: string}) {
	const services = useContext(AppContext);
	const {clientFor, repo} = services;
	const theme = useTheme();
	const {width, height} = useBodySize();
	const repository = repo(repoName);
	const preview = useMemo(() => (repository ? new PreviewLoader(clientFor(repository), 4096, 0) : undefined), [repository, clientFor]);
	const state = useObservable(preview ?? {subscribe: () => () => {}, getSnapshot: () => idle});
	const [hex, setHex] = useState(false);

	useEffect(() => {
		preview?.request(snapshotId, path);
		return () => preview?.cancel();
	}, [preview, snapshotId, path]);

	useCommands(['file'], {
		'file.hex': () => setHex(h => !h),
		'file.restore': () => {
			if (repository) void restoreVersion(services, repository, snapshotId, path);
		},
	});

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

const idle: ReturnType<PreviewLoader['getSnapshot']> = {status: 'idle'};
