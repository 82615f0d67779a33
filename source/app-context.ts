/** What every screen can reach: config, store, key registry, navigation, and the client factory. */
import {createContext} from 'react';
import type {Config, Repository} from './config/config.js';
import {CommandRegistry} from './keymap/registry.js';
import {RepoRegistry} from './model/repo-registry.js';
import type {ResticClient} from './restic/client.js';
import type {Route} from './screens/routes.js';
import {createAppStore, type AppStore} from './store/app-store.js';
import {loadTheme} from './theme/load.js';
import type {Theme} from './theme/tokens.js';

export interface Navigation {
	push: (route: Route) => void;
	pop: () => void;
	replace: (route: Route) => void;
	/** Ask the app to quit (it confirms first while tasks run). */
	quit: () => void;
}

export interface AppServices {
	config: Config;
	store: AppStore;
	registry: CommandRegistry;
	theme: Theme;
	nav: Navigation;
	/** Every repository's model, by name (source/model/): status, snapshots, backup, drills. */
	repos: RepoRegistry;
	/** The client of a repository's model (one per repository id, shared by names of the same repository). */
	clientFor: (repo: Repository) => ResticClient;
	/** Find a configured repository by name. */
	repo: (name: string) => Repository | undefined;
	/** Ask a yes/no question in a modal dialog. */
	confirm: (question: string, options?: {dangerous?: boolean}) => Promise<boolean>;
	/** Register a running task so quitting asks first and cancels it cleanly. */
	trackTask: (label: string | (() => string), cancel: () => Promise<void> | void) => () => void;
}

const noop = () => {};

/** Defaults so components render in isolation (tests, the demo offer); the real App provides everything. */
export const defaultServices: AppServices = {
	config: {repositories: [], backupSets: [], drill: {months: 3, files: 1}, source: 'none'},
	store: createAppStore(),
	registry: new CommandRegistry(),
	theme: loadTheme('default-dark', {}),
	nav: {push: noop, pop: noop, replace: noop, quit: noop},
	repos: new RepoRegistry(
		[],
		() => {
			throw new Error('no client factory');
		},
		{history: () => []},
	),
	clientFor: () => {
		throw new Error('no client factory');
	},
	repo: () => undefined,
	confirm: async () => false,
	trackTask: () => noop,
};

export const AppContext = createContext<AppServices>(defaultServices);
