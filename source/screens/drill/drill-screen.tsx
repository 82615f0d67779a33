import {Box, Text} from 'ink';
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {List, moveCursor} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useObservable} from '../../hooks/use-store.js';
import {useRepoRegistry, useRepositories} from '../../hooks/use-repos.js';
import {RepoRegistry} from '../../model/repo-registry.js';
import {type DrillReport, type StepStatus} from '../../drill/drill.js';
import {DrillTask} from '../../tasks/drill-task.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import type {Role} from '../../theme/tokens.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatBytes, formatDateTime, formatRelative} from '../../util/format.js';

const mark: Record<StepStatus, {text: string; role: Role}> = {
	pending: {text: '·', role: 'text.muted'},
	running: {text: '…', role: 'accent'},
	passed: {text: '✓', role: 'status.ok'},
	failed: {text: '✗', role: 'status.error'},
	skipped: {text: '-', role: 'status.warn'},
};

/** The guided World Backup Day drill for one repository. */
export function DrillScreen({repo: repoName}: {repo?: string}) {
	const services = useContext(AppContext);
	const {config, confirm, trackTask, nav, repos} = services;
	const theme = useTheme();
	const {width, height} = useBodySize();
	const repositories = useRepositories();
	const repo = repoName ? repositories.find(r => r.name === repoName) : repositories[0];
	const model = repo ? repos.modelFor(repo.name) : undefined;
	const [started, setStarted] = useState(false);
	// With no snapshot in the window the user may drill older ones: a new task over all snapshots.
	const [months, setMonths] = useState(config.drill.months);
	const task = useMemo(() => (repo && model ? new DrillTask(repo, model.client, {months, readDataSubset: config.drill.readDataSubset, interactive: true}) : undefined), [repo, model, config.drill, months]);
	const state = useObservable(task ?? noTask);
	const states = useRepoRegistry(st => st.states);

	useEffect(() => () => task?.abort(), [task]);

	const begin = () => {
		if (!task || started) return;
		setStarted(true);
		// The report joins its repository's history: the repositories screen's banner and H follow at once.
		const running = task.run().then(report => {
			repos.recordDrill(report);
			return report;
		});
		// Stopping the drill (quit, or a signal) waits until restic stopped, the temporary restore is removed
		// and the "aborted" report is written.
		const untrack = trackTask('restore drill', async () => {
			task.abort();
			await running;
		});
		void running.finally(untrack);
	};

	useCommands(['drill'], {
		'drill.next': () => {
			if (!started) begin();
			else if (state.phase === 'await-pick') task?.choosePick('continue');
			else if (state.phase === 'finished' && state.reportFiles) nav.push({name: 'drills'});
		},
		...(state.phase === 'await-pick' ? {'drill.reroll': () => task?.choosePick('reroll')} : {}),
		...(state.report?.failedStep === 'pick' && /no snapshot in the last/.test(state.report.reason ?? '')
			? {
					'drill.older': () => {
						setMonths(1200);
						setStarted(false);
					},
				}
			: {}),
		...(state.phase === 'await-answer' ? {'drill.yes': () => task?.answer('yes'), 'drill.no': () => task?.answer('no')} : {}),
		...(started && state.phase !== 'finished'
			? {
					'app.back': () => {
						void confirm('Stop the drill? restic is interrupted, temporary files are removed, and the report says "aborted".', {dangerous: true}).then(yes => {
							if (yes) task?.abort();
						});
					},
				}
			: {}),
	});

	if (!repo) return <Text {...roleStyle(theme, 'status.error')}>No repository to drill.</Text>;
	const report = state.report;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="wrap">
				<Text {...roleStyle(theme, 'title')} bold>
					World Backup Day drill
				</Text>{' '}
				for {escapeForTerminal(repo.name)}: restore one random file from a random snapshot {months >= 1200 ? 'of any age' : `of the last ${months} months`} and prove it is intact. A backup you cannot restore from is worthless.
			</Text>
			<Text> </Text>
			{state.steps.map(step => (
				<Box key={step.id} flexDirection="column">
					<Text wrap="truncate-end">
						<Text {...roleStyle(theme, mark[step.status].role)}>{step.status === 'running' ? <Spinner /> : mark[step.status].text}</Text> <Text bold={step.status === 'running'}>{step.title}</Text>
						{step.detail ? <Text {...roleStyle(theme, step.status === 'failed' ? 'status.error' : 'text.muted')}> — {escapeForTerminal(step.detail)}</Text> : null}
					</Text>
					{step.status === 'running' || (step.status === 'pending' && !started && step.id === 'check') ? (
						<Text wrap="wrap" {...roleStyle(theme, 'text.muted')}>
							{'   '}
							{step.why}
						</Text>
					) : null}
				</Box>
			))}
			<Text> </Text>
			{!started ? <Text>Press enter to start (seed {state.seed}).</Text> : null}
			{state.phase === 'await-pick' && state.picked ? (
				<Box flexDirection="column">
					<Text wrap="truncate-start">
						Picked {escapeForTerminal(state.picked.path)} ({formatBytes(state.picked.size)}) from {state.picked.snapshot.shortId} ({formatDateTime(state.picked.snapshot.time)}, {escapeForTerminal(state.picked.snapshot.hostname)})
					</Text>
					<Text>
						<Text {...roleStyle(theme, 'key')}>enter</Text> restore it · <Text {...roleStyle(theme, 'key')}>r</Text> pick another (seed {state.seed + 1})
					</Text>
				</Box>
			) : null}
			{state.phase === 'await-answer' && state.question ? (
				<Box flexDirection="column">
					<Text wrap="wrap">
						{state.question.text} <Text {...roleStyle(theme, 'key')}>y</Text>/<Text {...roleStyle(theme, 'key')}>n</Text>
					</Text>
					{state.question.id === 'offsite-copy' ? (
						<Text wrap="wrap" {...roleStyle(theme, 'text.muted')}>
							{(() => {
								// Another name for the same repository is no offsite copy.
								const own = states.get(repo.name);
								const others = repositories.filter(r => states.get(r.name) !== own || !own);
								return others.length > 0
									? `Other repositories: ${others.map(r => `${r.name} (${states.get(r.name)?.status?.latest ? `latest snapshot ${formatRelative(states.get(r.name)!.status!.latest!)}` : 'status unknown'})`).join(', ')}`
									: 'No other repository is configured in resto.';
							})()}
						</Text>
					) : null}
				</Box>
			) : null}
			{report ? (
				<Box flexDirection="column">
					<Text {...roleStyle(theme, report.verdict === 'pass' ? 'status.ok' : 'status.error')} bold>
						{report.verdict === 'pass' ? 'PASS: the file restored and its SHA-256 matches restic dump.' : report.verdict === 'aborted' ? 'ABORTED: temporary files were removed.' : `FAIL at "${report.failedStep}": ${escapeForTerminal(report.reason ?? '')}`}
					</Text>
					{report.failedStep === 'pick' && /no snapshot in the last/.test(report.reason ?? '') ? (
						<Text>
							<Text {...roleStyle(theme, 'key')}>o</Text> drill the older snapshots instead (then enter)
						</Text>
					) : null}
					{report.reportFiles ? (
						<Text wrap="truncate-start" {...roleStyle(theme, 'text.muted')}>
							report: {report.reportFiles.markdown} (enter: drill history)
						</Text>
					) : null}
				</Box>
			) : null}
			{state.phase === 'running' && state.steps.find(s => s.id === 'check')?.status === 'running'
				? state.checkLines.slice(-3).map((l, i) => (
						<Text key={i} wrap="truncate-end" {...roleStyle(theme, 'text.muted')}>
							{escapeForTerminal(l)}
						</Text>
					))
				: null}
		</Box>
	);
}

const noState: ReturnType<DrillTask['getSnapshot']> = {steps: [], phase: 'ready', seed: 0, answers: {}, checkLines: []};
const noTask = {subscribe: () => () => {}, getSnapshot: () => noState};

/** Past drills: date, repository, verdict, file; enter shows the report. */
export function DrillsScreen() {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {repos} = useContext(AppContext);
	// Follows the registry: a drill that just finished is listed without leaving the screen.
	const history = useRepoRegistry(() => repos.history().all);
	const [cursor, setCursor] = useState(0);
	const [open, setOpen] = useState<DrillReport | undefined>();
	const move = (cmd: Parameters<typeof moveCursor>[2]) => setCursor(c => moveCursor(c, history.length, cmd, height - 2));
	useCommands(['drills', 'list'], {
		'list.up': () => move('up'),
		'list.down': () => move('down'),
		'list.top': () => move('top'),
		'list.bottom': () => move('bottom'),
		'drills.open': () => setOpen(o => (o ? undefined : history[cursor])),
	});
	if (open) {
		const lines = [
			`${open.date.slice(0, 16).replace('T', ' ')} · ${RepoRegistry.reportLabel(open)} · ${open.verdict.toUpperCase()}${open.reason ? ` · ${open.reason}` : ''}`,
			`repository id ${open.repository.id ?? 'unknown (this drill counts for no repository)'}`,
			`snapshot ${open.snapshot?.id ?? '—'}`,
			`file ${open.file?.path ?? '—'} (${open.file ? formatBytes(open.file.size) : '—'})`,
			`sha256 restored ${open.hashes?.restored ?? '—'}`,
			`sha256 dump     ${open.hashes?.dump ?? '—'}`,
			`original: ${open.hashes?.originalState ?? '—'} · check: ${open.check ? (open.check.skipped ? 'skipped' : open.check.ok ? 'ok' : 'failed') : '—'} · seed ${open.seed}`,
			...Object.entries(open.answers).map(([q, a]) => `${q}: ${a}`),
			...(open.reverify ? ['re-verify:', open.reverify] : []),
			`report: ${open.reportFiles?.markdown ?? '—'}`,
		];
		return (
			<Box flexDirection="column" width={width} height={height}>
				{lines.slice(0, height).map((l, i) => (
					<Text key={i} wrap="truncate-end">
						{escapeForTerminal(l)}
					</Text>
				))}
			</Box>
		);
	}
	// Name and location: two repositories with one name (two zero-config "default"s) stay apart.
	const repoW = Math.max(14, Math.floor((width - 28) * 0.45));
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text {...roleStyle(theme, 'text.muted')}>{` ${fit('DATE', 17)}${fit('REPOSITORY', repoW)}${fit('VERDICT', 9)}FILE`}</Text>
			<List
				items={history}
				cursor={cursor}
				height={Math.max(1, height - 1)}
				width={width}
				empty="No drills yet. Press d on a repository to run one."
				render={r => (
					<Text>
						{`${fit(r.date.slice(0, 16).replace('T', ' '), 17)}${fit(escapeForTerminal(RepoRegistry.reportLabel(r)), repoW)}`}
						<Text {...roleStyle(theme, r.verdict === 'pass' ? 'status.ok' : 'status.error')}>{fit(r.verdict, 9)}</Text>
						{escapeForTerminal(r.file?.path ?? r.reason ?? '')}
					</Text>
				)}
			/>
		</Box>
	);
}
