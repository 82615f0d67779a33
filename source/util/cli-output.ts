/** Plain (non-Ink) output for subcommands: JSON to stdout, diagnostics to stderr. chalk lives only here. */
import chalk from 'chalk';
import {escapeForTerminal} from './escape.js';

/** Print an error line to stderr, escaped, in red when colour is allowed. */
export function printError(message: string): void {
	process.stderr.write(`${chalk.red('resto:')} ${escapeForTerminal(message, {keepNewlines: true})}\n`);
}

/** Print a warning line to stderr. */
export function printWarning(message: string): void {
	process.stderr.write(`${chalk.yellow('resto:')} ${escapeForTerminal(message, {keepNewlines: true})}\n`);
}

/** Print a diagnostic/progress line to stderr. */
export function printInfo(message: string): void {
	process.stderr.write(`${escapeForTerminal(message, {keepNewlines: true})}\n`);
}

/** Write one JSON document to stdout. */
export function printJson(value: unknown): void {
	process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
