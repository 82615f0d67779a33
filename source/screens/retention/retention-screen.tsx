/** The retention simulator: a timeline of snapshots marked keep/remove with restic's reasons. */
import {Box, Text} from 'ink';
import {useState} from 'react';
import {applyTextEdit, TextField} from '../../components/text-field.js';
import {List, listHandlers, moveCursor} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatBytes, formatDateTime} from '../../util/format.js';
import {useRetentionScreen} from './use-retention-screen.js';

export function RetentionScreen({repo}: {repo: string}) {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const s = useRetentionScreen(repo);
	const [cursor, setCursor] = useState(0);
	const listHeight = Math.max(1, height - 6);
	const move = (cmd: Parameters<typeof moveCursor>[2]) => setCursor(c => moveCursor(c, s.rows.length, cmd, listHeight));
	const editing = s.draft !== undefined;
	const naming = s.confirmName !== undefined;

	useCommands(
		editing || naming ? ['input'] : ['retention', 'list'],
		editing
			? {'input.submit': s.submitDraft, 'input.cancel': s.cancelDraft}
			: naming
				? {'input.submit': s.submitName, 'input.cancel': s.cancelName}
				: {
						...listHandlers(move),
						'retention.edit': s.startEdit,
						'retention.apply': s.startApply,
					},
		{
			modal: editing || naming,
			onText: editing ? (input, key) => applyTextEdit(u => s.setDraft(v => u(v ?? '')), input, key) : naming ? (input, key) => applyTextEdit(u => s.setConfirmName(v => u(v ?? '')), input, key) : undefined,
		},
	);

	if (!s.known) return <Text {...roleStyle(theme, 'status.error')}>{s.gone ? escapeForTerminal(s.gone) : `Unknown repository ${escapeForTerminal(repo)}.`} Esc goes back.</Text>;
	const r = s.result;
	// The cursor column, "keep   "/"remove ", id, date and host (each padded), a space, then the reasons.
	const reasonsW = Math.max(10, width - 1 - 8 - 9 - 17 - 12 - 1);
	return (
		<Box flexDirection="column" width={width} height={height}>
			{editing ? (
				<TextField label="policy: " value={s.draft ?? ''} focused placeholder="--keep-daily 7 --keep-weekly 4" />
			) : (
				<Text wrap="truncate-end">
					<Text {...roleStyle(theme, 'text.muted')}>policy ({s.policySource}): </Text>
					{escapeForTerminal(s.policyText)}
				</Text>
			)}
			{naming ? <TextField label={`type "${escapeForTerminal(repo)}" to forget ${r?.remove.length ?? 0} snapshot(s): `} value={s.confirmName ?? ''} focused /> : null}
			{s.policyError ? <Text {...roleStyle(theme, 'status.error')}>{escapeForTerminal(s.policyError)}</Text> : null}
			{s.loadError ? <Text {...roleStyle(theme, 'status.error')}>{escapeForTerminal(s.loadError)}</Text> : null}
			<Text wrap="truncate-end">
				{s.loading ? <Spinner label="loading snapshots… " /> : null}
				{r ? (
					<>
						<Text {...roleStyle(theme, 'status.ok')}>keep {r.keep.length}</Text>
						<Text> · </Text>
						<Text {...roleStyle(theme, r.remove.length ? 'status.warn' : 'text.muted')}>remove {r.remove.length}</Text>
						<Text {...roleStyle(theme, 'text.muted')}> of {r.considered}</Text>
						<Text> · </Text>
						{s.restic.state === 'checking' ? <Spinner label="restic dry run…" /> : <Text {...roleStyle(theme, s.restic.state === 'agrees' ? 'status.ok' : 'status.error')}>{s.restic.state === 'agrees' ? 'restic agrees' : escapeForTerminal(s.restic.message ?? s.restic.state)}</Text>}
						{s.reclaim !== undefined ? <Text {...roleStyle(theme, 'text.muted')}> · prune frees ≈ {formatBytes(s.reclaim)}</Text> : null}
						{s.estimating && s.reclaim === undefined ? (
							<Text>
								{' '}
								· <Spinner label="estimating prune…" />
							</Text>
						) : null}
						{s.busy ? <Spinner label=" forgetting…" /> : null}
					</>
				) : null}
			</Text>
			{s.refused ? <Text {...roleStyle(theme, 'status.error')}>{escapeForTerminal(s.refused)}</Text> : null}
			<List
				items={s.rows}
				cursor={Math.min(cursor, Math.max(0, s.rows.length - 1))}
				height={listHeight}
				width={width}
				empty={s.loading ? ' ' : 'No snapshots.'}
				render={row =>
					row.kind === 'month' ? (
						<Text {...roleStyle(theme, 'accent')} bold>
							{`${row.label}  ${'■'.repeat(Math.min(row.keep, 20))}${'□'.repeat(Math.min(row.remove, 20))}  keep ${row.keep}, remove ${row.remove}`}
						</Text>
					) : (
						<Text>
							<Text {...roleStyle(theme, row.keep ? 'status.ok' : 'status.warn')}>{row.keep ? ' keep   ' : ' remove '}</Text>
							{`${fit(row.id.slice(0, 8), 9)}${fit(formatDateTime(row.time), 17)}${fit(escapeForTerminal(row.host), 12)} `}
							<Text {...roleStyle(theme, 'text.muted')}>{fit(escapeForTerminal(row.reasons.join(', ')), reasonsW)}</Text>
						</Text>
					)
				}
			/>
		</Box>
	);
}
