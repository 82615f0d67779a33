/** State of the restore-plan screen: the marked items, where they go, and one run of them all. */
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {moveCursor} from '../../components/list.js';
import {useRepoModel} from '../../hooks/use-repos.js';
import {useObservable} from '../../hooks/use-store.js';
import {PlanTask, planTarget, type PlanTaskState} from '../../tasks/plan-task.js';
import {marksFor} from '../../union/marks.js';

const idle: PlanTaskState = {phase: 'idle', target: '', preview: []};
const noTask = {subscribe: () => () => {}, getSnapshot: () => idle};

export function usePlanScreen(repoName: string, listHeight: number) {
	const services = useContext(AppContext);
	const {model, gone} = useRepoModel(repoName);
	const store = marksFor(repoName);
	const marks = useObservable(store);
	const task = useMemo(() => (model ? new PlanTask(model.client, planTarget(services.config.restoreTarget)) : undefined), [model, services.config.restoreTarget]);
	const state = useObservable(task ?? noTask);
	const [cursor, setCursor] = useState(0);
	const [overwrite, setOverwrite] = useState(false);
	// The mark store is mutable: `marks` is the version that changes when it does.
	// eslint-disable-next-line react-hooks/exhaustive-deps
	const items = useMemo(() => store.items(), [marks, store]);

	useEffect(() => {
		// After a run its report stays on screen (restored items leave the marks meanwhile).
		const phase = task?.getSnapshot().phase;
		if (task && phase !== 'running' && phase !== 'done') void task.preview({items: items.map(({snapshot, path}) => ({snapshot, path}))});
	}, [task, items]);
	useEffect(() => () => task?.cancel(), [task]);

	const count = state.phase === 'done' && state.result ? state.result.items.length : items.length;
	const clamp = (c: number) => Math.max(0, Math.min(count - 1, c));
	const actions = {
		move: (cmd: Parameters<typeof moveCursor>[2]) => setCursor(c => moveCursor(c, count, cmd, listHeight)),
		remove: () => {
			const item = items[clamp(cursor)];
			if (item && state.phase !== 'running') store.remove(item.path);
		},
		toggleOverwrite: () => setOverwrite(o => !o),
		run: async () => {
			if (!task || task.running || items.length === 0) return;
			const replacing = state.preview.filter(p => p.replaces).length;
			const question = `Restore ${items.length} item${items.length === 1 ? '' : 's'} into ${state.target}?${replacing ? (overwrite ? ` ${replacing} existing will be replaced.` : ` ${replacing} already exist and will be skipped (o: overwrite).`) : ''}`;
			if (!(await services.confirm(question, {dangerous: overwrite && replacing > 0}))) return;
			const untrack = services.trackTask(
				() => `restore plan: ${task.getSnapshot().progress?.text ?? 'starting'}`,
				() => task.cancel(),
			);
			try {
				const result = await task.run({items: items.map(({snapshot, path}) => ({snapshot, path}))}, overwrite);
				// What came back is no longer marked; what failed stays, to try again.
				for (const r of result?.items ?? []) if (r.status === 'restored') store.remove(r.path);
				setCursor(0);
			} finally {
				untrack();
			}
		},
	};
	return {model, gone, items, state, cursor: clamp(cursor), overwrite, actions};
}
