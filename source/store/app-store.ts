/**
 * Application state that is not a repository's: notices (and, below, navigation and tasks). Repository
 * state (status, snapshots, locks, drills) lives in the repository models (source/model/).
 */
import {createStore, type Store} from './store.js';

export interface AppState {
	/** A transient message for the status bar. */
	notice?: {text: string; level: 'info' | 'warn' | 'error'; at: number};
}

export type AppAction = {type: 'notice'; text: string; level?: 'info' | 'warn' | 'error'} | {type: 'notice-clear'};

export function appReducer(state: AppState, action: AppAction): AppState {
	switch (action.type) {
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
	return createStore(appReducer, {});
}
