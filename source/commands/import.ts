/**
 * `resto import FILE [--format resticprofile|autorestic|backrest] [--dry-run] [--json]`: take over another
 * tool's configuration. The preview lists what was understood and every key that was not; without
 * --dry-run the entries are added to resto's config (a name already there is an error, nothing is
 * overwritten) after the result validated, and inline passwords go to 0600 files beside the config.
 */
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {parseDocument, stringify} from 'yaml';
import {ConfigError, parseConfig} from '../config/config.js';
import {configFilePath, writePrivateFile} from '../config/paths.js';
import {exitCodes} from '../restic/errors.js';
import {ImportError, importText, type ImportFormat, type ImportResult} from '../ops/import.js';
import {printInfo, printJson, printWarning} from '../util/cli-output.js';
import {ExitError, guard} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand, oneOf, option} from './spec.js';

export const spec = defineCommand({
	name: 'import',
	summary: 'import a resticprofile, autorestic or Backrest configuration',
	usage: ['import FILE [--format resticprofile|autorestic|backrest] [--dry-run] [--json]'],
	description: `Reads another tool's configuration and shows the repositories and backup sets it becomes, what was understood
and every key that was not. Without --dry-run they are appended to resto's config (a name already there is an
error) after the result validated; inline passwords go to 0600 files beside the config. resticprofile files may
be TOML, YAML or JSON; a profile's inherit is resolved (the parent's settings, overlaid with its own).`,
	options: {
		format: option({
			type: 'string',
			value: 'F',
			description: 'resticprofile, autorestic or backrest (default: guessed)',
			parse: oneOf(['resticprofile', 'autorestic', 'backrest']),
		}),
		'dry-run': option({
			type: 'boolean',
			description: 'preview only, write nothing',
		}),
		json: commonOptions.json,
	},
	maxArgs: 1,
});

function resolvePasswordFiles(result: ImportResult, configDir: string, importDir: string): ImportResult {
	const files = new Set(result.passwords.map(p => p.file));
	// Generated password files live beside resto's config; the tool's own relative paths were relative to its file.
	const where = (f: string) => (files.has(f) ? path.join(configDir, f) : path.resolve(importDir, f.replace(/^~(?=\/)/, process.env.HOME ?? '~')));
	return {
		...result,
		repositories: result.repositories.map(r => (r.passwordFile ? {...r, passwordFile: where(r.passwordFile)} : r)),
		passwords: result.passwords.map(p => ({
			...p,
			file: path.join(configDir, p.file),
		})),
	};
}

/** The config text with the imported entries appended (comments and order of the file kept). */
export function mergeIntoConfig(existing: string, result: ImportResult): string {
	const doc = parseDocument(existing || '{}');
	const names = (key: string) => ((doc.toJS() as Record<string, Array<{name: string}>> | null)?.[key] ?? []).map(e => e.name);
	for (const [key, entries] of [
		['repositories', result.repositories],
		['backupSets', result.backupSets],
	] as const) {
		const taken = names(key);
		for (const e of entries) {
			if (taken.includes(e.name)) throw new ExitError(exitCodes.failure, `the config already has ${key === 'repositories' ? 'a repository' : 'a backup set'} named "${e.name}"; rename it there or in the file to import`);
			if (!doc.has(key)) doc.set(key, doc.createNode([]));
			(doc.get(key) as {add: (v: unknown) => void}).add(doc.createNode(e));
		}
	}
	return doc.toString();
}

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const [file] = ctx.args;
		if (!file) throw new ExitError(exitCodes.usage, 'usage: resto import FILE [--format resticprofile|autorestic|backrest] [--dry-run] [--json]');
		const format = ctx.options.format as ImportFormat | undefined;
		if (format && !['resticprofile', 'autorestic', 'backrest'].includes(format)) throw new ExitError(exitCodes.usage, `--format: resticprofile, autorestic or backrest, not ${JSON.stringify(format)}`);
		let text: string;
		try {
			text = readFileSync(file, 'utf8');
		} catch (error) {
			throw new ExitError(exitCodes.failure, `cannot read ${file}: ${(error as Error).message}`);
		}
		let result: ImportResult;
		try {
			result = importText(path.basename(file), text, format);
		} catch (error) {
			if (error instanceof ImportError) throw new ExitError(exitCodes.failure, error.message);
			throw error;
		}
		const configFile = path.resolve(configFilePath());
		result = resolvePasswordFiles(result, path.dirname(configFile), path.dirname(path.resolve(file)));
		const existing = existsSync(configFile) ? readFileSync(configFile, 'utf8') : '';
		const merged = mergeIntoConfig(existing, result);
		// What resto would read afterwards must be a valid config: check before writing anything.
		try {
			parseConfig(merged, configFile);
		} catch (error) {
			if (error instanceof ConfigError) throw new ExitError(exitCodes.failure, `the imported entries do not make a valid resto config: ${error.message}`);
			throw error;
		}
		const preview = {
			format: result.format,
			file: path.resolve(file),
			config: configFile,
			dryRun: Boolean(ctx.options['dry-run']),
			repositories: result.repositories,
			backupSets: result.backupSets,
			understood: result.understood,
			notUnderstood: result.notUnderstood,
			passwordFiles: result.passwords.map(p => p.file),
		};
		if (ctx.options.json) printJson(preview);
		else {
			printInfo(`${result.format} configuration ${file}: ${result.repositories.length} repositor${result.repositories.length === 1 ? 'y' : 'ies'}, ${result.backupSets.length} backup set(s)`);
			process.stdout.write(`# to be added to ${configFile}\n${stringify({repositories: result.repositories, backupSets: result.backupSets})}`);
			printInfo(`understood (${result.understood.length}): ${result.understood.join(', ') || 'nothing'}`);
			if (result.notUnderstood.length > 0) printWarning(`not understood, not imported (${result.notUnderstood.length}):\n  ${result.notUnderstood.join('\n  ')}`);
			for (const p of result.passwords) printInfo(`password for ${p.repository} → ${p.file} (0600)`);
		}
		if (ctx.options['dry-run']) return 0;
		for (const p of result.passwords) {
			if (existsSync(p.file)) throw new ExitError(exitCodes.failure, `${p.file} exists; not overwriting a password file`);
		}
		for (const p of result.passwords) writePrivateFile(p.file, `${p.value}\n`);
		writePrivateFile(configFile, merged);
		if (!ctx.options.json) printInfo(`added to ${configFile}`);
		return 0;
	});
}
