/**
 * Application state that is not a repository's: the route stack, the running tasks, the notice, and the
 * help overlay / confirm dialog. Repository state (status, snapshots, locks, drills) lives in the
 * repository models (source/model/). Actions are the only way to change it; screens select from it.
 */
import type {Route} from '../screens/routes.js';
import {createStore, type Store} from './store.js';

/** A running task as the status bar shows it and as quitting stops it. */
export interface TaskEntry {
	id: number;
	label: string;
	/** 0…1 when the task knows how far it is. */
	progress?: number;
	startedAt: number;
	/** Stop the task and resolve once it has cleaned up (restic stopped, temporary files removed). */
	cancel: () => Promise<void> | void;
}

/** A question in the modal confirm dialog. */
export interface Question {
	text: string;
	dangerous?: boolean;
	resolve: (yes: boolean) => void;
}

export interface Notice {
	text: string;
	level: 'info' | 'warn' | 'error';
	at: number;
}

export interface AppState {
	/** The screens, bottom to top; never empty. */
	routes: Route[];
	tasks: TaskEntry[];
	/** A transient message for the status bar. */
	notice?: Notice;
	help: boolean;
	question?: Question;
	/** Set once the user confirmed quitting: tasks are being stopped. */
	quitting: boolean;
}

export type AppAction =
	| {type: 'nav-push'; route: Route}
	| {type: 'nav-pop'}
	| {type: 'nav-replace'; route: Route}
	| {type: 'nav-reset'; route: Route}
	| {type: 'task-start'; task: TaskEntry}
	| {type: 'task-update'; id: number; label?: string; progress?: number}
	| {type: 'task-end'; id: number}
	| {type: 'notice'; text: string; level?: 'info' | 'warn' | 'error'}
	| {type: 'notice-clear'}
	| {type: 'help'; open: boolean}
	| {type: 'confirm-ask'; question: Question}
	| {type: 'confirm-done'}
	| {type: 'quitting'};

export function appReducer(state: AppState, action: AppAction): AppState {
	switch (action.type) {
		case 'nav-push':
			return {...state, routes: [...state.routes, action.route]};
		case 'nav-pop':
			return state.routes.length > 1 ? {...state, routes: state.routes.slice(0, -1)} : state;
		case 'nav-replace':
			return {...state, routes: [...state.routes.slice(0, -1), action.route]};
		case 'nav-reset':
			return {...state, routes: [action.route]};
		case 'task-start':
			return {...state, tasks: [...state.tasks, action.task]};
		case 'task-update': {
			const task = state.tasks.find(t => t.id === action.id);
			if (!task || ((action.label === undefined || action.label === task.label) && (action.progress === undefined || action.progress === task.progress))) return state;
			return {...state, tasks: state.tasks.map(t => (t.id === action.id ? {...t, label: action.label ?? t.label, progress: action.progress ?? t.progress} : t))};
		}
		case 'task-end':
			return state.tasks.some(t => t.id === action.id) ? {...state, tasks: state.tasks.filter(t => t.id !== action.id)} : state;
		case 'notice':
			return {...state, notice: {text: action.text, level: action.level ?? 'info', at: Date.now()}};
		case 'notice-clear':
			return state.notice ? {...state, notice: undefined} : state;
		case 'help':
			return state.help === action.open ? state : {...state, help: action.open};
		case 'confirm-ask':
			// A second question while one is open answers the first "no": never two dialogs, never a lost promise.
			state.question?.resolve(false);
			return {...state, question: action.question};
		case 'confirm-done':
			return state.question ? {...state, question: undefined} : state;
		case 'quitting':
			return state.quitting ? state : {...state, quitting: true};
		default:
			return state;
	}
}

/** The screen on top. */
export const currentRoute = (state: AppState): Route => state.routes.at(-1)!;

export type AppStore = Store<AppState, AppAction>;

export function createAppStore(initialRoute: Route = {name: 'repos'}): AppStore {
	return createStore(appReducer, {routes: [initialRoute], tasks: [], help: false, quitting: false});
}
