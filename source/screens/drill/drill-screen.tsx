import {Box, Text} from 'ink';
import {List} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {RepoRegistry} from '../../model/repo-registry.js';
import {verdictLabel, type StepStatus} from '../../drill/drill.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import type {Role} from '../../theme/tokens.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, fitPath, formatBytes, formatDateTime} from '../../util/format.js';
import {useDrillScreen, useDrillsScreen} from './use-drill-screen.js';
import {Paragraph} from '../../components/paragraph.js';

const mark: Record<StepStatus, {text: string; role: Role}> = {
	pending: {text: '·', role: 'text.muted'},
	running: {text: '…', role: 'accent'},
	passed: {text: '✓', role: 'status.ok'},
	warning: {text: '!', role: 'status.warn'},
	failed: {text: '✗', role: 'status.error'},
	skipped: {text: '-', role: 'status.warn'},
};

/** The guided World Backup Day drill for one repository. */
export function DrillScreen({repo: repoName}: {repo?: string}) {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {repo, months, started, state, otherRepositories} = useDrillScreen({repo: repoName});
	if (!repo) return <Text {...roleStyle(theme, 'status.error')}>No repository to drill.</Text>;
	const report = state.report;
	// Small terminals (60×15): the title shrinks to one line, step explanations go, and the part that
	// asks something (start, the pick, a y/n question, the verdict) never shrinks: the steps above it are
	// clipped instead of the question, and nothing is drawn over anything else.
	const roomy = height >= 18;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Box flexDirection="column" flexShrink={1} overflow="hidden">
				{/* Rows never shrink (a shrunk row is drawn over by the next one): the box clips instead. */}
				<Box flexShrink={0} flexDirection="column">
					{roomy ? (
						<Paragraph>
							<Text {...roleStyle(theme, 'title')} bold>
								World Backup Day drill
							</Text>{' '}
							for {escapeForTerminal(repo.name)}: restore one random file from a random snapshot {months >= 1200 ? 'of any age' : `of the last ${months} months`} and prove it is intact. A backup you cannot restore from is worthless.
						</Paragraph>
					) : (
						<Text wrap="truncate-end">
							<Text {...roleStyle(theme, 'title')} bold>
								Restore drill
							</Text>{' '}
							{escapeForTerminal(repo.name)}: one random file {months >= 1200 ? 'of any age' : `of the last ${months} months`}, restored and proved
						</Text>
					)}
				</Box>
				{roomy ? <Text> </Text> : null}
				{state.steps.map(step => (
					<Box key={step.id} flexDirection="column" flexShrink={0}>
						<Text wrap="truncate-end">
							<Text {...roleStyle(theme, mark[step.status].role)}>{step.status === 'running' ? <Spinner /> : mark[step.status].text}</Text> <Text bold={step.status === 'running'}>{step.title}</Text>
							{step.detail ? <Text {...roleStyle(theme, step.status === 'failed' ? 'status.error' : 'text.muted')}> — {escapeForTerminal(step.detail)}</Text> : null}
						</Text>
						{(roomy || step.status === 'running') && (step.status === 'running' || (step.status === 'pending' && !started && step.id === 'check')) ? (
							<Box paddingLeft={3} flexShrink={0}>
								<Paragraph {...roleStyle(theme, 'text.muted')}>{step.why}</Paragraph>
							</Box>
						) : null}
					</Box>
				))}
			</Box>
			<Box flexDirection="column" flexShrink={0}>
				{roomy ? <Text> </Text> : null}
				{!started ? <Paragraph>Press enter to start (seed {state.seed}).</Paragraph> : null}
				{state.phase === 'await-pick' && state.picked ? (
					<Box flexDirection="column">
						<Text wrap="truncate-end">Picked {fitPath(escapeForTerminal(state.picked.path), Math.max(10, width - 7)).trimEnd()}</Text>
						<Text wrap="truncate-end" {...roleStyle(theme, 'text.muted')}>
							{formatBytes(state.picked.size)} from snapshot {state.picked.snapshot.shortId} ({formatDateTime(state.picked.snapshot.time)}, {escapeForTerminal(state.picked.snapshot.hostname)})
						</Text>
						<Text>
							<Text {...roleStyle(theme, 'key')}>enter</Text> restore it · <Text {...roleStyle(theme, 'key')}>r</Text> pick another (seed {state.seed + 1})
						</Text>
					</Box>
				) : null}
				{state.phase === 'await-answer' && state.question ? (
					<Box flexDirection="column">
						<Paragraph>
							{state.question.text} <Text {...roleStyle(theme, 'key')}>y</Text>/<Text {...roleStyle(theme, 'key')}>n</Text>
						</Paragraph>
						{state.question.id === 'offsite-copy' ? <Paragraph {...roleStyle(theme, 'text.muted')}>{otherRepositories}</Paragraph> : null}
					</Box>
				) : null}
				{report ? (
					<Box flexDirection="column">
						<Text {...roleStyle(theme, report.verdict === 'pass' ? 'status.ok' : report.verdict === 'pass-with-warnings' ? 'status.warn' : 'status.error')} bold>
							{report.verdict === 'pass'
								? 'PASS: the file restored and its SHA-256 matches restic dump.'
								: report.verdict === 'pass-with-warnings'
									? 'PASS WITH WARNINGS: the file restored and verified, but a checklist answer was "no" (see the report).'
									: report.verdict === 'aborted'
										? 'ABORTED: temporary files were removed.'
										: `FAIL at "${report.failedStep}": ${escapeForTerminal(report.reason ?? '')}`}
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
		</Box>
	);
}

/** Past drills: date, repository, verdict, file; enter shows the report. */
export function DrillsScreen() {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {history, cursor, open} = useDrillsScreen();
	if (open) {
		const lines = [
			`${open.date.slice(0, 16).replace('T', ' ')} · ${RepoRegistry.reportLabel(open)} · ${verdictLabel(open.verdict)}${open.reason ? ` · ${open.reason}` : ''}`,
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
						<Text {...roleStyle(theme, r.verdict === 'pass' ? 'status.ok' : r.verdict === 'pass-with-warnings' ? 'status.warn' : 'status.error')}>{fit(r.verdict === 'pass-with-warnings' ? 'warnings' : r.verdict, 9)}</Text>
						{escapeForTerminal(r.file?.path ?? r.reason ?? '')}
					</Text>
				)}
			/>
		</Box>
	);
}
