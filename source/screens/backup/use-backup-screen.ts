/**
 * The backup screen's state and commands: the choices (backup sets, this directory), the backup running
 * into the repository (started here or under another name of the same repository), start and cancel.
 */
import {useContext, useState, useSyncExternalStore} from 'react';
import {AppContext} from '../../app-context.js';
import {planFromPaths, planFromSet, type BackupPlan} from '../../backup/backup-set.js';
import {moveCursor} from '../../components/list.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useRepoModel, useRepositories} from '../../hooks/use-repos.js';
import {BackupBusyError, startBackup} from '../../tasks/backup-start.js';
import {isFinished, type BackupState, type BackupTask} from '../../tasks/backup-task.js';

/** One line of the choice list. */
export interface Choice {
	label: string;
	detail: string;
	make: (dryRun: boolean) => BackupPlan;
}

/** State and commands of the backup screen (see BackupScreen for the view). */
export function useBackupScreen({repo: repoName, set: setName}: {repo?: string; set?: string}) {
	const services = useContext(AppContext);
	const {config, confirm, store} = services;
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

	return {choices, cursor, state, finished, items, itemCursor};
}
