/**
 * Load and validate config.yaml (design §5). Errors name the file, the line and the field;
 * unknown keys are errors, not silently ignored. Without a file, RESTIC_* variables give one repository.
 */
import {readFileSync} from 'node:fs';
import {statSync} from 'node:fs';
import {LineCounter, parseDocument, isNode, visit} from 'yaml';
import * as z from 'zod';
import {registeredDemo} from '../demo/demo-registry.js';
import {redact} from '../restic/errors.js';
import type {RepoAccess} from '../restic/run.js';
import {readDataSubsetProblem} from '../util/read-data-subset.js';
import {configFilePath, expandHome} from './paths.js';
import {backupSetOpsFields, repositoryOpsFields, type CopyConfig, type RetentionConfig} from './ops-schema.js';

/** Alias expansions allowed when reading a config (yaml's own default, stated on purpose). */
const maxAliasCount = 100;

const nonEmpty = z.string().min(1, 'must not be empty');
const stringList = z.union([nonEmpty, z.array(nonEmpty)]).transform(v => (Array.isArray(v) ? v : [v]));

const repositorySchema = z
	.strictObject({
		name: nonEmpty.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" or "-"'),
		repository: nonEmpty,
		passwordFile: nonEmpty.optional(),
		passwordCommand: nonEmpty.optional(),
		password: z.string().optional(),
		env: z.record(z.string(), z.string()).optional(),
		...repositoryOpsFields,
	})
	.refine(r => [r.passwordFile, r.passwordCommand, r.password].filter(v => v !== undefined).length <= 1, {
		message: 'give only one of passwordFile, passwordCommand, password',
	});

const backupSetSchema = z.strictObject({
	name: nonEmpty.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" or "-"'),
	repository: nonEmpty,
	paths: z.array(nonEmpty).min(1, 'needs at least one path'),
	exclude: z.array(nonEmpty).optional(),
	excludeCaches: z.boolean().optional(),
	excludeIfPresent: stringList.optional(),
	tags: z.array(nonEmpty).optional(),
	host: nonEmpty.optional(),
	lowPriority: z.boolean().optional(),
	hooks: z.strictObject({pre: nonEmpty.optional(), post: nonEmpty.optional()}).optional(),
	...backupSetOpsFields,
});

const drillSchema = z.strictObject({
	months: z.number().int().positive().max(120).optional(),
	readDataSubset: nonEmpty
		.superRefine((value, ctx) => {
			const problem = readDataSubsetProblem(value);
			if (problem) ctx.addIssue({code: 'custom', message: problem});
		})
		.optional(),
	files: z.number().int().positive().max(100).optional(),
});

const configSchema = z.strictObject({
	repositories: z.array(repositorySchema).optional(),
	backupSets: z.array(backupSetSchema).optional(),
	drill: drillSchema.optional(),
	theme: nonEmpty.optional(),
	/** Folders whose trees rank after the user's own files in search (replaces the default list). */
	search: z.strictObject({machineTrees: z.array(nonEmpty).optional()}).optional(),
	/** The folder restores are created in (a new folder per restore); default ~/resto-restore. */
	restoreTarget: nonEmpty.optional(),
});

export type RepositoryConfig = z.infer<typeof repositorySchema>;
export type BackupSetConfig = z.infer<typeof backupSetSchema>;
export type DrillConfig = z.infer<typeof drillSchema>;

/** A configured repository with its access resolved (~ expanded). */
export interface Repository {
	name: string;
	access: RepoAccess;
	/** Operations settings (retention, copies, expected interval, where it lives). */
	ops?: {retention?: RetentionConfig; copies?: CopyConfig[]; expectedInterval?: string; medium?: string; location?: string; offsite?: boolean};
}

export interface Config {
	repositories: Repository[];
	backupSets: BackupSetConfig[];
	drill: {months: number; readDataSubset?: string; files: number};
	theme?: string;
	/** Search settings (machineTrees: folder names whose trees rank after the user's files). */
	search?: {machineTrees?: string[]};
	/** The folder new restores are created in (~ expanded); unset: ~/resto-restore (see restore/target.ts). */
	restoreTarget?: string;
	/** Where it came from: a file, the RESTIC_* environment, or nothing. */
	source: 'file' | 'env' | 'none';
	file?: string;
	/** Problems worth telling once but not fatal: a config or password file others can read (with the chmod that fixes it). */
	warnings?: string[];
}

/** A config error that names the file, line and field. */
export class ConfigError extends Error {
	readonly file: string;
	readonly line: number | undefined;
	readonly field: string | undefined;

	constructor(file: string, line: number | undefined, field: string | undefined, message: string) {
		super(`${file}${line ? `:${line}` : ''}: ${field ? `${field}: ` : ''}${message}`);
		this.name = 'ConfigError';
		this.file = file;
		this.line = line;
		this.field = field;
	}
}

function fieldName(p: readonly PropertyKey[]): string {
	return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`)).join('');
}

function toRepository(r: RepositoryConfig): Repository {
	const access: RepoAccess = {repository: expandHome(r.repository)};
	if (r.passwordFile) access.passwordFile = expandHome(r.passwordFile);
	if (r.passwordCommand) access.passwordCommand = r.passwordCommand;
	if (r.password !== undefined) access.password = r.password;
	if (r.env) access.env = r.env;
	const {retention, copies, expectedInterval, medium, location, offsite} = r;
	const ops = {retention, copies: copies?.map(c => ({...c, target: expandHome(c.target), passwordFile: c.passwordFile && expandHome(c.passwordFile)})), expectedInterval, medium, location, offsite};
	return Object.values(ops).some(v => v !== undefined) ? {name: r.name, access, ops} : {name: r.name, access};
}

/** One repository from RESTIC_REPOSITORY + a password source, or undefined. */
export function repositoryFromEnv(env: NodeJS.ProcessEnv = process.env): Repository | undefined {
	const repository = env.RESTIC_REPOSITORY || (env.RESTIC_REPOSITORY_FILE ? safeRead(env.RESTIC_REPOSITORY_FILE)?.trim() : undefined);
	if (!repository) return undefined;
	const access: RepoAccess = {repository};
	if (env.RESTIC_PASSWORD_FILE) access.passwordFile = env.RESTIC_PASSWORD_FILE;
	else if (env.RESTIC_PASSWORD_COMMAND) access.passwordCommand = env.RESTIC_PASSWORD_COMMAND;
	else if (env.RESTIC_PASSWORD !== undefined) access.password = env.RESTIC_PASSWORD;
	// Named after where it is: every zero-config repository used to be "default", and two of them
	// could not be told apart in lists, reports and the drill history.
	return {name: redact(repository, []), access};
}

/** The name the demo repository gets (another if a configured repository already has it). */
function demoName(taken: ReadonlySet<string>): string {
	for (const name of ['demo', 'resto-demo']) if (!taken.has(name)) return name;
	let i = 2;
	while (taken.has(`demo-${i}`)) i++;
	return `demo-${i}`;
}

/**
 * Add the demo repository resto made (`resto demo`) after the others, so every subcommand and the TUI
 * see it until `resto demo --remove`. Not added twice when a configured repository already points there.
 */
export function withDemo(config: Config): Config {
	const demo = registeredDemo();
	if (!demo || config.repositories.some(r => r.access.repository === demo.repository)) return config;
	const name = demoName(new Set(config.repositories.map(r => r.name)));
	return {...config, repositories: [...config.repositories, {name, access: {repository: demo.repository, passwordFile: demo.passwordFile}}]};
}

function safeRead(file: string): string | undefined {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
}

/** Parse and validate config text. `file` is only used in error messages. */
export function parseConfig(text: string, file: string): Config {
	const lineCounter = new LineCounter();
	const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true});
	const lineOf = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
	if (doc.errors.length > 0) {
		const e = doc.errors[0]!;
		throw new ConfigError(file, lineOf(e.pos[0]), undefined, `invalid YAML: ${e.message.split('\n')[0]}`);
	}
	let raw: unknown;
	try {
		// yaml refuses more than maxAliasCount alias expansions (a "billion laughs" bomb) with a ReferenceError.
		raw = doc.toJS({maxAliasCount}) ?? {};
	} catch (error) {
		if (!(error instanceof ReferenceError)) throw error;
		let line: number | undefined;
		visit(doc, {
			Alias(_key, node) {
				line = lineOf(node.range?.[0]);
				return visit.BREAK;
			},
		});
		throw new ConfigError(file, line, undefined, `invalid YAML: its aliases expand too many times (more than ${maxAliasCount}: an alias bomb?); not loaded`);
	}
	const result = configSchema.safeParse(raw);
	if (!result.success) {
		// A misspelt key also makes its intended key "missing": report the misspelling, the root cause.
		const issue = result.error.issues.find(i => i.code === 'unrecognized_keys') ?? result.error.issues[0]!;
		let p = issue.path;
		let message = issue.message;
		if (issue.code === 'unrecognized_keys') {
			p = [...p, issue.keys[0]!];
			message = `unknown key "${issue.keys[0]}"${issue.keys.length > 1 ? ` (and ${issue.keys.length - 1} more)` : ''}`;
		}
		// Walk up until a node with a position exists (missing keys have none).
		let line: number | undefined;
		for (let depth = p.length; depth >= 0 && line === undefined; depth--) {
			const sub = p.slice(0, depth) as Array<string | number>;
			const node = sub.length === 0 ? doc.contents : doc.getIn(sub, true);
			if (issue.code === 'unrecognized_keys' && depth === p.length) {
				// Point at the key itself, not its value.
				const parent = doc.getIn(p.slice(0, -1) as Array<string | number>, true);
				if (isNode(parent) && 'items' in parent) {
					const pair = (parent.items as Array<{key: unknown}>).find(it => isNode(it.key) && (it.key as {value?: unknown}).value === p.at(-1));
					if (pair && isNode(pair.key)) line = lineOf(pair.key.range?.[0]);
				}
			}
			if (line === undefined && isNode(node)) line = lineOf(node.range?.[0]);
		}
		throw new ConfigError(file, line, p.length > 0 ? fieldName(p) : undefined, message);
	}
	const data = result.data;
	const repositories = (data.repositories ?? []).map(toRepository);
	const names = new Set<string>();
	for (const [i, r] of repositories.entries()) {
		if (names.has(r.name)) throw new ConfigError(file, lineOf((doc.getIn(['repositories', i, 'name'], true) as {range?: [number]} | undefined)?.range?.[0]), `repositories[${i}].name`, `duplicate repository name "${r.name}"`);
		names.add(r.name);
	}
	for (const [i, set] of (data.backupSets ?? []).entries()) {
		if (!names.has(set.repository)) {
			const node = doc.getIn(['backupSets', i, 'repository'], true) as {range?: [number]} | undefined;
			throw new ConfigError(file, lineOf(node?.range?.[0]), `backupSets[${i}].repository`, `no repository named "${set.repository}" (known: ${[...names].join(', ') || 'none'})`);
		}
	}
	return {
		repositories,
		backupSets: (data.backupSets ?? []).map(s => ({...s, paths: s.paths.map(expandHome), exclude: s.exclude?.map(expandHome)})),
		drill: {months: data.drill?.months ?? 3, readDataSubset: data.drill?.readDataSubset, files: data.drill?.files ?? 1},
		theme: data.theme,
		...(data.search ? {search: data.search} : {}),
		...(data.restoreTarget ? {restoreTarget: expandHome(data.restoreTarget)} : {}),
		source: 'file',
		file,
	};
}

/**
 * Load the config: the file if it exists (errors are thrown as ConfigError), else the RESTIC_*
 * environment, else an empty config with source "none".
 */
export function loadConfig(options: {file?: string; env?: NodeJS.ProcessEnv; demo?: boolean} = {}): Config {
	const config = loadConfigOnly(options);
	return options.demo === false ? config : withDemo(config);
}

function loadConfigOnly(options: {file?: string; env?: NodeJS.ProcessEnv}): Config {
	const file = options.file ?? configFilePath();
	let text: string | undefined;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code !== 'ENOENT' || process.env.RESTO_CONFIG) {
			if (code === 'ENOENT') throw new ConfigError(file, undefined, undefined, 'config file not found (RESTO_CONFIG points here)');
			throw new ConfigError(file, undefined, undefined, `cannot read: ${(error as Error).message}`);
		}
	}
	if (text !== undefined) {
		const config = parseConfig(text, file);
		const inFile = [...config.repositories];
		const fromEnv = repositoryFromEnv(options.env);
		if (config.repositories.length === 0 && fromEnv) config.repositories.push(fromEnv);
		config.warnings = permissionWarnings(file, config.repositories, inFile);
		return config;
	}
	const fromEnv = repositoryFromEnv(options.env);
	return {
		repositories: fromEnv ? [fromEnv] : [],
		backupSets: [],
		drill: {months: 3, files: 1},
		source: fromEnv ? 'env' : 'none',
		warnings: permissionWarnings(undefined, fromEnv ? [fromEnv] : []),
	};
}

/** A path as a shell word, quoted only when it needs to be. */
export function shellWord(p: string): string {
	return /^[A-Za-z0-9_/.,:@%+=-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

/**
 * The warning for one file, or undefined when only its owner can use it (or it cannot be looked at).
 * With `readable: false` only write access for others counts (reading it gives nothing away).
 */
export function permissionWarning(file: string, holds: string, options: {readable?: boolean} = {}): string | undefined {
	let mode: number;
	try {
		mode = statSync(file).mode;
	} catch {
		return undefined;
	}
	if ((mode & (options.readable === false ? 0o022 : 0o077)) === 0) return undefined;
	const others = mode & 0o007;
	const bits = others | ((mode & 0o070) >> 3);
	const how = bits & 0o4 ? (bits & 0o2 ? 'readable and writable' : 'readable') : bits & 0o2 ? 'writable' : 'usable';
	const octal = (mode & 0o777).toString(8).padStart(4, '0');
	// The fix comes before the explanation: the TUI's one-line notice may cut the end off.
	return `${file} is ${how} by ${others ? 'others' : 'its group'} (mode ${octal}): run \`chmod 600 ${shellWord(file)}\` (it holds ${holds})`;
}

/** Does the config text itself hold a secret: an inline password, backend credentials, or a URL with user:password@? */
function holdsSecrets(repositories: readonly Repository[]): boolean {
	return repositories.some(r => r.access.password !== undefined || Object.keys(r.access.env ?? {}).length > 0 || /\/\/[^/@\s]*:[^/@\s]*@/.test(r.access.repository));
}

/**
 * Warnings for the config file and every password file that others can read or change (each file once).
 * A config is only "secret" when it holds passwords or credentials itself; anyone able to change it can
 * make resto run a command (passwordCommand, hooks), so write access for others is always reported.
 */
export function permissionWarnings(configFile: string | undefined, repositories: readonly Repository[], fromConfigFile: readonly Repository[] = repositories): string[] {
	const seen = new Set<string>();
	const out: string[] = [];
	const check = (file: string, holds: string, readable = true) => {
		if (seen.has(file)) return;
		seen.add(file);
		const w = permissionWarning(file, holds, {readable});
		if (w) out.push(w);
	};
	if (configFile) {
		const secret = holdsSecrets(fromConfigFile);
		check(configFile, secret ? 'passwords or backend credentials' : 'the commands resto runs for passwords and hooks', secret);
	}
	for (const r of repositories) if (r.access.passwordFile) check(r.access.passwordFile, `the password of repository ${r.name}`);
	return out;
}

/**
 * Resolve `--repo R`: a configured name, else any restic repository string (password from the
 * RESTIC_PASSWORD* environment). Returns undefined for an unknown name that is not a plausible repo.
 */
export function resolveRepo(config: Config, repo: string | undefined, env: NodeJS.ProcessEnv = process.env): Repository | undefined {
	if (repo === undefined) return config.repositories[0];
	const named = config.repositories.find(r => r.name === repo);
	if (named) return named;
	const looksLikeRepo = /^(rest|sftp|s3|b2|azure|gs|swift|rclone):/.test(repo) || repo.includes('/') || repo.startsWith('.');
	if (!looksLikeRepo) return undefined;
	const fromEnv = repositoryFromEnv({...env, RESTIC_REPOSITORY: repo});
	return fromEnv ? {name: repo, access: fromEnv.access} : undefined;
}
