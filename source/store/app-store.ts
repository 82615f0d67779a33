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
	/** Stays in the status line until dismissed or replaced (errors always do); others fade. */
	sticky: boolean;
	/** Counts every notice since start: tells two identical texts apart. */
	seq: number;
}

/** How many notices the log keeps (the notices view lists them, newest first). */
export const noticeLogLimit = 500;

export interface AppState {
	/** The screens, bottom to top; never empty. */
	routes: Route[];
	tasks: TaskEntry[];
	/** The message in the status line (errors stay until dismissed, others fade). */
	notice?: Notice;
	/** Every notice since resto started, oldest first (at most noticeLogLimit): the notices view (!). */
	notices: Notice[];
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
	| {type: 'notice'; text: string; level?: 'info' | 'warn' | 'error'; sticky?: boolean}
	| {type: 'notice-clear'}
	/** Clear the status line only if it still shows this notice (a fade timer must not clear a newer one). */
	| {type: 'notice-expire'; seq: number}
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
		case 'notice': {
			const level = action.level ?? 'info';
			const notice: Notice = {text: action.text, level, at: Date.now(), sticky: action.sticky ?? level === 'error', seq: (state.notices.at(-1)?.seq ?? 0) + 1};
			const notices = state.notices.length >= noticeLogLimit ? [...state.notices.slice(1 - noticeLogLimit), notice] : [...state.notices, notice];
			return {...state, notice, notices};
		}
		case 'notice-clear':
			return state.notice ? {...state, notice: undefined} : state;
		case 'notice-expire':
			return state.notice?.seq === action.seq ? {...state, notice: undefined} : state;
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
	return createStore(appReducer, {routes: [initialRoute], tasks: [], notices: [], help: false, quitting: false});
}
