/** Two snapshots compared as a tree with per-folder counts (view; state in use-snapdiff-screen). */
import {Box, Text} from 'ink';
import {List, listHandlers} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {roleStyle, selectionStyle, useTheme} from '../../theme/styles.js';
import type {DiffCounts} from '../../union/diff-tree.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fitPath} from './fit-path.js';
import {useSnapdiffScreen} from './use-snapdiff-screen.js';
import {Paragraph} from '../../components/paragraph.js';

const countsText = (c: DiffCounts | undefined) => (c ? [c.added && `+${c.added}`, c.removed && `-${c.removed}`, c.changed && `~${c.changed}`, c.metadata && `U${c.metadata}`].filter(Boolean).join(' ') : '');

export function SnapdiffScreen({repo, source, target}: {repo: string; source: string; target: string}) {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const listHeight = Math.max(1, height - 3);
	const s = useSnapdiffScreen(repo, source, target, listHeight);
	useCommands(['snapdiff', 'list'], {...listHandlers(s.actions.move), 'snapdiff.open': s.actions.open, 'snapdiff.parent': s.actions.parent});
	if (!s.model) return <Text {...roleStyle(theme, 'status.error')}>{s.gone ? `${escapeForTerminal(s.gone)}.` : `Unknown repository ${escapeForTerminal(repo)}.`} Esc goes back.</Text>;
	const countW = 22;
	const nameW = Math.max(10, width - countW - 8);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-end">
				{s.state.phase === 'running' ? <Spinner label={target === 'live' ? (s.state.step === 'walking' ? 'reading the disk… ' : 'listing the snapshot… ') : 'restic diff… '} /> : null}
				<Text {...roleStyle(theme, 'accent')}>{`${source.slice(0, 8)} → ${target === 'live' ? 'live files' : target.slice(0, 8)} `}</Text>
				<Text {...roleStyle(theme, 'text.muted')}>{`${escapeForTerminal(s.folder)} · here ${countsText(s.below) || 'no changes'} · in all ${countsText(s.total) || 'none'}`}</Text>
			</Text>
			{s.state.phase === 'error' ? (
				<Paragraph {...roleStyle(theme, 'status.error')}>{escapeForTerminal(s.state.error ?? 'restic diff failed')}</Paragraph>
			) : (
				<Text {...roleStyle(theme, 'text.muted')} wrap="truncate-end">
					{s.state.live?.unreadable ? `${s.state.live.unreadable} unreadable on disk · ` : ''}
					{s.state.live?.excluded ? `${s.state.live.excluded} excluded by the backup set · ` : ''}
					{'+ added  - removed  M content  T type  U metadata · enter: open folder / text diff'}
				</Text>
			)}
			<List
				items={s.rows}
				cursor={s.cursor}
				height={listHeight}
				width={width}
				empty={s.state.phase === 'running' ? ' ' : 'No changes.'}
				render={(r, selected) => {
					const mod = r.change ? r.change.modifier : '';
					const style = selected ? selectionStyle(theme) : r.change?.kind === 'removed' ? roleStyle(theme, 'status.error') : r.change?.kind === 'added' ? roleStyle(theme, 'status.ok') : {};
					return (
						<Text wrap="truncate-end" {...style}>
							{`${mod.padEnd(3)} ${fitPath(`${escapeForTerminal(r.name)}${r.hasChildren || r.change?.dir ? '/' : ''}`, nameW)} ${r.hasChildren ? countsText(r.below) : ''}`}
						</Text>
					);
				}}
			/>
		</Box>
	);
}
