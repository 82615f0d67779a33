import {Box, Text} from 'ink';
import {useContext, useState, useSyncExternalStore} from 'react';
import {AppContext, type AppServices} from '../../app-context.js';
import {planFromPaths, planFromSet, type BackupPlan} from '../../backup/backup-set.js';
import {List, moveCursor} from '../../components/list.js';
import {ProgressBar} from '../../components/progress-bar.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useRepoModel, useRepositories} from '../../hooks/use-repos.js';
import {BackupTask, isFinished, type BackupState} from '../../tasks/backup-task.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatBytes, formatDuration} from '../../util/format.js';

interface Choice {
	label: string;
	detail: string;
	make: (dryRun: boolean) => BackupPlan;
}

/** Thrown when the repository (under any of its names) already has a backup running. */
export class BackupBusyError extends Error {}

/**
 * Start a backup as an app task: it keeps running (status bar) when the user leaves the screen. It takes
 * the repository model's backup slot, so a second name for the same repository cannot start another.
 */
export function startBackup(services: AppServices, plan: BackupPlan): BackupTask {
	const model = services.repos.modelFor(plan.repo.name) ?? services.repos.ensure(plan.repo);
	// The new snapshot shows up in every list and count, and joins the search index, as soon as restic wrote it.
	const task = new BackupTask(plan, model.client, {onSnapshot: () => model.snapshotAdded()});
	if (!model.claimBackup(task)) {
		const names = model.getSnapshot().names;
		throw new BackupBusyError(`A backup of this repository${names.length > 1 ? ` (${names.join(', ')})` : ''} is already running.`);
	}
	const label = () => {
		const s = task.getSnapshot();
		const pct = s.status && (s.scanned || s.status.totalFiles > 0) ? `${Math.round(s.status.percentDone * 100)}%` : s.phase;
		return `backup ${plan.name} → ${plan.repo.name}: ${pct}${s.status ? ` ${formatBytes(s.status.bytesDone)}` : ''}${s.stalledFor >= 10 ? ' (stalled)' : ''}`;
	};
	const untrack = services.trackTask(label, async () => {
		task.cancel();
		await done;
	});
	const done = task.run().then(state => {
		untrack();
		model.backupFinished(task);
		const text =
			state.phase === 'done'
				? `Backup ${plan.name} finished: snapshot ${state.snapshotId?.slice(0, 8) ?? '?'}`
				: state.phase === 'partial'
					? `Backup ${plan.name}: ${state.message}`
					: state.phase === 'canceled'
						? `Backup ${plan.name} canceled, no snapshot written`
						: `Backup ${plan.name} failed: ${state.message}`;
		services.store.dispatch({type: 'notice', text, level: state.phase === 'done' ? 'info' : state.phase === 'canceled' || state.phase === 'partial' ? 'warn' : 'error'});
	});
	return task;
}

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
				{{idle: 'waiting', checking: 'checking the repository…', 'pre-hook': 'running the pre-backup hook…', scanning: 'scanning…', running: 'backing up…', 'post-hook': 'running the post-backup hook…', done: 'done', partial: 'done, with unreadable files', failed: 'failed', canceled: 'canceled, no snapshot written'}[state.phase]}
			</Text>
			<Text>
				<ProgressBar fraction={sum ? 1 : known && st ? st.percentDone : finished ? (state.phase === 'done' || state.phase === 'partial' ? 1 : 0) : undefined} width={Math.max(10, width - 10)} tick={Math.floor(elapsed * 10)} /> {sum ? '100.0%' : known && st ? `${(st.percentDone * 100).toFixed(1)}%` : ''}
			</Text>
			<Text wrap="truncate-end">
				{/* restic's last status line can lag its summary: once finished, the summary's counts are the truth. */}
				files {sum ? sum.totalFilesProcessed : st?.filesDone ?? 0}/{known ? st?.totalFiles ?? '?' : '…'} · {formatBytes(sum ? sum.totalBytesProcessed : st?.bytesDone ?? 0)}/{known && st?.totalBytes ? formatBytes(st.totalBytes) : '…'} · {formatBytes(state.rate)}/s · elapsed {formatDuration(elapsed)}
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
				<Text wrap="wrap">
					{sum.dryRun ? 'would back up' : 'backed up'} {sum.totalFilesProcessed} files ({formatBytes(sum.totalBytesProcessed)}): {sum.filesNew} new, {sum.filesChanged} changed, {sum.filesUnmodified} unmodified · dirs {sum.dirsNew} new, {sum.dirsChanged} changed, {sum.dirsUnmodified} unmodified · {formatBytes(sum.dataAdded)} added in {formatDuration(sum.totalDuration)}
					{state.snapshotId && !sum.dryRun ? ` · snapshot ${state.snapshotId.slice(0, 8)}` : ''}
				</Text>
			) : null}
			{state.message && state.phase !== 'canceled' ? (
				<Text wrap="wrap" {...roleStyle(theme, state.phase === 'failed' ? 'status.error' : 'status.warn')}>
					{escapeForTerminal(state.message)}
				</Text>
			) : null}
			{state.warnings.slice(0, 2).map((w, i) => (
				<Text key={`w${i}`} wrap="truncate-end" {...roleStyle(theme, 'status.warn')}>
					{escapeForTerminal(w)}
				</Text>
			))}
			{state.errors.length > 0 ? (
				<>
					<Text {...roleStyle(theme, 'status.error')}>{state.errors.length} file(s) could not be read:</Text>
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

/** Pick a backup set (or this directory), run it or a dry run, watch it, cancel it. */
export function BackupScreen({repo: repoName, set: setName}: {repo?: string; set?: string}) {
	const services = useContext(AppContext);
	const {config, confirm, store} = services;
	const theme = useTheme();
	const {width, height} = useBodySize();
	const sets = config.backupSets.filter(s => !repoName || s.repository === repoName);
	const repositories = useRepositories();
	const repo = repoName ? repositories.find(r => r.name === repoName) : repositories[0];
	const {state: repoState} = useRepoModel(repo?.name);
	const choices: Choice[] = [
		...sets.map(s => ({label: s.name, detail: `${s.paths.join(', ')} → ${s.repository}${s.lowPriority ? ' · low priority' : ''}`, make: (dryRun: boolean) => planFromSet(config, s, {dryRun})})),
		...(repo ? [{label: 'this directory', detail: `${process.cwd()} → ${repo.name}`, make: (dryRun: boolean) => planFromPaths(repo, [process.cwd()], {dryRun})}] : []),
	];
	const [cursor, setCursor] = useState(Math.max(0, setName ? sets.findIndex(s => s.name === setName) : 0));
	const [started, setTask] = useState<BackupTask | undefined>();
	// A backup running into this repository (started here, or before under any of its names) is shown.
	const task = started ?? repoState?.backup;
	const [itemCursor, setItemCursor] = useState(0);
	const empty = {subscribe: () => () => {}, getSnapshot: () => undefined};
	const state = useSyncExternalStore((task ?? empty).subscribe, (task ?? empty).getSnapshot) as BackupState | undefined;
	const finished = state && isFinished(state);
	const items = state?.dryRun ? state.items.filter(i => !i.item.endsWith('/')) : [];

	const start = (dryRun: boolean) => {
		const choice = choices[cursor];
		if (!choice) return;
		if (task && !finished) {
			store.dispatch({type: 'notice', text: 'A backup of this repository is already running.', level: 'warn'});
			return;
		}
		try {
			setTask(startBackup(services, choice.make(dryRun)));
			setItemCursor(0);
		} catch (error) {
			store.dispatch({type: 'notice', text: (error as Error).message, level: error instanceof BackupBusyError ? 'warn' : 'error'});
		}
	};

	useCommands(['backup', 'list'], {
		'list.up': () => (state?.dryRun && finished ? setItemCursor(c => moveCursor(c, items.length, 'up', 10)) : setCursor(c => moveCursor(c, choices.length, 'up', 10))),
		'list.down': () => (state?.dryRun && finished ? setItemCursor(c => moveCursor(c, items.length, 'down', 10)) : setCursor(c => moveCursor(c, choices.length, 'down', 10))),
		'list.pageDown': () => setItemCursor(c => moveCursor(c, items.length, 'pageDown', 10)),
		'list.pageUp': () => setItemCursor(c => moveCursor(c, items.length, 'pageUp', 10)),
		'backup.start': () => start(false),
		'backup.dryRun': () => start(true),
		...(task && !finished
			? {
					'backup.cancel': () => {
						void confirm('Cancel the running backup? restic is interrupted cleanly and no snapshot is written.', {dangerous: true}).then(yes => {
							if (yes) task.cancel();
						});
					},
				}
			: {}),
	});

	const listHeight = Math.min(choices.length, Math.max(2, Math.floor(height / 3)));
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text {...roleStyle(theme, 'text.muted')}>Backup sets {repoName ? `for ${escapeForTerminal(repoName)}` : ''} (enter backs up, n is a dry run)</Text>
			<List
				items={choices}
				cursor={cursor}
				height={listHeight}
				width={width}
				empty="No backup sets configured (add backupSets to the config)."
				render={c => <Text>{`${fit(escapeForTerminal(c.label), 16)} ${escapeForTerminal(c.detail)}`}</Text>}
			/>
			<Box marginTop={1} flexDirection="column">
				{state ? <BackupProgress state={state} width={width} height={height - listHeight - 3} /> : <Text {...roleStyle(theme, 'text.muted')}>No backup running.</Text>}
			</Box>
			{state?.dryRun && finished && items.length > 0 ? (
				<List
					items={items}
					cursor={itemCursor}
					height={Math.max(1, height - listHeight - 10)}
					width={width}
					render={i => <Text>{`${fit(i.action, 10)} ${fit(formatBytes(i.dataSize), 9, 'right')}  ${escapeForTerminal(i.item)}`}</Text>}
				/>
			) : null}
		</Box>
	);
}
