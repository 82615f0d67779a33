/** Shared by `resto tree`, `resto du` and `resto diff`: the refreshed index of --repo, and JSON shapes. */
import type {FileIndex, IndexedSnapshot} from '../index/file-index.js';
import {RepoIndexer} from '../index/indexer.js';
import type {Repository} from '../config/config.js';
import type {UnionEntry} from '../union/union-tree.js';
import {exitCodes} from '../util/exit-codes.js';
import {escapeForTerminal} from '../util/escape.js';
import {clientFor, ExitError, loadConfigOrExit, repoOrExit} from './common.js';
import {refreshIndex} from './index.js';

/** The repository of --repo and its index, brought up to date (progress on stderr unless quiet). */
export async function indexOf(ctx: {options: {repo?: string; json?: boolean}}): Promise<{repo: Repository; index: FileIndex}> {
	const config = loadConfigOrExit();
	const repo = repoOrExit(config, ctx);
	const indexer = new RepoIndexer(clientFor(repo));
	await refreshIndex(indexer, Boolean(ctx.options.json) && !process.stderr.isTTY);
	return {repo, index: indexer.index};
}

/** A snapshot in JSON output. */
export interface SnapshotRef {
	id: string;
	shortId: string;
	time: string;
	host: string;
}

export function snapshotRef(s: IndexedSnapshot): SnapshotRef {
	return {id: s.id, shortId: s.shortId, time: new Date(s.time).toISOString(), host: s.hostname};
}

/** The JSON shape of one union-tree entry (`resto tree --json`). */
export interface TreeEntryJson {
	path: string;
	name: string;
	type: string;
	types: string[];
	folder: boolean;
	firstSeen: SnapshotRef;
	lastSeen: SnapshotRef;
	snapshots: number;
	versions: number;
	size: number;
	mtime: string;
	hosts: string[];
	ghost: boolean;
	deletedAfter?: SnapshotRef;
	missingIn?: SnapshotRef;
	changedAt: string;
	ghostsBelow?: number;
}

export function entryJson(e: UnionEntry, ghostsBelow?: number): TreeEntryJson {
	return {
		path: e.path,
		name: e.name,
		type: e.type,
		types: e.types,
		folder: e.hasChildren,
		firstSeen: snapshotRef(e.firstSeen),
		lastSeen: snapshotRef(e.lastSeen),
		snapshots: e.snapshotCount,
		versions: e.versions,
		size: e.size,
		mtime: new Date(e.mtime).toISOString(),
		hosts: e.hosts,
		ghost: e.ghost,
		...(e.deletedAfter ? {deletedAfter: snapshotRef(e.deletedAfter)} : {}),
		...(e.missingIn ? {missingIn: snapshotRef(e.missingIn)} : {}),
		changedAt: new Date(e.changedAt).toISOString(),
		...(ghostsBelow !== undefined ? {ghostsBelow} : {}),
	};
}

/** A snapshot argument (id, unique prefix, or `latest`) → the full id, from restic's list. */
export function resolveSnapshotArg(snapshots: ReadonlyArray<{id: string; time: number}>, text: string): string {
	if (text === 'latest') {
		const newest = [...snapshots].sort((a, b) => b.time - a.time)[0];
		if (!newest) throw new ExitError(exitCodes.failure, 'the repository has no snapshot');
		return newest.id;
	}
	if (!/^[0-9a-f]{4,64}$/.test(text)) throw new ExitError(exitCodes.usage, `not a snapshot id: ${escapeForTerminal(text)}`);
	const matches = snapshots.filter(s => s.id.startsWith(text));
	if (matches.length === 0) throw new ExitError(exitCodes.failure, `no snapshot ${text} in the repository`);
	if (matches.length > 1) throw new ExitError(exitCodes.failure, `snapshot prefix ${text} is ambiguous (${matches.length} snapshots)`);
	return matches[0]!.id;
}
