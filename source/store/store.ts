/** A tiny external store (outside React). Screens subscribe with useSyncExternalStore. */

export interface Store<S, A> {
	getState: () => S;
	dispatch: (action: A) => void;
	subscribe: (listener: () => void) => () => void;
}

/** Create a reducer-driven store. */
export function createStore<S, A>(reducer: (state: S, action: A) => S, initial: S): Store<S, A> {
	let state = initial;
	const listeners = new Set<() => void>();
	return {
		getState: () => state,
		dispatch(action) {
			const next = reducer(state, action);
			if (next === state) return;
			state = next;
			for (const l of [...listeners]) l();
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};
}

/** A value holder with subscribe/getSnapshot, for task objects. */
export class Observable<T> {
	private value: T;
	private listeners = new Set<() => void>();

	constructor(initial: T) {
		this.value = initial;
	}

	getSnapshot = (): T => this.value;

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	protected set(next: T): void {
		if (Object.is(next, this.value)) return;
		this.value = next;
		for (const l of [...this.listeners]) l();
	}
}
