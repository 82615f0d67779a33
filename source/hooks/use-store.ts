import {useSyncExternalStore} from 'react';
import type {Store} from '../store/store.js';

/** Subscribe to a slice of a store. The selector must return a stable value for unchanged state. */
export function useStore<S, A, T>(store: Store<S, A>, selector: (state: S) => T): T {
	return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}

/** Subscribe to anything with subscribe/getSnapshot (task objects, Observable). */
export function useObservable<T>(source: {subscribe: (l: () => void) => () => void; getSnapshot: () => T}): T {
	return useSyncExternalStore(source.subscribe, source.getSnapshot);
}
