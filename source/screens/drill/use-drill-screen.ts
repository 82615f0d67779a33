/**
 * The drill screens' state and commands: the drill task of the repository model (its report joins that
 * repository's history, so the banner and H update at once), tracked so quitting stops it cleanly; and
 * the drill history, which follows the registry.
 */
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {moveCursor} from '../../components/list.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useRepoRegistry, useRepositories} from '../../hooks/use-repos.js';
import {useObservable} from '../../hooks/use-store.js';
import type {DrillReport} from '../../drill/drill.js';
import {DrillTask, type DrillState} from '../../tasks/drill-task.js';
import {formatRelative} from '../../util/format.js';

const noState: DrillState = {steps: [], phase: 'ready', seed: 0, answers: {}, checkLines: []};
const noTask = {subscribe: () => () => {}, getSnapshot: () => noState};

/** State and commands of the drill screen (see DrillScreen for the view). */
export function useDrillScreen({repo: repoName}: {repo?: string}) {
	const services = useContext(AppContext);
	const {config, confirm, trackTask, nav, repos} = services;
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

	// The checklist's offsite question lists the other repositories (another name for this one is no offsite copy).
	const own = repo ? states.get(repo.name) : undefined;
	const others = repositories.filter(r => !own || states.get(r.name) !== own);
	const otherRepositories = others.length > 0 ? `Other repositories: ${others.map(r => `${r.name} (${states.get(r.name)?.status?.latest ? `latest snapshot ${formatRelative(states.get(r.name)!.status!.latest!)}` : 'status unknown'})`).join(', ')}` : 'No other repository is configured in resto.';
	return {repo, months, started, state, otherRepositories};
}

/** State and commands of the drill history screen (see DrillsScreen for the view). */
export function useDrillsScreen() {
	const {height} = useBodySize();
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
	return {history, cursor, open};
}
