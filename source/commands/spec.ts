/**
 * Per-command CLI: every subcommand declares its own option table and usage (`export const spec =
 * defineCommand({...})`), cli.tsx routes to the command and parses argv with that table only. An option the command
 * does not declare is a usage error (exit 2) naming it; `resto <command> --help` prints `helpText(spec)`.
 * Values are checked here, before the command runs, by the option's `parse` (e.g. `wholeNumber`), so every
 * numeric option is validated by one parser. See source/commands/README.md for the pattern.
 */
import {parseArgs} from 'node:util';
import {exitCodes} from '../util/exit-codes.js';
import {readDataSubsetProblem} from '../util/read-data-subset.js';

export {readDataSubsetProblem};

/**
 * One option, in node:util parseArgs format (`type`, `short`, `multiple`) plus what the help prints and an
 * optional value parser.
 */
export interface OptionSpec {
	type: 'string' | 'boolean';
	/** One-letter alias: `-r` for `--repo`. */
	short?: string;
	/** Repeatable (`--host a --host b`); the value becomes an array. */
	multiple?: boolean;
	/** Placeholder for the value in the help (`N` in `--limit N`); string options only. */
	value?: string;
	/** One line for the help. */
	description: string;
	/**
	 * Check and convert the raw value; throw `UsageError` (message naming `flag`) to make it exit 2. The parsed
	 * value is what `ctx.options` holds, so `parse: wholeNumber({min: 1})` gives the command a number.
	 */
	parse?: (raw: string, flag: string) => unknown;
}

/** The option table of one command. */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/**
 * What a subcommand module exports as `spec`. Build it with `defineCommand` so `CommandContext<typeof spec>`
 * types `ctx.options` from the table.
 */
export interface CommandSpec {
	/** The word after `resto` (`snapshots`); `tui` is the command run when none is given. */
	name: string;
	/** One line for `resto --help`. */
	summary: string;
	/** Synopsis lines without the leading `resto ` (`snapshots [--repo R] [--json]`); the first is listed in `resto --help`. */
	usage: readonly string[];
	/** A paragraph or two for `resto <command> --help`: what it does, what it prints, its exit codes. */
	description?: string;
	/** The options this command takes. `--help` and the global `--theme` are added by the parser. */
	options: OptionTable;
	/** How many positional arguments it takes (default 0); more is a usage error. */
	maxArgs?: number;
}

/** Declare a command's spec, keeping the literal option types for `CommandContext<typeof spec>`. */
export function defineCommand<const S extends CommandSpec>(spec: S): S {
	return spec;
}

/** Declare one option outside a spec (for sharing), keeping its literal type. */
export function option<const O extends OptionSpec>(o: O): O {
	return o;
}

type ValueOf<O extends OptionSpec> = O extends {parse: (raw: string, flag: string) => infer R} ? R : O extends {type: 'boolean'} ? boolean : string;
type OptionValue<O extends OptionSpec> = O extends {multiple: true} ? Array<ValueOf<O>> : ValueOf<O>;

/** The parsed values of a table: every option is optional (absent when not given). */
export type OptionValues<T extends OptionTable> = {-readonly [K in keyof T]?: OptionValue<T[K]>};

/** Options every command takes. */
export const globalOptions = {
	theme: option({type: 'string', value: 'NAME', description: 'default-dark, default-light, ansi, no-color, or a theme JSON file (the TUI; accepted by every command)'}),
	help: option({type: 'boolean', short: 'h', description: 'this help'}),
} as const;

/** Options several commands take: spread or pick them (`options: {repo: commonOptions.repo, ...}`) so they read the same everywhere. */
export const commonOptions = {
	repo: option({type: 'string', short: 'r', value: 'R', description: 'a configured repository name or any restic repository string (default: the first configured)'}),
	json: option({type: 'boolean', description: 'machine-readable output on stdout (diagnostics go to stderr)'}),
	host: option({type: 'string', value: 'H', description: 'only snapshots from host H'}),
} as const;

/** The values of the global options. */
export type GlobalOptionValues = OptionValues<typeof globalOptions>;

/** A bad command line: printed with the command's usage, exit 2. */
export class UsageError extends Error {
	readonly code = exitCodes.usage;
	constructor(message: string) {
		super(message);
		this.name = 'UsageError';
	}
}

// ---- value parsers (one place for every numeric option) ----

/**
 * A whole number in decimal digits, within [min, max]. Rejects what `Number()` or `parseInt` would wave through:
 * `5abc`, `1e3`, `0x10`, `-5`, ` 5`, `5.0`, ``.
 */
export function wholeNumber(bounds: {min?: number; max?: number} = {}): (raw: string, flag: string) => number {
	const min = bounds.min ?? 0;
	const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
	return (raw, flag) => {
		const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
		if (!/^\d+$/.test(raw)) throw new UsageError(`${flag} wants a whole number ${range}, not ${JSON.stringify(raw)}`);
		const n = Number(raw);
		if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} wants a whole number ${range}, not ${raw}`);
		return n;
	};
}

/** `parse` for `--read-data-subset`: the value unchanged when restic accepts it. */
export function readDataSubset(raw: string, flag: string): string {
	const problem = readDataSubsetProblem(raw);
	if (problem) throw new UsageError(`${flag}: ${problem}`);
	return raw;
}

/** `parse` for a date option (anything `Date.parse` reads, e.g. 2025-06-30): milliseconds since the epoch. */
export function dateValue(raw: string, flag: string): number {
	const t = Date.parse(raw);
	if (!Number.isFinite(t)) throw new UsageError(`${flag}: not a date: ${JSON.stringify(raw)} (use e.g. 2025-06-30)`);
	return t;
}

/** `parse` for a closed set of words. */
export function oneOf<const W extends string>(words: readonly W[]): (raw: string, flag: string) => W {
	return (raw, flag) => {
		if ((words as readonly string[]).includes(raw)) return raw as W;
		throw new UsageError(`${flag} must be ${words.slice(0, -1).join(', ')} or ${words.at(-1)}, not ${JSON.stringify(raw)}`);
	};
}

// ---- parsing ----

/** The result of parsing one command line. */
export interface ParsedCommandLine<S extends CommandSpec> {
	args: string[];
	options: OptionValues<S['options']> & GlobalOptionValues;
}

function flagOf(name: string): string {
	return name.length === 1 ? `-${name}` : `--${name}`;
}

/**
 * Parse argv (everything after the command name) with the command's table. A string option takes the next
 * argument as its value even when it starts with a dash (`--limit -5`), as restic's own flags do, so the
 * value parser can say what is wrong with it. Throws UsageError.
 */
export function parseCommandLine<S extends CommandSpec>(spec: S, argv: readonly string[]): ParsedCommandLine<S> {
	const table: Record<string, OptionSpec> = {...spec.options, ...globalOptions};
	const byShort = new Map(Object.entries(table).flatMap(([name, o]) => (o.short ? [[o.short, name] as const] : [])));
	const command = spec.name === 'tui' ? 'resto (the TUI)' : spec.name;
	// `--name value` and `-x value` become `--name=value`: parseArgs would otherwise refuse a value with a dash.
	const normalized: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const token = argv[i]!;
		if (token === '--') {
			normalized.push(...argv.slice(i));
			break;
		}
		const long = /^--([^=]+)$/.exec(token);
		const short = /^-([^-])$/.exec(token);
		const name = long ? long[1]! : short ? byShort.get(short[1]!) : undefined;
		if (name !== undefined && table[name]?.type === 'string') {
			if (i + 1 >= argv.length) throw new UsageError(`${command}: ${flagOf(name)} needs a value${table[name]!.value ? ` (${flagOf(name)} ${table[name]!.value})` : ''}`);
			normalized.push(`--${name}=${argv[++i]}`);
		} else normalized.push(token);
	}
	let parsed;
	try {
		parsed = parseArgs({
			args: normalized,
			allowPositionals: true,
			strict: true,
			options: Object.fromEntries(Object.entries(table).map(([name, o]) => [name, {type: o.type, ...(o.short ? {short: o.short} : {}), ...(o.multiple ? {multiple: true} : {})}])),
		});
	} catch (error) {
		const message = (error as Error).message;
		const unknown = /Unknown option '([^']+)'/.exec(message);
		if (unknown) throw new UsageError(`${command} does not take ${unknown[1]}`);
		const noValue = /Option '(-[^' ]+)[^']*' does not take an argument/.exec(message);
		if (noValue) throw new UsageError(`${command}: ${noValue[1]} takes no value`);
		throw new UsageError(`${command}: ${message.split('\n')[0]}`);
	}
	const max = spec.maxArgs ?? 0;
	if (parsed.positionals.length > max) {
		const extra = parsed.positionals.slice(max);
		throw new UsageError(max === 0 ? `${command} takes no arguments, got ${extra.map(a => JSON.stringify(a)).join(' ')}` : `${command}: unexpected argument ${JSON.stringify(extra[0])}`);
	}
	const options: Record<string, unknown> = {};
	for (const [name, raw] of Object.entries(parsed.values)) {
		const parse = table[name]?.parse;
		if (!parse || typeof raw === 'boolean' || raw === undefined) options[name] = raw;
		else options[name] = Array.isArray(raw) ? raw.map(r => parse(String(r), flagOf(name))) : parse(raw, flagOf(name));
	}
	return {args: parsed.positionals, options: options as ParsedCommandLine<S>['options']};
}

// ---- help ----

function optionRows(table: OptionTable): Array<[string, string]> {
	return Object.entries(table).map(([name, o]) => {
		const value = o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : '';
		return [`${o.short ? `-${o.short}, ` : '    '}--${name}${value}`, o.description];
	});
}

function columns(rows: Array<[string, string]>): string {
	const width = Math.max(...rows.map(([left]) => left.length)) + 2;
	return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`).join('\n');
}

/** The text of `resto <command> --help`. */
export function helpText(spec: CommandSpec): string {
	const name = spec.name === 'tui' ? 'resto' : `resto ${spec.name}`;
	const parts = [`${name} — ${spec.summary}`, `Usage\n${spec.usage.map(u => `  resto${u ? ` ${u}` : ''}`).join('\n')}`];
	if (spec.description) parts.push(spec.description.trim());
	parts.push(`Options\n${columns(optionRows({...spec.options, help: globalOptions.help}))}`);
	parts.push(`Global options\n${columns(optionRows({theme: globalOptions.theme}))}\n\nExit codes: see resto --help.`);
	return parts.join('\n\n');
}

/** The short form printed after a usage error: the synopsis and where the full help is. */
export function usageHint(spec: CommandSpec): string {
	const name = spec.name === 'tui' ? 'resto' : `resto ${spec.name}`;
	return `usage: ${spec.usage.map(u => `resto${u ? ` ${u}` : ''}`).join('\n       ')}\nsee: ${name} --help`;
}
