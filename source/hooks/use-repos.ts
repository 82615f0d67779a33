/** React glue for the repository models: subscribe to the registry (source/model/repo-registry.ts). */
import {useContext, useSyncExternalStore} from 'react';
import {AppContext} from '../app-context.js';
import type {Repository} from '../config/config.js';
import type {RepoModel, RepoModelState} from '../model/repo-model.js';
import type {RegistrySnapshot} from '../model/repo-registry.js';

/** A slice of the registry snapshot; the selector must return a stable value for unchanged state. */
export function useRepoRegistry<T>(selector: (snapshot: RegistrySnapshot) => T): T {
	const {repos} = useContext(AppContext);
	return useSyncExternalStore(repos.subscribe, () => selector(repos.getSnapshot()));
}

/** The configured repositories, in order (follows a reloaded configuration). */
export function useRepositories(): readonly Repository[] {
	return useRepoRegistry(s => s.repositories);
}

/** The model a name leads to and its state (undefined when the name is not, or no longer, configured). */
export function useRepoModel(name: string | undefined): {model?: RepoModel; state?: RepoModelState; repository?: Repository; gone?: string} {
	const {repos} = useContext(AppContext);
	const state = useRepoRegistry(s => (name === undefined ? undefined : s.states.get(name)));
	const gone = useRepoRegistry(s => (name === undefined ? undefined : s.gone.get(name)));
	if (name === undefined) return {};
	return {state, gone, model: state ? repos.modelFor(name) : undefined, repository: repos.repository(name)};
}
