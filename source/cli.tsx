#!/usr/bin/env node
/**
 * Entry point: route argv to a subcommand (or the TUI) and parse the rest with that command's own option table.
 * Subcommands live in source/commands/<name>.ts and export `spec` (options and usage, see commands/spec.ts) and
 * `run(ctx): Promise<number>` (the exit code). Only `--help`, `--version` and `--theme` may come before the command.
 */
import {installSignalHandlers} from './util/signals.js';
import {installClosedPipeHandler} from './util/closed-pipe.js';
import {exitCodes, exitCodeTable} from './util/exit-codes.js';
import {printError} from './util/cli-output.js';
import type {CommandContext} from './commands/context.js';
import {globalOptions, helpText, parseCommandLine, UsageError, usageHint, type CommandSpec} from './commands/spec.js';

interface CommandModule {
	spec: CommandSpec;
	run: (ctx: CommandContext) => Promise<number>;
}

/** Every command, in the order `resto --help` lists them. Loaded on demand: startup parses only the one used. */
const commands: Record<string, () => Promise<CommandModule>> = {
	tui: () => import('./commands/tui.js') as Promise<CommandModule>,
	demo: () => import('./commands/demo.js') as Promise<CommandModule>,
	repos: () => import('./commands/repos.js') as Promise<CommandModule>,
	snapshots: () => import('./commands/snapshots.js') as Promise<CommandModule>,
	index: () => import('./commands/index.js') as Promise<CommandModule>,
	search: () => import('./commands/search.js') as Promise<CommandModule>,
	restore: () => import('./commands/restore.js') as Promise<CommandModule>,
	tree: () => import('./commands/tree.js') as Promise<CommandModule>,
	diff: () => import('./commands/diff.js') as Promise<CommandModule>,
	du: () => import('./commands/du.js') as Promise<CommandModule>,
	backup: () => import('./commands/backup.js') as Promise<CommandModule>,
	drill: () => import('./commands/drill.js') as Promise<CommandModule>,
	check: () => import('./commands/check.js') as Promise<CommandModule>,
	schedule: () => import('./commands/schedule.js') as Promise<CommandModule>,
	forget: () => import('./commands/forget.js') as Promise<CommandModule>,
	copy: () => import('./commands/copy.js') as Promise<CommandModule>,
	status: () => import('./commands/status.js') as Promise<CommandModule>,
	import: () => import('./commands/import.js') as Promise<CommandModule>,
};

async function globalHelp(): Promise<string> {
	const specs = await Promise.all(Object.values(commands).map(async load => (await load()).spec));
	const rows = specs.map(s => [`resto${s.usage[0] ? ` ${s.usage[0]!.split(' [')[0]}` : ''}`, s.summary] as const);
	const width = Math.max(...rows.map(([left]) => left.length)) + 2;
	const codeWidth = Math.max(...exitCodeTable.map(r => String(r.code).length)) + 2;
	return `resto — a terminal UI for restic

Usage
${rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`).join('\n')}

  resto COMMAND --help    the options of a command

Global options
  --theme NAME   ${globalOptions.theme.description}
  -h, --help     this help
  -v, --version  resto and restic versions

Exit codes
${exitCodeTable.map(r => `  ${String(r.code).padEnd(codeWidth)}${r.meaning.replaceAll('`', '')}`).join('\n')}`;
}

async function main(): Promise<number> {
	const argv = process.argv.slice(2);
	// Global options before the command: --theme (kept for the command), --help, --version.
	const leading: string[] = [];
	let i = 0;
	for (; i < argv.length; i++) {
		const token = argv[i]!;
		if (token === '-v' || token === '--version') {
			const {versionText} = await import('./util/version.js');
			process.stdout.write(`${await versionText()}\n`);
			return exitCodes.ok;
		}
		if (token === '--theme' && i + 1 < argv.length) leading.push(token, argv[++i]!);
		else if (token.startsWith('--theme=') || token === '-h' || token === '--help') leading.push(token);
		else break;
	}
	let name = 'tui';
	let rest = argv.slice(i);
	const first = rest[0];
	if (first === 'help') {
		const topic = rest[1];
		const load = topic === undefined ? undefined : commands[topic];
		if (topic !== undefined && !load) return unknownCommand(topic);
		process.stdout.write(`${load ? helpText((await load()).spec) : await globalHelp()}\n`);
		return exitCodes.ok;
	}
	if (first !== undefined && !first.startsWith('-')) {
		name = first;
		rest = rest.slice(1);
	}
	const load = commands[name];
	if (!load) return unknownCommand(name);
	if (name === 'tui' && first !== 'tui' && (leading.includes('-h') || leading.includes('--help') || rest.includes('-h') || rest.includes('--help'))) {
		process.stdout.write(`${await globalHelp()}\n`);
		return exitCodes.ok;
	}
	const module = await load();
	let parsed;
	try {
		parsed = parseCommandLine(module.spec, [...leading, ...rest]);
	} catch (error) {
		if (!(error instanceof UsageError)) throw error;
		const hint = name === 'tui' && rest[0]?.startsWith('-') ? "\n(a command's options come after its name: resto snapshots --repo R)" : '';
		printError(`${error.message}${hint}\n${usageHint(module.spec)}`);
		return exitCodes.usage;
	}
	const usage = helpText(module.spec);
	if (parsed.options.help) {
		process.stdout.write(`${usage}\n`);
		return exitCodes.ok;
	}
	return module.run({args: parsed.args, options: parsed.options, usage});
}

function unknownCommand(name: string): number {
	const names = Object.keys(commands).filter(c => c !== 'tui');
	printError(`unknown command "${name}" (commands: ${names.join(', ')}; see resto --help)`);
	return exitCodes.usage;
}

installSignalHandlers();
installClosedPipeHandler();
main().then(
	code => {
		process.exitCode = code;
	},
	(error: unknown) => {
		printError(error instanceof Error ? error.message : String(error));
		process.exitCode = exitCodes.failure;
	},
);
