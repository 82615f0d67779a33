/** The 3-2-1 panel: per backup set its repository and copies, their age, the schedule and the last results. */
import {Box, Text} from 'ink';
import {useState} from 'react';
import {List, listHandlers, moveCursor} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import type {Role} from '../../theme/tokens.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatBytes, formatDateTime, formatRelative} from '../../util/format.js';
import {useStatusScreen} from './use-status-screen.js';

const statusRole: Record<'ok' | 'warn' | 'error', Role> = {
	ok: 'status.ok',
	warn: 'status.warn',
	error: 'status.error',
};

export function StatusScreen() {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const s = useStatusScreen();
	const [cursor, setCursor] = useState(0);
	const sets = s.sets ?? [];
	const selected = sets[Math.min(cursor, Math.max(0, sets.length - 1))];
	const selectedSchedule = selected?.set ? s.schedules[selected.set] : undefined;
	const move = (cmd: Parameters<typeof moveCursor>[2]) => setCursor(c => moveCursor(c, sets.length, cmd, 5));

	useCommands(['status', 'list'], {
		...listHandlers(move),
		'status.schedule': () => s.schedule(selected?.set),
		'status.copy': () => s.copy(selected?.repository),
		'status.cancel': s.cancelCopy,
		'status.refresh': s.refresh,
	});

	if (s.error) return <Text {...roleStyle(theme, 'status.error')}>{escapeForTerminal(s.error)}</Text>;
	if (!s.sets) return <Spinner label="checking repositories and copies…" />;
	if (sets.length === 0) return <Text>No backup sets or repositories configured.</Text>;
	const listH = Math.min(sets.length, Math.max(1, Math.floor(height / 3)));
	return (
		<Box flexDirection="column" width={width} height={height}>
			<List
				items={sets}
				cursor={Math.min(cursor, sets.length - 1)}
				height={listH}
				width={width}
				render={set => {
					const sched = set.set ? s.schedules[set.set] : undefined;
					return (
						<Text>
							<Text {...roleStyle(theme, statusRole[set.status])}>{fit(set.status === 'ok' ? 'OK' : set.status === 'warn' ? 'WARN' : 'FAIL', 5)}</Text>
							{`${fit(escapeForTerminal(set.set ? `set ${set.set}` : `repo ${set.repository}`), 18)} ${set.copies} copies, ${set.media} media, ${set.offsite ? 'offsite' : 'no offsite'}${set.meets321 ? ' (3-2-1)' : ''}`}
							<Text {...roleStyle(theme, 'text.muted')}>{sched?.calendar ? `  ${sched.calendar}${sched.installed ? (sched.enabled ? ', timer on' : ', timer off') : ', not installed'}${sched.nextRun ? `, next ${formatDateTime(sched.nextRun)}` : ''}` : ''}</Text>
						</Text>
					);
				}}
			/>
			{selected ? (
				<Box flexDirection="column" marginTop={1}>
					{selected.locations.map(l => (
						<Text key={`${l.role}:${l.name}`} wrap="truncate-end">
							<Text {...roleStyle(theme, statusRole[l.status])}>{l.status === 'ok' ? ' ✓ ' : ' ✗ '}</Text>
							{`${fit(escapeForTerminal(l.name), 12)} ${fit(escapeForTerminal(l.medium), 18)} ${fit(l.offsite ? 'offsite' : 'onsite', 8)} `}
							{l.error ? (
								<Text {...roleStyle(theme, 'status.error')}>{escapeForTerminal(l.error)}</Text>
							) : (
								<Text>
									{l.newestTime ? `newest ${formatRelative(l.newestTime)}` : 'no snapshot'}
									{l.lagging ? <Text {...roleStyle(theme, 'status.error')}> · trails the source by {l.lagMs ? formatRelative(Date.now() - l.lagMs).replace(/ ago$/, '') : 'all of it'}</Text> : null}
									{l.overdue ? <Text {...roleStyle(theme, 'status.error')}> · overdue</Text> : null}
									{l.lastRun ? (
										<Text {...roleStyle(theme, l.lastRun.result === 'ok' ? 'text.muted' : 'status.error')}>
											{' '}
											· last {l.lastRun.op} {l.lastRun.result} {formatRelative(Date.parse(l.lastRun.end))}
										</Text>
									) : null}
								</Text>
							)}
						</Text>
					))}
					{selectedSchedule?.noSystemd ? (
						<Text wrap="truncate-end" {...roleStyle(theme, 'status.warn')}>
							{` ! no systemd here (not PID 1), timers do not fire${selectedSchedule.cron ? `: resto schedule ${escapeForTerminal(selected.set ?? '')} --cron` : ''}`}
						</Text>
					) : null}
					{selectedSchedule?.journal?.end !== undefined ? (
						<Text wrap="truncate-end" {...roleStyle(theme, selectedSchedule.journal.result === 'failed' ? 'status.error' : 'text.muted')}>
							{`   last scheduled run ${selectedSchedule.journal.result ?? ''} ${formatRelative(selectedSchedule.journal.end)} (journal${selectedSchedule.journal.exitStatus ? `, exit ${selectedSchedule.journal.exitStatus}` : ''})${selectedSchedule.journal.message ? `: ${escapeForTerminal(selectedSchedule.journal.message)}` : ''}`}
						</Text>
					) : null}
					{selected.problems.slice(0, 3).map(p => (
						<Text key={p} wrap="truncate-end" {...roleStyle(theme, 'status.warn')}>
							{` ! ${escapeForTerminal(p)}`}
						</Text>
					))}
				</Box>
			) : null}
			{s.progress ? (
				<Text wrap="truncate-end">
					<Spinner label={` ${escapeForTerminal(s.progress.copy)}: ${s.progress.p.phase}`} />
					{s.progress.p.phase === 'copying' ? (s.progress.p.unit === 'bytes' ? ` ${formatBytes(s.progress.p.done)} of ${formatBytes(s.progress.p.total)}` : ` snapshot ${s.progress.p.done} of ${s.progress.p.total}`) : ''} (ctrl+x cancels)
				</Text>
			) : null}
			{s.preview ? (
				<Box flexDirection="column" marginTop={1}>
					{s.preview.text
						.split('\n')
						.slice(0, Math.max(3, height - listH - 8 - (selected?.locations.length ?? 0)))
						.map((line, i) => (
							<Text key={i} wrap="truncate-end" {...roleStyle(theme, line.startsWith('# resto-') ? 'accent' : 'text.muted')}>
								{escapeForTerminal(line) || ' '}
							</Text>
						))}
				</Box>
			) : null}
		</Box>
	);
}
