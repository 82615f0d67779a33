/**
 * A first backup set for someone who has none: a suggestion (the home directory, or the demo's own home
 * on the demo repository, with the excludes restic users usually give) and saving it into config.yaml
 * without losing the comments, order or other keys already there.
 */
import {lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {isMap, isSeq, parseDocument, stringify} from 'yaml';
import {parseConfig, type BackupSetConfig, type Config, type Repository} from '../config/config.js';
import {registeredDemo} from '../demo/demo-registry.js';

/** What the form starts from and what is saved. Paths and excludes as the user sees them (~ allowed). */
export interface NewBackupSet {
	name: string;
	paths: string[];
	exclude: string[];
	excludeCaches: boolean;
}

/**
 * Excludes nearly every restic user adds for a home directory: caches and trash (rebuilt or unwanted),
 * dependency and build trees that a package manager recreates, editor swap and temporary files.
 * `excludeCaches` (restic --exclude-caches) also skips any folder holding a CACHEDIR.TAG.
 */
export function defaultExcludes(home: string): string[] {
	const under = (p: string) => (home === os.homedir() ? `~/${p}` : path.join(home, p));
	return [under('.cache'), under('.local/share/Trash'), '**/node_modules', '**/__pycache__', '**/.venv', '*.tmp', '*.swp'];
}

/** The home a first set starts from: the demo's own home on the demo repository, else the user's. */
export function suggestedHome(repo: Repository | undefined): string {
	const demo = registeredDemo();
	if (demo && repo && path.resolve(repo.access.repository) === path.resolve(demo.repository)) return demo.home;
	return os.homedir();
}

/** A name for a new set that no configured set has yet. */
function freeName(config: Config, base: string): string {
	const taken = new Set(config.backupSets.map(s => s.name));
	if (!taken.has(base)) return base;
	let i = 2;
	while (taken.has(`${base}-${i}`)) i++;
	return `${base}-${i}`;
}

/** The suggestion a new-set form starts with. */
export function suggestedSet(config: Config, repo: Repository | undefined): NewBackupSet {
	const home = suggestedHome(repo);
	return {name: freeName(config, 'home'), paths: [home === os.homedir() ? '~' : home], exclude: defaultExcludes(home), excludeCaches: true};
}

/** Thrown when a set cannot be saved; the message says why and what to do. */
export class NewSetError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'NewSetError';
	}
}

/**
 * A list typed in one field: entries separated by commas, `\,` for a comma inside an entry. Empty
 * entries are dropped.
 */
export function parseListField(text: string): string[] {
	const out: string[] = [];
	let current = '';
	for (let i = 0; i < text.length; i++) {
		const ch = text[i]!;
		if (ch === '\\' && text[i + 1] === ',') {
			current += ',';
			i++;
		} else if (ch === ',') {
			out.push(current);
			current = '';
		} else current += ch;
	}
	out.push(current);
	return out.map(s => s.trim()).filter(Boolean);
}

/** The inverse of parseListField. */
export function formatListField(items: readonly string[]): string {
	return items.map(s => s.replaceAll(',', '\\,')).join(', ');
}

/** The config entry for a repository that is not in the file (the demo, RESTIC_REPOSITORY). */
function repositoryEntry(repo: Repository, taken: ReadonlySet<string>): Record<string, string> {
	if (repo.access.password !== undefined && !repo.access.passwordFile && !repo.access.passwordCommand) {
		throw new NewSetError(`the password of ${repo.name} comes from RESTIC_PASSWORD, which resto does not write into a file: add the repository to the config with a passwordFile or passwordCommand first (see the readme)`);
	}
	// A config name takes letters, digits, ".", "_" and "-": the demo keeps its name, a location gets one.
	let base = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(repo.name)
		? repo.name
		: path
				.basename(repo.access.repository)
				.replace(/[^A-Za-z0-9._-]+/g, '-')
				.replace(/^[^A-Za-z0-9]+/, '') || 'repo';
	if (taken.has(base)) base = `${base}-2`;
	const entry: Record<string, string> = {name: base, repository: repo.access.repository};
	if (repo.access.passwordFile) entry.passwordFile = repo.access.passwordFile;
	else if (repo.access.passwordCommand) entry.passwordCommand = repo.access.passwordCommand;
	return entry;
}

/** Where a saved set went. */
export interface SavedSet {
	file: string;
	/** The set as the app uses it (paths expanded, repository named as in this session). */
	set: BackupSetConfig;
	/** True when the repository itself was added to the file too (it came from the demo or the environment). */
	addedRepository: boolean;
	/** The YAML added (for the CLI to show). */
	snippet: string;
}

/**
 * Add `draft` as a backup set of `repo` to the config file `file` (created if missing). Comments and
 * everything else in the file stay as they are; the result is validated like any config before it
 * replaces the file (atomically, keeping its mode; a symlinked config is written where it points).
 */
export function saveBackupSet(file: string, draft: NewBackupSet, repo: Repository): SavedSet {
	const name = draft.name.trim();
	if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new NewSetError(`the name "${name}" does not work: use letters, digits, ".", "_" or "-"`);
	if (draft.paths.length === 0) throw new NewSetError('give at least one path to back up');
	let target = file;
	let text = '';
	let mode = 0o600;
	const st = lstatSync(file, {throwIfNoEntry: false});
	if (st) {
		target = realpathSync(file);
		const real = lstatSync(target);
		if (!real.isFile()) throw new NewSetError(`${file} is not a regular file: not changed`);
		mode = real.mode & 0o777;
		text = readFileSync(target, 'utf8');
	}
	const doc = parseDocument(text);
	if (doc.errors.length > 0) throw new NewSetError(`${file} does not parse (${doc.errors[0]!.message.split('\n')[0]}): fix it first, nothing was written`);
	if (doc.contents !== null && !isMap(doc.contents)) throw new NewSetError(`${file} is not a mapping of settings: not changed`);
	const existing = text ? parseConfig(text, file) : undefined;
	if (existing?.backupSets.some(s => s.name === name)) throw new NewSetError(`${file} already has a backup set named "${name}"`);
	let repoName = existing?.repositories.find(r => r.access.repository === repo.access.repository)?.name;
	let addedRepository = false;
	const added: Record<string, unknown> = {};
	if (!repoName) {
		const entry = repositoryEntry(repo, new Set(existing?.repositories.map(r => r.name)));
		repoName = entry.name!;
		addRow(doc, 'repositories', entry);
		added.repositories = [entry];
		addedRepository = true;
	}
	const setEntry: Record<string, unknown> = {name, repository: repoName, paths: draft.paths, ...(draft.exclude.length ? {exclude: draft.exclude} : {}), excludeCaches: draft.excludeCaches};
	addRow(doc, 'backupSets', setEntry);
	added.backupSets = [setEntry];
	const next = doc.toString();
	// The file as it will be must load: a set that breaks the config is not written.
	const loaded = parseConfig(next, file);
	const saved = loaded.backupSets.find(s => s.name === name)!;
	mkdirSync(path.dirname(target), {recursive: true, mode: 0o700});
	const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
	try {
		writeFileSync(tmp, next, {mode, flag: 'wx'});
		renameSync(tmp, target);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') rmSync(tmp, {force: true});
		throw error;
	}
	const snippet = stringify(added);
	return {file, set: {...saved, repository: repo.name}, addedRepository, snippet};
}

/** Append `row` to the list at top-level `key`, creating the list when the file has none. */
function addRow(doc: ReturnType<typeof parseDocument>, key: string, row: Record<string, unknown>): void {
	const list = doc.get(key, true);
	if (list === undefined || list === null) doc.set(key, doc.createNode([row]));
	else if (isSeq(list)) list.add(doc.createNode(row));
	else throw new NewSetError(`${key} in the config is not a list: not changed`);
}
