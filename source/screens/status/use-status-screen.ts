/**
 * State of the 3-2-1 screen: per backup set the copies and their freshness (gatherStatus), the schedule
 * (installed? enabled? next run), installing a schedule after its units were shown, and running the
 * copies with progress and cancel.
 */
import {useContext, useEffect, useRef, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {CopyError, runCopy, type CopyProgress} from '../../ops/copy.js';
import {recordRun} from '../../ops/record.js';
import {buildUnits, cronLine, unitsText, type UnitFile} from '../../ops/schedule.js';
import {timerState, type JournalRun} from '../../ops/schedule-state.js';
import {lastRun, readRuns} from '../../ops/run-log.js';
import {currentRestoCommand, installSchedule, listInstalled, nextElapses, unitDir} from '../../ops/schedule-install.js';
import {gatherStatus, type SetStatus} from '../../ops/status.js';

export interface ScheduleInfo {
	calendar?: string;
	installed: boolean;
	enabled: boolean;
	nextRun?: number;
	/** Where nextRun comes from: systemd's timer (with its randomized delay) or the calendar alone. */
	nextFrom?: 'systemd' | 'calendar';
	/** Set when systemd is not PID 1 here: why, and the cron line that would run the set instead. */
	noSystemd?: string;
	cron?: string;
	/** The last scheduled run systemd saw (journal), when resto's run log has none. */
	journal?: JournalRun;
}

export function useStatusScreen() {
	const {config, store, confirm, trackTask} = useContext(AppContext);
	const [sets, setSets] = useState<SetStatus[] | undefined>(undefined);
	const [error, setError] = useState<string | undefined>(undefined);
	const [schedules, setSchedules] = useState<Record<string, ScheduleInfo>>({});
	const [preview, setPreview] = useState<{set: string; units: UnitFile[]; text: string} | undefined>(undefined);
	const [progress, setProgress] = useState<{copy: string; p: CopyProgress} | undefined>(undefined);
	const controller = useRef<AbortController | undefined>(undefined);
	const copyAbort = useRef<AbortController | undefined>(undefined);
	const scope = process.getuid?.() === 0 ? 'system' : 'user';

	const refresh = () => {
		controller.current?.abort();
		const c = new AbortController();
		controller.current = c;
		setError(undefined);
		void gatherStatus(config, {signal: c.signal}).then(
			s => !c.signal.aborted && setSets(s),
			(e: unknown) => !c.signal.aborted && setError((e as Error).message),
		);
		const {dir} = unitDir(scope);
		const installed = listInstalled(dir);
		void (async () => {
			const out: Record<string, ScheduleInfo> = {};
			for (const set of config.backupSets) {
				const inst = installed.find(i => i.set === set.name);
				const calendar = inst?.calendar ?? set.schedule?.calendar;
				const next = calendar ? await nextElapses(calendar) : undefined;
				const state = calendar ? await timerState(set.name, scope) : undefined;
				const repo = config.repositories.find(r => r.name === set.repository);
				const logged = repo ? lastRun(readRuns(repo.access.repository), {op: 'backup', set: set.name}) : undefined;
				const cron = state && !state.systemd.running && set.schedule ? cronLine({set: set.name, schedule: set.schedule, lowPriority: set.lowPriority, repository: repo?.access.repository ?? ''}, currentRestoCommand()) : undefined;
				out[set.name] = {
					calendar,
					installed: Boolean(inst),
					enabled: inst?.enabled ?? false,
					nextRun: state?.nextRun ?? next?.next[0],
					nextFrom: state?.nextRun !== undefined ? 'systemd' : next?.next[0] !== undefined ? 'calendar' : undefined,
					noSystemd: state?.systemd.running === false ? state.systemd.reason : undefined,
					cron: cron?.line,
					journal: !logged && state?.last?.end !== undefined ? state.last : undefined,
				};
			}
			if (!c.signal.aborted) setSchedules(out);
		})();
	};

	useEffect(() => {
		refresh();
		return () => {
			controller.current?.abort();
			copyAbort.current?.abort();
		};
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, []);

	const schedule = (setName: string | undefined) => {
		const set = config.backupSets.find(s => s.name === setName);
		if (!set)
			return store.dispatch({
				type: 'notice',
				text: 'Select a backup set.',
				level: 'info',
			});
		if (!set.schedule)
			return store.dispatch({
				type: 'notice',
				text: `Backup set ${set.name} has no schedule in the config (schedule: {calendar: weekly}).`,
				level: 'warn',
			});
		const repo = config.repositories.find(r => r.name === set.repository)!;
		const units = buildUnits(
			{
				set: set.name,
				lowPriority: set.lowPriority,
				repository: repo.access.repository,
				schedule: set.schedule,
			},
			currentRestoCommand(),
		);
		const {dir, custom} = unitDir(scope);
		// The units are on screen first; the second press asks and writes them.
		if (preview?.set !== set.name) {
			setPreview({set: set.name, units, text: unitsText(units)});
			return store.dispatch({
				type: 'notice',
				text: `Press i again to write these units to ${dir}.`,
				level: 'info',
			});
		}
		void confirm(`Install these units into ${dir} and enable resto-${set.name}.timer?`).then(async yes => {
			if (!yes) return setPreview(undefined);
			try {
				const {verify, outcome} = await installSchedule(set.name, units, scope, dir, custom);
				if (!outcome) {
					setPreview(undefined);
					return store.dispatch({
						type: 'notice',
						text: `systemd-analyze verify rejects the units: ${verify.output}`,
						level: 'error',
					});
				}
				store.dispatch({
					type: 'notice',
					text: outcome.applied ? `resto-${set.name}.timer installed and enabled.` : `Units written to ${dir}; ${outcome.reason}. Run: ${outcome.commands.join('; ')}`,
					level: outcome.applied ? 'info' : 'warn',
				});
			} catch (e) {
				store.dispatch({
					type: 'notice',
					text: (e as Error).message,
					level: 'error',
				});
			}
			setPreview(undefined);
			refresh();
		});
	};

	const copy = (repoName: string | undefined) => {
		const repo = config.repositories.find(r => r.name === repoName);
		if (!repo?.ops?.copies?.length)
			return store.dispatch({
				type: 'notice',
				text: 'This repository has no copies configured.',
				level: 'info',
			});
		if (copyAbort.current)
			return store.dispatch({
				type: 'notice',
				text: 'A copy is running (ctrl+x cancels it).',
				level: 'info',
			});
		const abort = new AbortController();
		copyAbort.current = abort;
		let work: Promise<void> | undefined;
		const untrack = trackTask(`copying ${repo.name}`, async () => {
			abort.abort();
			await work;
		});
		work = (async () => {
			for (const c of repo.ops!.copies!) {
				const start = new Date().toISOString();
				let last = 0;
				try {
					const outcome = await runCopy(repo, c, {
						signal: abort.signal,
						onProgress: p => {
							const now = Date.now();
							if (now - last < 100 && p.phase === 'copying') return;
							last = now;
							setProgress({copy: c.name, p});
						},
					});
					await recordRun(repo, {
						op: 'copy',
						copy: c.name,
						start,
						end: new Date().toISOString(),
						exitCode: 0,
						errors: [],
						unattended: false,
						snapshot: outcome.snapshots[0]?.id,
					});
				} catch (e) {
					const canceled = e instanceof CopyError && e.kind === 'canceled';
					await recordRun(repo, {
						op: 'copy',
						copy: c.name,
						start,
						end: new Date().toISOString(),
						exitCode: canceled ? 130 : 1,
						result: canceled ? 'canceled' : 'failed',
						errors: [(e as Error).message],
						unattended: false,
						message: (e as Error).message,
					});
					store.dispatch({
						type: 'notice',
						text: (e as Error).message,
						level: canceled ? 'warn' : 'error',
					});
					if (canceled) break;
				}
			}
		})().finally(() => {
			copyAbort.current = undefined;
			setProgress(undefined);
			untrack();
			refresh();
		});
	};

	return {
		sets,
		error,
		schedules,
		preview,
		progress,
		refresh,
		schedule,
		copy,
		cancelCopy: () => copyAbort.current?.abort(),
	};
}
