#!/usr/bin/env node
/**
 * Entry point: parse argv, route to a subcommand, or start the TUI.
 * Subcommands live in source/commands/<name>.ts and export `run(ctx): Promise<number>` (the exit code).
 */
import {parseArgs} from 'node:util';
import {installSignalHandlers} from './util/signals.js';
import {exitCodes} from './restic/errors.js';
import {printError} from './util/cli-output.js';
import type {CommandContext} from './commands/context.js';

const usage = `resto — a terminal UI for restic

Usage
  resto                                   TUI on your configured repositories (or the demo repository)
  resto demo [DIR] [--remove]             create a demo repository with snapshots of a realistic small home
                                          (listed by every command until resto demo --remove)
  resto repos [--json]                    configured repositories and their status
  resto snapshots [--repo R] [--json]     snapshots of one repository
  resto index [--repo R]                  build or refresh the file index (progress on stderr)
  resto search QUERY [--repo R] [--json] [--limit N] [--all-repos] [--find]
  resto restore SNAPSHOT PATH [--repo R] [--target DIR] [--overwrite]
  resto backup [SET] [--json] [--dry-run] [--stall-timeout S]
  resto backup --repo R [--json] [--dry-run] -- PATH...    back up paths without a backup set
  resto drill [--repo R] [--json] [--seed N] [--months N] [--files N] [--read-data-subset S] [--yes]

Options
  --repo R       a configured repository name or any restic repository string
  --theme NAME   default-dark, default-light, ansi, no-color, or a path to a theme JSON file
  --json         machine-readable output on stdout (diagnostics go to stderr)
  -h, --help     this help
  -v, --version  resto and restic versions

Exit codes: 0 ok, 1 failure, 2 usage, 3 incomplete backup, 10 repository not found, 11 locked,
12 wrong password, 130 canceled.`;

const commands: Record<string, () => Promise<{run: (ctx: CommandContext) => Promise<number>}>> = {
	demo: () => import('./commands/demo.js'),
	repos: () => import('./commands/repos.js'),
	snapshots: () => import('./commands/snapshots.js'),
	index: () => import('./commands/index.js'),
	search: () => import('./commands/search.js'),
	restore: () => import('./commands/restore.js'),
	backup: () => import('./commands/backup.js'),
	drill: () => import('./commands/drill.js'),
	tui: () => import('./commands/tui.js'),
};

async function main(): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({
			args: process.argv.slice(2),
			allowPositionals: true,
			strict: true,
			options: {
				repo: {type: 'string', short: 'r'},
				json: {type: 'boolean'},
				theme: {type: 'string'},
				help: {type: 'boolean', short: 'h'},
				version: {type: 'boolean', short: 'v'},
				limit: {type: 'string'},
				'all-repos': {type: 'boolean'},
				find: {type: 'boolean'},
				host: {type: 'string'},
				type: {type: 'string'},
				path: {type: 'string'},
				since: {type: 'string'},
				until: {type: 'string'},
				target: {type: 'string'},
				overwrite: {type: 'boolean'},
				'dry-run': {type: 'boolean'},
				'stall-timeout': {type: 'string'},
				seed: {type: 'string'},
				months: {type: 'string'},
				files: {type: 'string'},
				'read-data-subset': {type: 'string'},
				yes: {type: 'boolean', short: 'y'},
				remove: {type: 'boolean'},
			},
		});
	} catch (error) {
		printError(`${(error as Error).message}\n\n${usage}`);
		return exitCodes.usage;
	}
	const {values, positionals} = parsed;
	if (values.help) {
		process.stdout.write(`${usage}\n`);
		return exitCodes.ok;
	}
	if (values.version) {
		const {versionText} = await import('./util/version.js');
		process.stdout.write(`${await versionText()}\n`);
		return exitCodes.ok;
	}
	const [name = 'tui', ...rest] = positionals;
	const load = commands[name];
	if (!load) {
		printError(`unknown command "${name}"\n\n${usage}`);
		return exitCodes.usage;
	}
	const module = await load();
	return module.run({args: rest, options: values, usage});
}

installSignalHandlers();
main().then(
	code => {
		process.exitCode = code;
	},
	(error: unknown) => {
		printError(error instanceof Error ? error.message : String(error));
		process.exitCode = exitCodes.failure;
	},
);
