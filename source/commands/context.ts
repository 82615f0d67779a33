/** What every subcommand receives from cli.tsx. */
import type {CommandSpec, GlobalOptionValues, OptionValues} from './spec.js';

/**
 * The parsed command line of one command: `run(ctx: CommandContext<typeof spec>)` types `ctx.options` from the
 * command's own option table (source/commands/spec.ts), values already checked by each option's `parse`.
 */
export interface CommandContext<S extends CommandSpec = CommandSpec> {
	/** Positional arguments after the command name (at most `spec.maxArgs`). */
	args: string[];
	/** The options given, keyed by long name; absent when not given. */
	options: OptionValues<S['options']> & GlobalOptionValues;
	/** This command's help text (`resto <command> --help`). */
	usage: string;
}
