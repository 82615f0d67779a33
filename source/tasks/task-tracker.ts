/**
 * Running tasks as store state: each has a label (and progress) for the status bar and a cancel that
 * resolves once the task has cleaned up. Quitting, leaving a screen and signals stop tasks through here.
 * No React.
 */
import type {AppStore} from '../store/app-store.js';

let nextId = 1;

/** How often a task's changing label (a backup's percentage) is read into the store: ≤ 2 updates/s. */
const labelEveryMs = 500;

/**
 * Register a running task. `label` may be a function (re-read twice a second while the task runs).
 * Returns the function that ends the registration (call it when the task finished).
 */
export function trackTask(store: AppStore, label: string | (() => string), cancel: () => Promise<void> | void, progress?: () => number | undefined): () => void {
	const id = nextId++;
	const read = () => (typeof label === 'function' ? label() : label);
	store.dispatch({type: 'task-start', task: {id, label: read(), progress: progress?.(), startedAt: Date.now(), cancel}});
	const timer = typeof label === 'function' || progress ? setInterval(() => store.dispatch({type: 'task-update', id, label: read(), progress: progress?.()}), labelEveryMs) : undefined;
	timer?.unref();
	return () => {
		if (timer) clearInterval(timer);
		store.dispatch({type: 'task-end', id});
	};
}

/** The labels of the running tasks, for a question such as "… still running. Stop it and quit?". */
export function runningLabels(store: AppStore): string[] {
	return store.getState().tasks.map(t => t.label);
}

/**
 * Stop every running task and wait for their cleanup, at most `graceMs` (a task whose cleanup hangs
 * must not keep resto from exiting on a signal).
 */
export async function stopAllTasks(store: AppStore, graceMs = Number.POSITIVE_INFINITY): Promise<void> {
	const tasks = store.getState().tasks;
	if (tasks.length === 0) return;
	const all = Promise.allSettled(tasks.map(t => t.cancel()));
	if (!Number.isFinite(graceMs)) {
		await all;
		return;
	}
	let timer: NodeJS.Timeout | undefined;
	const grace = new Promise<void>(resolve => {
		timer = setTimeout(resolve, graceMs);
		timer.unref();
	});
	await Promise.race([all, grace]);
	if (timer) clearTimeout(timer);
}

/**
 * Run `work` as a tracked task that is stopped when `scope` aborts (the screen that started it was left)
 * or when resto quits. Resolves with the work's result, or undefined when it was stopped.
 */
export async function runTask<T>(store: AppStore, label: string | (() => string), work: (signal: AbortSignal) => Promise<T>, scope?: AbortSignal): Promise<T | undefined> {
	const controller = new AbortController();
	const stop = () => controller.abort();
	if (scope?.aborted) return undefined;
	scope?.addEventListener('abort', stop, {once: true});
	let running: Promise<T> | undefined;
	const untrack = trackTask(store, label, async () => {
		controller.abort();
		await running?.catch(() => undefined);
	});
	try {
		running = work(controller.signal);
		return await running;
	} catch (error) {
		if (controller.signal.aborted) return undefined;
		throw error;
	} finally {
		scope?.removeEventListener('abort', stop);
		untrack();
	}
}
