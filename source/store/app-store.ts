/** Application state: repository statuses and snapshot lists. Tasks dispatch; screens select. */
import type {ResticErrorKind, LockInfo} from '../restic/errors.js';
import type {Snapshot} from '../restic/parse.js';
import {createStore, type Store} from './store.js';

/** The health of one repository as the repositories screen shows it. */
export type RepoHealth = 'checking' | 'ok' | 'locked' | 'wrong-password' | 'not-found' | 'unreachable' | 'error';

export interface RepoStatus {
	health: RepoHealth;
	message?: string;
	errorKind?: ResticErrorKind;
	lock?: LockInfo;
	snapshotCount?: number;
	latest?: number;
	checkedAt?: number;
}

export interface Loadable<T> {
	state: 'idle' | 'loading' | 'ready' | 'error';
	data?: T;
	error?: string;
	errorKind?: ResticErrorKind;
}

export interface AppState {
	repos: Record<string, RepoStatus>;
	snapshots: Record<string, Loadable<Snapshot[]>>;
	/** A transient message for the status bar. */
	notice?: {text: string; level: 'info' | 'warn' | 'error'; at: number};
}

export type AppAction =
	| {type: 'repo-checking'; repo: string}
	| {type: 'repo-status'; repo: string; status: RepoStatus}
	| {type: 'snapshots-loading'; repo: string}
	| {type: 'snapshots-loaded'; repo: string; snapshots: Snapshot[]}
	| {type: 'snapshots-failed'; repo: string; error: string; errorKind?: ResticErrorKind}
	| {type: 'notice'; text: string; level?: 'info' | 'warn' | 'error'}
	| {type: 'notice-clear'};

export function appReducer(state: AppState, action: AppAction): AppState {
	switch (action.type) {
		case 'repo-checking':
			return {...state, repos: {...state.repos, [action.repo]: {...state.repos[action.repo], health: 'checking'}}};
		case 'repo-status':
			return {...state, repos: {...state.repos, [action.repo]: action.status}};
		case 'snapshots-loading':
			return {...state, snapshots: {...state.snapshots, [action.repo]: {...state.snapshots[action.repo], state: 'loading', error: undefined}}};
		case 'snapshots-loaded':
			return {...state, snapshots: {...state.snapshots, [action.repo]: {state: 'ready', data: action.snapshots}}};
		case 'snapshots-failed':
			return {...state, snapshots: {...state.snapshots, [action.repo]: {...state.snapshots[action.repo], state: 'error', error: action.error, errorKind: action.errorKind}}};
		case 'notice':
			return {...state, notice: {text: action.text, level: action.level ?? 'info', at: Date.now()}};
		case 'notice-clear':
			return state.notice ? {...state, notice: undefined} : state;
		default:
			return state;
	}
}

export type AppStore = Store<AppState, AppAction>;

export function createAppStore(): AppStore {
	return createStore(appReducer, {repos: {}, snapshots: {}});
}
