/**
 * The backup screen's state and commands: the choices (the repository's backup sets), the form that
 * creates a first set when there is none, the backup running into the repository (started here or under
 * another name of the same repository), start and cancel.
 */
import type {Key} from 'ink';
import {useContext, useState, useSyncExternalStore} from 'react';
import {AppContext} from '../../app-context.js';
import {planFromSet, type BackupPlan} from '../../backup/backup-set.js';
import {formatListField, NewSetError, parseListField, saveBackupSet, suggestedSet} from '../../backup/new-set.js';
import type {BackupSetConfig} from '../../config/config.js';
import {configFilePath} from '../../config/paths.js';
import {moveCursor} from '../../components/list.js';
import {applyTextEdit} from '../../components/text-field.js';
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

/** The new-set form: its fields as typed, which one has focus, and why saving failed. */
export interface SetForm {
	field: number;
	name: string;
	paths: string;
	exclude: string;
	excludeCaches: boolean;
	/** Where it will be saved. */
	file: string;
	error?: string;
}

/** The form's fields in order (the last is a yes/no toggled with space). */
export const formFields = ['name', 'paths', 'exclude', 'excludeCaches'] as const;

/** State and commands of the backup screen (see BackupScreen for the view). */
export function useBackupScreen({repo: repoName, set: setName}: {repo?: string; set?: string}) {
	const services = useContext(AppContext);
	const {config, confirm, store} = services;
	const repositories = useRepositories();
	const repo = repoName ? repositories.find(r => r.name === repoName) : repositories[0];
	// Sets saved from this screen: the config the app started with does not have them.
	const [created, setCreated] = useState<BackupSetConfig[]>([]);
	const sets = [...config.backupSets, ...created].filter(s => !repo || s.repository === repo.name);
	const {state: repoState} = useRepoModel(repo?.name);
	const choices: Choice[] = sets.map(s => ({label: s.name, detail: `${s.paths.join(', ')} → ${s.repository}${s.lowPriority ? ' · low priority' : ''}`, make: (dryRun: boolean) => planFromSet(config, s, {dryRun})}));
	const newForm = (): SetForm | undefined => {
		const access = repo ? services.repo(repo.name) : undefined;
		if (!access) return undefined;
		const draft = suggestedSet({...config, backupSets: [...config.backupSets, ...created]}, access);
		return {field: 1, name: draft.name, paths: formatListField(draft.paths), exclude: formatListField(draft.exclude), excludeCaches: draft.excludeCaches, file: config.source === 'file' && config.file ? config.file : configFilePath()};
	};
	// Nothing to back up yet: the screen opens on the form that creates a set (never "this directory":
	// under `npm start` that is resto's own checkout, node_modules and .git included).
	const [form, setForm] = useState<SetForm | undefined>(() => (sets.length === 0 ? newForm() : undefined));
	const [saved, setSaved] = useState<string | undefined>();
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

	const save = () => {
		if (!form) return;
		const access = repo ? services.repo(repo.name) : undefined;
		if (!access) return;
		try {
			const result = saveBackupSet(form.file, {name: form.name, paths: parseListField(form.paths), exclude: parseListField(form.exclude), excludeCaches: form.excludeCaches}, access);
			setCreated(c => [...c, result.set]);
			setCursor(sets.length);
			setForm(undefined);
			setSaved(`Saved backup set "${result.set.name}" to ${result.file}${result.addedRepository ? ' (with its repository)' : ''}. n runs a dry run first (nothing is written), enter backs up.`);
		} catch (error) {
			const message = error instanceof NewSetError || (error as {name?: string}).name === 'ConfigError' ? (error as Error).message : `could not save: ${(error as Error).message}`;
			setForm(f => (f ? {...f, error: message} : f));
		}
	};
	const edit = (input: string, key: Key): boolean => {
		if (!form) return false;
		const field = formFields[form.field]!;
		if (field === 'excludeCaches') {
			if (input !== ' ') return false;
			setForm(f => (f ? {...f, excludeCaches: !f.excludeCaches, error: undefined} : f));
			return true;
		}
		return applyTextEdit(update => setForm(f => (f ? {...f, [field]: update(f[field] as string), error: undefined} : f)), input, key);
	};
	const moveField = (by: number) => setForm(f => (f ? {...f, field: (f.field + by + formFields.length) % formFields.length} : f));

	useCommands(['backup', 'list'], {
		'backup.newSet': () => {
			setSaved(undefined);
			setForm(newForm());
		},
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

	// After the screen's own commands: the form's registration is the top of the stack while it is open.
	useCommands(['newset'], {'newset.next': () => moveField(1), 'newset.prev': () => moveField(-1), 'newset.save': save, 'newset.cancel': () => setForm(undefined)}, {modal: true, active: form !== undefined, onText: edit});

	return {choices, cursor, state, finished, items, itemCursor, form, saved, repoName: repo?.name};
}
