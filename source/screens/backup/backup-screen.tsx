import {Box, Text} from 'ink';
import {List} from '../../components/list.js';
import {TextField} from '../../components/text-field.js';
import {ProgressBar} from '../../components/progress-bar.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {isFinished, type BackupState} from '../../tasks/backup-task.js';
import {formFields, useBackupScreen, type SetForm} from './use-backup-screen.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatBytes, formatDuration, plural} from '../../util/format.js';
import {Paragraph} from '../../components/paragraph.js';

/** Live progress of a backup: truthful while restic scans (totals unknown) and when it stalls. */
export function BackupProgress({state, width, height}: {state: BackupState; width: number; height: number}) {
	const theme = useTheme();
	const st = state.status;
	const known = state.scanned || (st?.totalFiles ?? 0) > 0;
	const elapsed = ((state.finishedAt ?? Date.now()) - state.startedAt) / 1000;
	const errorsRoom = Math.max(1, height - 10);
	const finished = isFinished(state);
	const sum = state.summary;
	// A backup that failed or was canceled before restic reported anything did nothing: an empty bar, not a full one.
	return (
		<Box flexDirection="column" width={width}>
			<Text {...roleStyle(theme, state.phase === 'failed' ? 'status.error' : state.phase === 'canceled' || state.phase === 'partial' ? 'status.warn' : finished ? 'status.ok' : 'accent')} bold>
				{state.dryRun ? 'Dry run: ' : ''}
				{
					{
						idle: 'waiting',
						checking: 'checking the repository…',
						'pre-hook': 'running the pre-backup hook…',
						scanning: 'scanning…',
						running: 'backing up…',
						'post-hook': 'running the post-backup hook…',
						done: 'done',
						partial: 'done, with unreadable files',
						failed: 'failed',
						canceled: 'canceled, no snapshot written',
					}[state.phase]
				}
			</Text>
			<Text>
				<ProgressBar fraction={sum ? 1 : known && st ? st.percentDone : finished ? (state.phase === 'done' || state.phase === 'partial' ? 1 : 0) : undefined} width={Math.max(10, width - 10)} tick={Math.floor(elapsed * 10)} />{' '}
				{sum ? '100.0%' : known && st ? `${(st.percentDone * 100).toFixed(1)}%` : ''}
			</Text>
			<Text wrap="truncate-end">
				{/* restic's last status line can lag its summary: once finished, the summary's counts are the truth. */}
				files {sum ? sum.totalFilesProcessed : (st?.filesDone ?? 0)}/{known ? (st?.totalFiles ?? '?') : '…'} · {formatBytes(sum ? sum.totalBytesProcessed : (st?.bytesDone ?? 0))}/{known && st?.totalBytes ? formatBytes(st.totalBytes) : '…'} · {formatBytes(state.rate)}/s · elapsed{' '}
				{formatDuration(elapsed)}
				{st?.secondsRemaining && !finished ? ` · ETA ${formatDuration(st.secondsRemaining)}` : ''}
			</Text>
			{state.stalledFor >= 10 && !finished ? (
				<Text wrap="truncate-end" {...roleStyle(theme, 'status.warn')}>
					No progress for {state.stalledFor} s{state.backendError ? `: ${escapeForTerminal(state.backendError)} (restic retries)` : ': the backend may be unreachable'}. c cancels cleanly.
				</Text>
			) : null}
			{!finished
				? (st?.currentFiles ?? []).slice(0, 2).map((f, i) => (
						<Text key={i} wrap="truncate-start" {...roleStyle(theme, 'text.muted')}>
							{escapeForTerminal(f)}
						</Text>
					))
				: null}
			{sum ? (
				<Paragraph>
					{sum.dryRun ? 'would back up' : 'backed up'} {plural(sum.totalFilesProcessed, 'file')} ({formatBytes(sum.totalBytesProcessed)}): {sum.filesNew} new, {sum.filesChanged} changed, {sum.filesUnmodified} unmodified · dirs {sum.dirsNew} new, {sum.dirsChanged} changed, {sum.dirsUnmodified}{' '}
					unmodified · {formatBytes(sum.dataAdded)} added in {formatDuration(sum.totalDuration)}
					{state.snapshotId && !sum.dryRun ? ` · snapshot ${state.snapshotId.slice(0, 8)}` : ''}
				</Paragraph>
			) : null}
			{state.message && state.phase !== 'canceled' ? <Paragraph {...roleStyle(theme, state.phase === 'failed' ? 'status.error' : 'status.warn')}>{escapeForTerminal(state.message)}</Paragraph> : null}
			{state.warnings.slice(0, 2).map((w, i) => (
				<Text key={`w${i}`} wrap="truncate-end" {...roleStyle(theme, 'status.warn')}>
					{escapeForTerminal(w)}
				</Text>
			))}
			{state.errors.length > 0 ? (
				<>
					<Text {...roleStyle(theme, 'status.error')}>{plural(state.errors.length, 'file')} could not be read:</Text>
					{state.errors.slice(-errorsRoom).map((e, i) => (
						<Text key={`e${i}`} wrap="truncate-start">
							{escapeForTerminal(e.item)} ({e.message})
						</Text>
					))}
				</>
			) : null}
		</Box>
	);
}

const fieldLabels: Record<(typeof formFields)[number], string> = {name: 'name     ', paths: 'paths    ', exclude: 'exclude  ', excludeCaches: ''};

/** The form that creates a backup set: name, paths and excludes (comma-separated lists), --exclude-caches. */
function NewSetForm({form, repo, width}: {form: SetForm; repo: string; width: number}) {
	const theme = useTheme();
	return (
		<Box flexDirection="column" width={width}>
			<Paragraph bold>
				New backup set for {escapeForTerminal(repo)}, saved to {escapeForTerminal(form.file)}
			</Paragraph>
			{formFields.map((field, i) => {
				const focused = form.field === i;
				const gutter = focused ? '› ' : '  ';
				if (field === 'excludeCaches') {
					return (
						<Text key={field} wrap="truncate-end">
							{gutter}
							<Text {...roleStyle(theme, 'accent')}>[{form.excludeCaches ? 'x' : ' '}]</Text> skip folders with a CACHEDIR.TAG (--exclude-caches){focused ? ' · space toggles' : ''}
						</Text>
					);
				}
				return focused ? (
					<Box key={field}>
						<Text>{gutter}</Text>
						<TextField label={fieldLabels[field]} value={form[field]} focused />
					</Box>
				) : (
					<Text key={field} wrap="truncate-end">
						{gutter}
						<Text {...roleStyle(theme, 'text.muted')}>{fieldLabels[field]}</Text>
						{escapeForTerminal(form[field])}
					</Text>
				);
			})}
			<Paragraph {...roleStyle(theme, 'text.muted')}>Lists are comma-separated (\, for a comma in a name). Saved, not run: then n for a dry run, enter to back up.</Paragraph>
			{form.error ? <Paragraph {...roleStyle(theme, 'status.error')}>{escapeForTerminal(form.error)}</Paragraph> : null}
		</Box>
	);
}

/** Pick a backup set (or create the first one), run it or a dry run, watch it, cancel it. */
export function BackupScreen({repo: repoName, set: setName}: {repo?: string; set?: string}) {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {choices, cursor, state, finished, items, itemCursor, form, saved, repoName: shownRepo} = useBackupScreen({repo: repoName, set: setName});
	if (form && shownRepo) {
		return (
			<Box flexDirection="column" width={width} height={height}>
				<NewSetForm form={form} repo={shownRepo} width={width} />
			</Box>
		);
	}
	const listHeight = Math.min(Math.max(1, choices.length), Math.max(2, Math.floor(height / 3)));
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-end" {...roleStyle(theme, 'text.muted')}>
				Backup sets{shownRepo ? ` for ${escapeForTerminal(shownRepo)}` : ''} (enter backs up, n is a dry run)
			</Text>
			<List items={choices} cursor={cursor} height={listHeight} width={width} empty={`No backup set${shownRepo ? ` for ${escapeForTerminal(shownRepo)}` : ''} yet: a creates one.`} render={c => <Text>{`${fit(escapeForTerminal(c.label), 16)} ${escapeForTerminal(c.detail)}`}</Text>} />
			{saved ? <Paragraph {...roleStyle(theme, 'status.ok')}>{escapeForTerminal(saved)}</Paragraph> : null}
			<Box marginTop={1} flexDirection="column">
				{state ? <BackupProgress state={state} width={width} height={height - listHeight - 3} /> : <Text {...roleStyle(theme, 'text.muted')}>No backup running.</Text>}
			</Box>
			{state?.dryRun && finished && items.length > 0 ? <List items={items} cursor={itemCursor} height={Math.max(1, height - listHeight - 10)} width={width} render={i => <Text>{`${fit(i.action, 10)} ${fit(formatBytes(i.dataSize), 9, 'right')}  ${escapeForTerminal(i.item)}`}</Text>} /> : null}
		</Box>
	);
}
