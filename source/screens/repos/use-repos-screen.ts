/** The repositories screen's state and commands: statuses from the repository models, checks, unlock. */
import {useContext, useEffect, useMemo, useRef, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {listHandlers, moveCursor} from '../../components/list.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useRepoRegistry} from '../../hooks/use-repos.js';
import {drillReminder} from '../../drill/drill.js';
import type {RepoModelState} from '../../model/repo-model.js';
import {formatAge} from '../../util/format.js';

/** The drill reminder of a repository, from its model's own drills (none while its id is unknown). */
export function repoBanner(state: RepoModelState | undefined, now = new Date()): string | undefined {
	if (!state) return undefined;
	const label = state.names.join(', ') === state.location ? state.location : `${state.names.join(', ')} (${state.location})`;
	return drillReminder({label, id: state.id}, now, state.drills);
}

/** State and commands of the repositories screen (see ReposScreen for the view). */
export function useReposScreen() {
	const {store, nav, confirm, repos: registry} = useContext(AppContext);
	const {height} = useBodySize();
	const repos = useRepoRegistry(s => s.repositories);
	const states = useRepoRegistry(s => s.states);
	const [cursor, setCursor] = useState(0);
	const controller = useRef<AbortController | undefined>(undefined);
	// The banner follows the models: a drill that just passed, a backup that just finished, update it.
	const banners = useMemo(() => Object.fromEntries(repos.map(r => [r.name, repoBanner(states.get(r.name))])), [repos, states]);
	// The banner above the list: a failed drill of any repository comes before every reminder.
	const topBanner = useMemo(() => {
		const failed = repos.find(r => states.get(r.name)?.drills[0]?.verdict === 'fail' && banners[r.name]);
		return failed ? banners[failed.name] : repos.map(r => banners[r.name]).find(Boolean);
	}, [repos, states, banners]);

	const refresh = () => {
		controller.current?.abort();
		const c = new AbortController();
		controller.current = c;
		void registry.checkAll(c.signal).catch(() => {});
	};

	useEffect(() => {
		// Only check repositories that have no status yet (coming back from a screen keeps them).
		if (repos.some(r => !registry.stateOf(r.name)?.status)) refresh();
		return () => controller.current?.abort();
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [repos]);

	// A repository removed from the configuration leaves the list: keep the cursor on a row.
	const clamped = Math.max(0, Math.min(cursor, repos.length - 1));
	const selected = repos[clamped];
	const status = selected ? states.get(selected.name)?.status : undefined;
	const page = Math.max(1, height - 8);
	const move = (cmd: Parameters<typeof moveCursor>[2]) => setCursor(c => moveCursor(Math.min(c, repos.length - 1), repos.length, cmd, page));

	useCommands(['repos', 'list'], {
		...listHandlers(move),
		'repos.open': () => selected && nav.push({name: 'snapshots', repo: selected.name}),
		'repos.search': () => selected && nav.push({name: 'search', repo: selected.name}),
		'repos.union': () => selected && nav.push({name: 'union', repo: selected.name}),
		'repos.backup': () => nav.push({name: 'backup', repo: selected?.name}),
		'repos.drill': () => nav.push({name: 'drill', repo: selected?.name}),
		'repos.refresh': refresh,
		'repos.status': () => nav.push({name: 'status'}),
		'repos.unlock': () => {
			if (!selected || !status?.lock) {
				store.dispatch({type: 'notice', text: 'No lock on this repository.', level: 'info'});
				return;
			}
			if (!status.lock.stale) {
				store.dispatch({
					type: 'notice',
					text: `The lock of PID ${status.lock.pid} on ${status.lock.host} is live (${formatAge(status.lock.ageMs ?? 0)} old); resto only removes stale locks.`,
					level: 'warn',
				});
				return;
			}
			void confirm(`Remove the stale lock of PID ${status.lock.pid} on ${status.lock.host} (${formatAge(status.lock.ageMs ?? 0)} old) with \`restic unlock\`?`, {dangerous: true}).then(async yes => {
				if (!yes) return;
				const model = registry.modelFor(selected.name);
				try {
					await model?.unlock();
					store.dispatch({type: 'notice', text: 'Stale locks removed.', level: 'info'});
				} catch (error) {
					store.dispatch({type: 'notice', text: (error as Error).message, level: 'error'});
					void registry.check(selected.name);
				}
			});
		},
	});

	return {repos, states, banners, topBanner, clamped, selected, status};
}
