/**
 * Follow the config file while the TUI runs: a repository added, changed or removed there shows up (or
 * leaves) without restarting resto. A file that does not parse keeps the last good configuration and
 * says why.
 */
import {unwatchFile, watchFile} from 'node:fs';
import {ConfigError, loadConfig, type Config} from '../config/config.js';
import type {RepoRegistry} from '../model/repo-registry.js';

/** Watch `file` (polling: editors replace files, which inotify watches lose). Returns a stop function. */
export function watchConfig(file: string, registry: RepoRegistry, options: {intervalMs?: number; onError?: (message: string) => void; onReload?: (config: Config) => void} = {}): () => void {
	const listener = (now: {mtimeMs: number; size: number}, before: {mtimeMs: number; size: number}) => {
		if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
		try {
			const config = loadConfig({file});
			registry.setRepositories(config.repositories);
			options.onReload?.(config);
		} catch (error) {
			options.onError?.(error instanceof ConfigError ? `config not reloaded: ${error.message}` : `config not reloaded: ${(error as Error).message}`);
		}
	};
	watchFile(file, {interval: options.intervalMs ?? 1000, persistent: false}, listener);
	return () => unwatchFile(file, listener);
}
