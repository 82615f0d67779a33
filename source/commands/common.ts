/** Shared plumbing for subcommands: config, --repo resolution, and error → exit code. */
import {ConfigError, loadConfig, resolveRepo, type Config, type Repository} from '../config/config.js';
import {ResticError} from '../restic/errors.js';
import {exitCodes} from '../util/exit-codes.js';
import {RepoRegistry} from '../model/repo-registry.js';
import {ResticCli, type ResticClient} from '../restic/client.js';
import {printError, printWarning} from '../util/cli-output.js';
import {UsageError} from './spec.js';

/** Thrown to end a command with a given exit code after its message was printed. */
export class ExitError extends Error {
	readonly code: number;
	constructor(code: number, message: string) {
		super(message);
		this.code = code;
	}
}

/**
 * Load the config or throw an ExitError(1) naming file, line and field. Its warnings (a config or
 * password file others can read) go to stderr once, unless `warn` is false (the TUI shows them itself).
 */
export function loadConfigOrExit(options: {warn?: boolean} = {}): Config {
	try {
		const config = loadConfig();
		if (options.warn !== false) for (const w of config.warnings ?? []) printWarning(w);
		return config;
	} catch (error) {
		if (error instanceof ConfigError) throw new ExitError(exitCodes.failure, `invalid config: ${error.message}`);
		throw error;
	}
}

/** Resolve --repo (or the first configured repository) or throw a usage/config ExitError. */
export function repoOrExit(config: Config, ctx: {options: {repo?: string}}): Repository {
	const repo = resolveRepo(config, ctx.options.repo);
	if (repo) return repo;
	if (ctx.options.repo !== undefined) {
		const known = config.repositories.map(r => r.name).join(', ') || 'none configured';
		throw new ExitError(exitCodes.usage, `unknown repository "${ctx.options.repo}" (configured: ${known}); pass a name or a restic repository string`);
	}
	throw new ExitError(exitCodes.usage, 'no repository configured: add one to the config file, set RESTIC_REPOSITORY and RESTIC_PASSWORD_FILE, pass --repo, or run `resto demo`');
}

/** A client for a repository. */
export function clientFor(repo: Repository): ResticClient {
	return repositoryModels().ensure(repo).client;
}

let models: RepoRegistry | undefined;

/**
 * The repository models of this process (one per repository id, see source/model/): every subcommand
 * reaches its repository's client through here, as the TUI's screens do. `repositories` adds the
 * configured ones (resto repos checks them all).
 */
export function repositoryModels(repositories: readonly Repository[] = []): RepoRegistry {
	models ??= new RepoRegistry([], repo => new ResticCli(repo.access));
	for (const repo of repositories) models.ensure(repo);
	return models;
}

/** Print an error and return the exit code for it. */
export function reportError(error: unknown): number {
	if (error instanceof ExitError) {
		printError(error.message);
		return error.code;
	}
	if (error instanceof UsageError) {
		printError(error.message);
		return error.code;
	}
	if (error instanceof ResticError) {
		printError(error.message);
		return error.cliExitCode;
	}
	printError(error instanceof Error ? error.message : String(error));
	return exitCodes.failure;
}

/** Run a command body, mapping thrown errors to exit codes. */
export async function guard(body: () => Promise<number>): Promise<number> {
	try {
		return await body();
	} catch (error) {
		return reportError(error);
	}
}
