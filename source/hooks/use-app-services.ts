/**
 * Builds what every screen reaches through AppContext (store, repository models, navigation, confirm,
 * task tracking) and wires the app-wide effects: registry and backend-retry notices, notice fading,
 * quitting (asks while tasks run, then stops them) and shutdown on a signal. React glue only: the state
 * is in the store (source/store/app-store.ts), the tasks in source/tasks/task-tracker.ts.
 */
import {useApp} from 'ink';
import {useCallback, useEffect, useMemo, useState} from 'react';
import type {AppServices} from '../app-context.js';
import type {Config, Repository} from '../config/config.js';
import {CommandRegistry} from '../keymap/registry.js';
import {RepoRegistry, type RegistryEvent} from '../model/repo-registry.js';
import type {ResticClient} from '../restic/client.js';
import {onBackendRetry} from '../restic/run.js';
import type {Route} from '../screens/routes.js';
import {createAppStore, type AppStore, type Notice} from '../store/app-store.js';
import {runningLabels, stopAllTasks, trackTask} from '../tasks/task-tracker.js';
import type {Theme} from '../theme/tokens.js';

/** How long a signal waits for tasks to finish their cleanup before resto exits anyway. */
const shutdownTaskGraceMs = 10_000;

/** How long an info or warning notice stays; errors (and sticky notices) stay until dismissed or replaced. */
const noticeMs = 6000;

/** What the user is told when the registry notices something about a repository's identity. */
export function registryNotice(event: RegistryEvent): {type: 'notice'; text: string; level: 'info' | 'warn'} {
	switch (event.type) {
		case 'id-changed':
			return {type: 'notice', level: 'warn', text: `${event.name}: the repository at ${event.location} is a different one now (id ${event.from.slice(0, 8)} → ${event.to.slice(0, 8)}); its earlier drills and index are not shown for it`};
		case 'shared':
			return {type: 'notice', level: 'info', text: `${event.names.join(' and ')} are the same repository (id ${event.id.slice(0, 8)}): one status, one backup at a time, one drill history`};
		case 'removed':
			return {type: 'notice', level: 'info', text: `${event.names.join(', ')} left the configuration`};
		case 'unattributed-drills':
			return {type: 'notice', level: 'warn', text: `${event.count} older drill report${event.count === 1 ? '' : 's'} name no repository id and count for no repository (listed under H only)`};
	}
}

export interface AppServicesOptions {
	config: Config;
	theme: Theme;
	clientFor: (repo: Repository) => ResticClient;
	initialRoute?: Route;
	store?: AppStore;
	/** The repository models (built from config and clientFor when not given). */
	repos?: RepoRegistry;
	/** Called once the user quits and tasks were stopped. */
	onExit?: () => void;
	/**
	 * Lets the caller stop every tracked task (cancel, then wait for it to finish its cleanup: the drill's
	 * temporary restore, a backup's post-hook) when resto ends on a signal. Returns an unregister function.
	 */
	registerShutdown?: (stopTasks: () => Promise<void>) => () => void;
}

/** The services of one App (created once per mount). */
export function useAppServices({config, theme, clientFor, initialRoute, store: givenStore, repos: givenRepos, onExit, registerShutdown}: AppServicesOptions): AppServices {
	const {exit} = useApp();
	// Created once: the store and the models outlive every screen (and re-renders of whoever renders the App).
	const [store] = useState(() => {
		const s = givenStore ?? createAppStore(initialRoute);
		if (givenStore && initialRoute) s.dispatch({type: 'nav-reset', route: initialRoute});
		return s;
	});
	const [repos] = useState(() => givenRepos ?? new RepoRegistry(config.repositories, clientFor));
	const [registry] = useState(() => new CommandRegistry());

	// Only the registry this App made is stopped with it; a given one belongs to the caller.
	useEffect(() => (givenRepos ? undefined : () => repos.dispose()), [givenRepos, repos]);
	useEffect(() => repos.onEvent(event => store.dispatch(registryNotice(event))), [repos, store]);
	useEffect(() => {
		// Told once, at start: a config or password file that others can read, with the chmod that fixes it.
		const warnings = config.warnings ?? [];
		if (warnings.length > 0) store.dispatch({type: 'notice', level: 'warn', text: warnings.length === 1 ? warnings[0]! : `${warnings[0]} (and ${warnings.length - 1} more such file${warnings.length > 2 ? 's' : ''}: see resto repos)`});
	}, [config, store]);

	const confirm = useCallback((text: string, options: {dangerous?: boolean} = {}) => new Promise<boolean>(resolve => store.dispatch({type: 'confirm-ask', question: {text, dangerous: options.dangerous, resolve}})), [store]);

	const quit = useCallback(async () => {
		if (store.getState().quitting) return;
		const labels = runningLabels(store);
		if (labels.length > 0) {
			const yes = await confirm(`${labels.join(', ')} still running. Stop ${labels.length > 1 ? 'them' : 'it'} (restic is interrupted cleanly) and quit?`, {dangerous: true});
			if (!yes) return;
		}
		store.dispatch({type: 'quitting'});
		store.dispatch({type: 'notice', text: labels.length > 0 ? 'Stopping restic…' : 'Bye'});
		await stopAllTasks(store);
		onExit?.();
		exit();
	}, [confirm, exit, onExit, store]);

	// restic retrying a dead backend is silent for up to the stall timeout: say so at the bottom.
	useEffect(() => {
		let last = 0;
		return onBackendRetry(retry => {
			if (retry.at - last < 1000) return;
			last = retry.at;
			const limit = retry.stallLimitMs > 0 ? `, stopped after ${Math.round(retry.stallLimitMs / 1000)} s` : '';
			store.dispatch({type: 'notice', level: 'warn', text: `backend not answering (${retry.cause}): restic retrying for ${Math.round(retry.retryingForMs / 1000)} s${limit}`});
		});
	}, [store]);

	// SIGHUP/SIGTERM/SIGINT end resto without a confirmation: restic is stopped first (signals.ts), then
	// each task gets to finish its own cleanup, which an immediate process.exit would cut short.
	useEffect(() => (registerShutdown ? registerShutdown(() => stopAllTasks(store, shutdownTaskGraceMs)) : undefined), [registerShutdown, store]);

	// Info and warnings fade after a few seconds; an error stays until dismissed (esc) or replaced.
	useEffect(() => {
		let timer: NodeJS.Timeout | undefined;
		let shown: Notice | undefined;
		const follow = () => {
			const notice = store.getState().notice;
			if (notice === shown) return;
			shown = notice;
			if (timer) clearTimeout(timer);
			timer = notice && !notice.sticky ? setTimeout(() => store.dispatch({type: 'notice-expire', seq: notice.seq}), noticeMs) : undefined;
		};
		// A notice dispatched before this effect ran (the start-up warnings) fades too.
		follow();
		const unsubscribe = store.subscribe(follow);
		return () => {
			unsubscribe();
			if (timer) clearTimeout(timer);
		};
	}, [store]);

	return useMemo(
		(): AppServices => ({
			config,
			store,
			registry,
			theme,
			nav: {
				push: route => store.dispatch({type: 'nav-push', route}),
				pop: () => store.dispatch({type: 'nav-pop'}),
				replace: route => store.dispatch({type: 'nav-replace', route}),
				quit: () => void quit(),
			},
			repos,
			clientFor: repo => repos.modelFor(repo.name)?.client ?? repos.ensure(repo).client,
			repo: name => repos.repository(name),
			confirm,
			trackTask: (label, cancel) => trackTask(store, label, cancel),
		}),
		[config, store, registry, theme, quit, repos, confirm],
	);
}
