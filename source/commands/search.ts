/**
 * `resto search QUERY [--repo R] [--json] [--limit N] [--all-repos] [--find] [--host H] [--type T]
 * [--path PREFIX] [--since DATE] [--until DATE]`: find files across all snapshots.
 */
import type {Repository} from '../config/config.js';
import type {FileIndex} from '../index/file-index.js';
import {loadCache} from '../index/cache.js';
import {RepoIndexer} from '../index/indexer.js';
import {checkPasswordAgainstKeyTextsAsync, resolvePassword, type KeyCheck} from '../index/key-check.js';
import {cacheIsCurrent, knownRepoId, rememberRepoId} from '../index/known-repos.js';
import {keyFiles} from '../index/repo-files.js';
import {classifyFailure} from '../restic/errors.js';
import {passwordTimeoutMs, secretsOf} from '../restic/run.js';
import {prepareSearch, search, type SearchFilters} from '../index/search.js';
import {exitCodes} from '../util/exit-codes.js';
import {printJson} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {formatBytes, formatDateTime} from '../util/format.js';
import {clientFor, ExitError, guard, loadConfigOrExit, repoOrExit} from './common.js';
import type {CommandContext} from './context.js';
import {refreshIndex} from './index.js';
import {commonOptions, dateValue, defineCommand, oneOf, option, wholeNumber} from './spec.js';

export const spec = defineCommand({
	name: 'search',
	summary: 'find files across all snapshots',
	usage: ['search QUERY [--repo R] [--json] [--limit N] [--all-repos] [--find] [--host H] [--type T] [--path PREFIX] [--since DATE] [--until DATE]'],
	description: 'Searches the file index (built or refreshed first) for QUERY, the words of a name or path in any order, and prints each match with the snapshots that hold it. --find asks `restic find` instead. No match is not an error: exit 0, in text and --json modes.',
	options: {
		repo: commonOptions.repo,
		json: commonOptions.json,
		limit: option({type: 'string', value: 'N', description: 'at most N results (default 20)', parse: wholeNumber({min: 1})}),
		'all-repos': option({type: 'boolean', description: 'search every configured repository'}),
		find: option({type: 'boolean', description: 'use restic find (a glob pattern) instead of the index'}),
		host: commonOptions.host,
		type: option({type: 'string', value: 'T', description: 'file, dir, symlink or other', parse: oneOf(['file', 'dir', 'symlink', 'other'])}),
		path: option({type: 'string', value: 'PREFIX', description: 'only paths under PREFIX'}),
		since: option({type: 'string', value: 'DATE', description: 'only versions seen on or after DATE (e.g. 2025-06-30)', parse: (raw, flag) => (dateValue(raw, flag), raw)}),
		until: option({type: 'string', value: 'DATE', description: 'only versions seen up to DATE', parse: (raw, flag) => (dateValue(raw, flag), raw)}),
	},
	maxArgs: Number.POSITIVE_INFINITY,
});

/** The JSON shape of one result (issue contract). */
export interface SearchJsonResult {
	path: string;
	type: string;
	score: number;
	/** Which rule matched: whole, prefix, substring, folder, spread, scattered. */
	tier?: string;
	/** Inside a machine-made tree (node_modules, .cache…). */
	machine?: boolean;
	repository?: string;
	versions: Array<{snapshots: string[]; from: string; to: string; size: number; mtime: string}>;
	inLatest: boolean;
	deletedAfter?: string;
}

function parseDate(text: string | undefined, name: string): number | undefined {
	if (text === undefined) return undefined;
	const t = Date.parse(text);
	if (!Number.isFinite(t)) throw new ExitError(exitCodes.usage, `--${name}: not a date: ${text} (use e.g. 2025-06-30)`);
	return t;
}

/** Build the filters from CLI options. */
export function filtersFrom(ctx: CommandContext<typeof spec>): SearchFilters {
	const type = ctx.options.type;
	if (type !== undefined && !['file', 'dir', 'symlink', 'other'].includes(type)) throw new ExitError(exitCodes.usage, `--type must be file, dir, symlink or other`);
	return {
		hosts: ctx.options.host ? [ctx.options.host] : undefined,
		type: type as SearchFilters['type'],
		pathPrefix: ctx.options.path,
		since: parseDate(ctx.options.since, 'since'),
		until: parseDate(ctx.options.until, 'until'),
	};
}

/** The result JSON for a path of an index. */
export function resultJson(index: FileIndex, hit: {pathId: number; path: string; type: string; score: number; tier?: string; machine?: boolean}): SearchJsonResult {
	const tl = index.timeline(hit.pathId);
	return {
		path: hit.path,
		type: hit.type,
		score: hit.score,
		...(hit.tier ? {tier: hit.tier, machine: hit.machine ?? false} : {}),
		versions: tl.runs.map(run => ({
			snapshots: run.snapshots.map(s => s.id),
			from: new Date(run.snapshots[0]!.time).toISOString(),
			to: new Date(run.snapshots.at(-1)!.time).toISOString(),
			size: run.version.size,
			mtime: new Date(run.version.mtime).toISOString(),
		})),
		inLatest: tl.inLatest,
		...(tl.deletedAfter ? {deletedAfter: tl.deletedAfter.id} : {}),
	};
}

async function searchFind(ctx: CommandContext<typeof spec>, repo: Repository, query: string, limit: number): Promise<number> {
	const client = clientFor(repo);
	const started = Date.now();
	const results = await client.find([query], {hosts: ctx.options.host ? [ctx.options.host] : undefined});
	const snapshots = await client.snapshots();
	const times = new Map(snapshots.map(s => [s.id, s.time]));
	const byPath = new Map<string, Array<{snapshot: string; size: number; mtime: number; type: string}>>();
	for (const r of results) for (const m of r.matches) byPath.set(m.path, [...(byPath.get(m.path) ?? []), {snapshot: r.snapshot, size: m.size, mtime: m.mtime, type: m.type}]);
	const newest = snapshots[0]?.id;
	const out: SearchJsonResult[] = [...byPath.entries()].slice(0, limit).map(([p, hits]) => {
		hits.sort((a, b) => (times.get(a.snapshot) ?? 0) - (times.get(b.snapshot) ?? 0));
		const versions: SearchJsonResult['versions'] = [];
		for (const h of hits) {
			const last = versions.at(-1);
			const t = new Date(times.get(h.snapshot) ?? 0).toISOString();
			if (last && last.size === h.size && last.mtime === new Date(h.mtime).toISOString()) {
				last.snapshots.push(h.snapshot);
				last.to = t;
			} else versions.push({snapshots: [h.snapshot], from: t, to: t, size: h.size, mtime: new Date(h.mtime).toISOString()});
		}
		return {path: p, type: hits[0]!.type, score: 0, versions, inLatest: hits.some(h => h.snapshot === newest)};
	});
	return print(ctx, query, out, Date.now() - started, byPath.size, 'restic find');
}

function print(ctx: CommandContext<typeof spec>, query: string, results: SearchJsonResult[], ms: number, total: number, mode: string, extra: {prepareMs?: number; looser?: number} = {}): number {
	if (ctx.options.json) {
		printJson({query, mode, total, ...(extra.looser === undefined ? {} : {looser: extra.looser}), ms: Math.round(ms * 10) / 10, ...(extra.prepareMs === undefined ? {} : {prepareMs: extra.prepareMs}), results});
		return 0;
	}
	if (results.length === 0) {
		process.stdout.write(`no match for ${JSON.stringify(query)}\n`);
		// Not an error: the same exit code as --json (util/exit-codes.ts), so scripts can tell "none" from "failed".
		return exitCodes.ok;
	}
	for (const r of results) {
		const latest = r.versions.at(-1);
		process.stdout.write(`${escapeForTerminal(r.path)}${r.type === 'dir' ? '/' : ''}${r.repository ? `  [${r.repository}]` : ''}\n`);
		for (const v of r.versions) {
			process.stdout.write(`    ${formatDateTime(Date.parse(v.from))} → ${formatDateTime(Date.parse(v.to))}  ${String(v.snapshots.length).padStart(3)} snapshot${v.snapshots.length === 1 ? ' ' : 's'}  ${formatBytes(v.size).padStart(9)}  ${v.snapshots.at(-1)!.slice(0, 8)}\n`);
		}
		if (r.deletedAfter) process.stdout.write(`    deleted after snapshot ${r.deletedAfter.slice(0, 8)}\n`);
		else if (!r.inLatest && latest) process.stdout.write('    not in the latest snapshot\n');
	}
	const looser = extra.looser ? ` · ${extra.looser.toLocaleString('en-US')} looser (scattered letters)` : '';
	process.stdout.write(`${results.length} of ${total.toLocaleString('en-US')} match${total === 1 ? '' : 'es'}${looser} (${mode}, ${Math.round(ms)} ms)\n`);
	return 0;
}

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		const query = ctx.args.join(' ');
		if (!query.trim()) throw new ExitError(exitCodes.usage, 'resto search needs a query, e.g. resto search "tax 2023 pdf"');
		const limit = ctx.options.limit ?? 20;
		const config = loadConfigOrExit();
		const repos = ctx.options['all-repos'] ? config.repositories : [repoOrExit(config, ctx)];
		if (repos.length === 0) repoOrExit(config, ctx);
		if (ctx.options.find) return searchFind(ctx, repos[0]!, query, limit);
		const filters = filtersFrom(ctx);
		const machineTrees = config.search?.machineTrees;
		const all: SearchJsonResult[] = [];
		let total = 0;
		let looser = 0;
		let ms = 0;
		let prepareMs = 0;
		for (const repo of repos) {
			const index = await currentIndex(repo, Boolean(ctx.options.json) && !process.stderr.isTTY, machineTrees);
			// The per-index preparation a TUI does before the first keystroke (done already, beside the
			// password check, when the index came from the cache); `ms` is then the query alone.
			const prepared = performance.now();
			await prepareSearch(index, undefined, machineTrees);
			prepareMs += performance.now() - prepared;
			const result = await search(index, query, {limit, filters, machineTrees});
			total += result.total;
			looser += result.looser;
			ms += result.ms;
			for (const hit of result.hits) all.push({...resultJson(index, hit), ...(repos.length > 1 ? {repository: repo.name} : {})});
		}
		all.sort((a, b) => b.score - a.score);
		return print(ctx, query, all.slice(0, limit), ms, total, 'index', {prepareMs: Math.round(prepareMs), looser});
	});
}

/**
 * The repository's index, brought up to date with as few restic processes as possible: none when
 * its cache is known to hold exactly the repository's snapshots (their files listed: a local folder
 * or one GET of a REST server) and the password opens one of its keys; one (`snapshots`) when the
 * repository id is remembered, and `ls` per new snapshot.
 */
async function currentIndex(repo: Repository, quiet: boolean, machineTrees?: readonly string[]): Promise<FileIndex> {
	const known = knownRepoId(repo.access);
	let loaded: FileIndex | undefined;
	if (known && (await cacheIsCurrent(repo.access, known))) {
		// Answering without restic must still refuse the password restic would refuse; when the keys
		// cannot tell (a key this code cannot read, a password command that failed), restic below decides.
		// The key derivation runs on another core while the cache is read and prepared; nothing of the
		// index is searched or shown before the verdict.
		const verdict = passwordVerdict(repo);
		verdict.catch(() => undefined);
		loaded = loadCache(known).index;
		if (loaded) await prepareSearch(loaded, undefined, machineTrees);
		const outcome = await verdict;
		if (outcome === 'wrong') throw wrongPassword(repo);
		if (outcome === 'ok' && loaded) return loaded;
	}
	const client = clientFor(repo);
	const indexer = new RepoIndexer(client);
	// Already read above: the indexer goes on from it instead of reading it again.
	if (loaded) indexer.index = loaded;
	// Skips `restic cat config`: the id names the cache, and a wrong one only costs a re-listing.
	if (known) indexer.repoId = known;
	await refreshIndex(indexer, quiet);
	if (indexer.repoId) rememberRepoId(repo.access, indexer.repoId);
	return indexer.index;
}

async function passwordVerdict(repo: Repository): Promise<KeyCheck> {
	const [password, keys] = await Promise.all([resolvePassword(repo.access, passwordTimeoutMs()), keyFiles(repo.access.repository)]);
	if (password === undefined || keys === undefined) return 'unknown';
	return checkPasswordAgainstKeyTextsAsync(keys.texts, keys.unreadable, password);
}

/** The very error restic's own refusal is turned into (restic/errors.ts), so every command reads alike. */
function wrongPassword(repo: Repository): Error {
	return classifyFailure({exitCode: 12, stderr: 'Fatal: wrong password or no key found\n', repository: repo.access.repository, secrets: secretsOf(repo.access)})!;
}
