import {describe, expect, test} from 'vitest';
import {createAppStore, currentRoute} from '../../source/store/app-store.js';
import {runTask, stopAllTasks, trackTask} from '../../source/tasks/task-tracker.js';

describe('app store: navigation, tasks, notices, dialogs', () => {
	test('the route stack: push, pop (never below one), replace, reset', () => {
		const store = createAppStore();
		store.dispatch({type: 'nav-push', route: {name: 'snapshots', repo: 'a'}});
		store.dispatch({type: 'nav-push', route: {name: 'search', repo: 'a'}});
		expect(currentRoute(store.getState())).toEqual({name: 'search', repo: 'a'});
		store.dispatch({type: 'nav-replace', route: {name: 'drills'}});
		expect(store.getState().routes.map(r => r.name)).toEqual(['repos', 'snapshots', 'drills']);
		store.dispatch({type: 'nav-pop'});
		store.dispatch({type: 'nav-pop'});
		const before = store.getState();
		store.dispatch({type: 'nav-pop'});
		expect(store.getState()).toBe(before);
		store.dispatch({type: 'nav-push', route: {name: 'drills'}});
		store.dispatch({type: 'nav-reset', route: {name: 'repos'}});
		expect(store.getState().routes).toEqual([{name: 'repos'}]);
	});

	test('tasks: tracked with label and progress, untracked when done, stopped all at once with their cleanup awaited', async () => {
		const store = createAppStore();
		let pct = 0.1;
		const cleaned: string[] = [];
		const untrack = trackTask(
			store,
			() => `backup ${Math.round(pct * 100)}%`,
			async () => {
				await new Promise(r => setTimeout(r, 50));
				cleaned.push('backup');
			},
			() => pct,
		);
		trackTask(store, 'restore', () => void cleaned.push('restore'));
		expect(store.getState().tasks.map(t => t.label)).toEqual(['backup 10%', 'restore']);
		pct = 0.5;
		for (let i = 0; i < 50 && store.getState().tasks[0]!.label !== 'backup 50%'; i++) await new Promise(r => setTimeout(r, 50));
		expect(store.getState().tasks[0]).toMatchObject({label: 'backup 50%', progress: 0.5});
		await stopAllTasks(store);
		expect(cleaned.sort()).toEqual(['backup', 'restore']);
		untrack();
		expect(store.getState().tasks.map(t => t.label)).toEqual(['restore']);
	});

	test('a task whose cleanup hangs does not hold a signal shutdown past the grace time', async () => {
		const store = createAppStore();
		trackTask(store, 'hook that hangs', () => new Promise<void>(() => {}));
		const started = Date.now();
		await stopAllTasks(store, 200);
		expect(Date.now() - started).toBeLessThan(2000);
	});

	test('runTask: a task stops when the scope that started it (a screen) aborts, and leaves the task list', async () => {
		const store = createAppStore();
		const scope = new AbortController();
		let sawAbort = false;
		const result = runTask(
			store,
			'diff',
			signal =>
				new Promise<string>((resolve, reject) => {
					signal.addEventListener('abort', () => {
						sawAbort = true;
						reject(new Error('aborted'));
					});
				}),
			scope.signal,
		);
		expect(store.getState().tasks.map(t => t.label)).toEqual(['diff']);
		scope.abort();
		await expect(result).resolves.toBeUndefined();
		expect(sawAbort).toBe(true);
		expect(store.getState().tasks).toEqual([]);
	});

	test('confirm: a second question answers the first "no"; notices replace each other', async () => {
		const store = createAppStore();
		const first = new Promise<boolean>(resolve => store.dispatch({type: 'confirm-ask', question: {text: 'one?', resolve}}));
		store.dispatch({type: 'confirm-ask', question: {text: 'two?', resolve: () => {}}});
		await expect(first).resolves.toBe(false);
		expect(store.getState().question?.text).toBe('two?');
		store.dispatch({type: 'confirm-done'});
		expect(store.getState().question).toBeUndefined();
		store.dispatch({type: 'notice', text: 'a'});
		store.dispatch({type: 'notice', text: 'b', level: 'warn'});
		expect(store.getState().notice).toMatchObject({text: 'b', level: 'warn'});
	});
});
