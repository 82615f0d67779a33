/**
 * The restore dialog (view): what is restored, the full target folder (editable) and where the item
 * lands, the explicit "original location" choice with the files it would replace, and afterwards the
 * full path of every restored file.
 */
import {Box, Text} from 'ink';
import {List} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {TextField} from '../../components/text-field.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, fitPath, formatBytes, plural} from '../../util/format.js';
import {useRestoreScreen} from './use-restore-screen.js';

const statusLabel = {missing: 'new', same: 'same', differs: 'differs', kind: 'clash', link: 'link!'} as const;

export function RestoreScreen(props: {repo: string; snapshotId: string; path: string; dir: boolean}) {
	const theme = useTheme();
	const {width, height} = useBodySize();
	// Title lines, the target block and the summary take about 7 rows; the list gets the rest.
	const listHeight = Math.max(1, height - 7);
	const {repository, state, editing, cursor} = useRestoreScreen(props, listHeight);
	const what = `${props.dir ? 'folder' : 'file'} ${escapeForTerminal(props.path)}${props.dir && props.path !== '/' ? '/' : ''}`;
	if (!repository || !state) {
		return (
			<Text wrap="wrap" {...roleStyle(theme, 'status.error')}>
				Unknown repository {escapeForTerminal(props.repo)}. Esc goes back.
			</Text>
		);
	}
	const muted = roleStyle(theme, 'text.muted');
	// At the minimum size the item is one line (its end kept) and the spacing goes: nothing overlaps.
	const compact = height < 16;
	const header = (
		<>
			<Text wrap={compact ? 'truncate-middle' : 'wrap'} {...roleStyle(theme, 'accent')}>
				Restore {what}
			</Text>
			<Text wrap="truncate-end" {...muted}>
				from snapshot {props.snapshotId.slice(0, 8)}
			</Text>
		</>
	);

	if (state.mode === 'original' && (state.phase === 'comparing' || state.phase === 'confirm-original')) {
		const c = state.comparison;
		const replaced = c ? c.counts.same + c.counts.differs : 0;
		return (
			<Box flexDirection="column" width={width} height={height} overflow="hidden">
				{header}
				<Text wrap="wrap" {...roleStyle(theme, 'status.warn')}>
					To the original location: {escapeForTerminal(props.path)}
				</Text>
				{!c ? (
					<Spinner label="comparing the snapshot with the files on disk…" />
				) : (
					<>
						<Text wrap="wrap">
							{replaced === 0 ? 'Nothing there would be replaced' : `${plural(replaced, 'existing file')} would be replaced (${c.counts.differs} ${c.counts.differs === 1 ? 'differs' : 'differ'} from the snapshot, ${c.counts.same} identical)`}
							{c.counts.missing ? `; ${c.counts.missing} missing (created)` : ''}.
						</Text>
						{c.blocked ? (
							<Text wrap="wrap" {...roleStyle(theme, 'status.error')}>
								Refused: {escapeForTerminal(c.blocked)}. n goes back.
							</Text>
						) : null}
						<List
							items={c.existing}
							cursor={cursor}
							height={Math.max(1, listHeight - 1)}
							width={width}
							empty={<Text {...muted}>(no existing files: everything is created)</Text>}
							render={e => `${fit(statusLabel[e.status], 8)}${fitPath(`${escapeForTerminal(e.path)}${e.type === 'dir' ? '/' : ''}`, width - 10)}`}
						/>
						{c.blocked ? null : (
							<Text wrap="wrap" bold>
								Replace {replaced === 0 ? 'nothing, create the files' : replaced === 1 ? 'this file' : `these ${replaced} files`} with the snapshot&apos;s? (y/n)
							</Text>
						)}
					</>
				)}
			</Box>
		);
	}

	if (state.phase === 'done' && state.result) {
		const r = state.result;
		const shown = r.paths.length;
		return (
			<Box flexDirection="column" width={width} height={height} overflow="hidden">
				<Text wrap="wrap" {...roleStyle(theme, 'status.ok')}>
					✓ Restored {plural(r.files, 'file')} ({formatBytes(r.bytes)}, size verified){state.mode === 'original' ? ' to the original location' : ''}
				</Text>
				<Text wrap="wrap">
					{state.mode === 'original' ? 'at ' : 'into '}
					{escapeForTerminal(r.restoredPath)}
					{r.restoredParent ? ' (the whole parent folder: the name is not valid UTF-8)' : ''}
				</Text>
				<List items={r.paths} cursor={cursor} height={listHeight} width={width} render={p => fitPath(escapeForTerminal(p), width - 1)} />
				<Text wrap="truncate-end" {...muted}>
					{shown < r.files ? `first ${shown} of ${plural(r.files, 'file')} listed` : plural(shown, 'restored path')}
					{shown > listHeight ? ' · j/k scroll' : ''}
				</Text>
			</Box>
		);
	}

	const check = state.check;
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			{header}
			{compact ? null : <Text> </Text>}
			{editing !== undefined ? (
				<TextField label="Into: " value={editing} focused placeholder="a folder (~ for home)" />
			) : (
				<Text wrap="wrap">
					<Text {...roleStyle(theme, 'accent')}>Into: </Text>
					{escapeForTerminal(check.target || state.target)}
					{state.fresh ? '/' : ''}
				</Text>
			)}
			<Text wrap="wrap" {...roleStyle(theme, check.ok ? 'status.ok' : 'status.error')}>
				{check.ok ? '✓ ' : '✗ '}
				{escapeForTerminal(check.text)}
			</Text>
			{check.landsAt && !compact ? (
				<Text wrap="wrap" {...muted}>
					lands at {escapeForTerminal(check.landsAt)}
				</Text>
			) : null}
			{compact ? null : <Text> </Text>}
			{state.phase === 'running' ? (
				<>
					<Spinner label={escapeForTerminal(state.status ?? 'restoring…')} />
					<Text wrap="wrap" {...muted}>
						It goes on if you leave this screen; q asks before stopping it.
					</Text>
				</>
			) : state.phase === 'failed' || state.phase === 'stopped' ? (
				<Text wrap="wrap" {...roleStyle(theme, state.phase === 'failed' ? 'status.error' : 'status.warn')}>
					{escapeForTerminal(state.error ?? 'the restore did not finish')}
				</Text>
			) : (
				<Text wrap="wrap" {...muted}>
					o: restore to the original location instead (lists what it would replace, then asks).
				</Text>
			)}
		</Box>
	);
}
