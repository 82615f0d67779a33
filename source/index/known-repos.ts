/**
 * Knowing whether a repository's snapshot list changed without starting restic. A local
 * repository's snapshot files are named by snapshot id and can be listed without decrypting
 * anything; its `config` file (encrypted, written once at `restic init`) tells one repository from
 * another. The repository id (which names the index cache) is remembered per repository, so a
 * refresh needs at most one restic process (`snapshots`), and none when nothing changed.
 * Stored: hashes of the config file or of the location without credentials, and repository ids;
 * never a password or a URL.
 */
import {createHash} from 'node:crypto';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {restoPaths, writePrivateFile} from '../config/paths.js';
import type {RepoAccess} from '../restic/run.js';
import {cachedSnapshotIds} from './cache.js';

const storeFile = (dir: string) => path.join(dir, 'repositories.json');
const defaultDir = () => path.join(restoPaths().cache, 'index');

/** The folder of a local repository ("/srv/repo", "local:/srv/repo"); undefined for other backends. */
export function localRepoDir(repository: string): string | undefined {
	if (repository.startsWith('local:')) return path.resolve(repository.slice('local:'.length));
	// Every other backend is "name:…"; a plain path has no scheme.
	if (/^[a-z][a-z0-9]*:/i.test(repository)) return undefined;
	return path.resolve(repository);
}

/** A key naming this repository in the store: its config file's hash (local) or its location's, without user info. */
function keyOf(access: RepoAccess): string | undefined {
	const dir = localRepoDir(access.repository);
	if (dir !== undefined) {
		try {
			return `config:${createHash('sha256')
				.update(readFileSync(path.join(dir, 'config')))
				.digest('hex')}`;
		} catch {
			return undefined;
		}
	}
	// rest:https://user:secret@host/ → rest:https://host/: credentials never feed the key.
	const withoutUser = access.repository.replace(/\/\/[^/@]*@/, '//');
	return `location:${createHash('sha256').update(withoutUser).digest('hex')}`;
}

function readStore(dir: string): Record<string, string> {
	try {
		const data: unknown = JSON.parse(readFileSync(storeFile(dir), 'utf8'));
		return data && typeof data === 'object' ? (data as Record<string, string>) : {};
	} catch {
		return {};
	}
}

/** The repository id remembered for this repository, if any. */
export function knownRepoId(access: RepoAccess, dir = defaultDir()): string | undefined {
	const key = keyOf(access);
	const id = key ? readStore(dir)[key] : undefined;
	return id && /^[0-9a-f]{64}$/.test(id) ? id : undefined;
}

/** Remember the repository id of this repository (after restic told it). */
export function rememberRepoId(access: RepoAccess, repoId: string, dir = defaultDir()): void {
	const key = keyOf(access);
	if (!key || !/^[0-9a-f]{64}$/.test(repoId)) return;
	const store = readStore(dir);
	if (store[key] === repoId) return;
	store[key] = repoId;
	try {
		writePrivateFile(storeFile(dir), `${JSON.stringify(store)}\n`);
	} catch {
		// Only a shortcut (restic is asked next time): a cache folder that cannot be written, already
		// reported by the index cache, must not stop the command.
	}
}

/**
 * Whether the cache of a local repository holds exactly its snapshots now (so it can be searched
 * with no restic at all). False for other backends, an unknown repository, or any doubt.
 */
export function cacheIsCurrent(access: RepoAccess, repoId: string, dir = defaultDir()): boolean {
	const repoDir = localRepoDir(access.repository);
	if (repoDir === undefined) return false;
	let files: string[];
	try {
		files = readdirSync(path.join(repoDir, 'snapshots')).filter(f => /^[0-9a-f]{64}$/.test(f));
	} catch {
		return false;
	}
	const cached = cachedSnapshotIds(repoId, dir);
	if (!cached || cached.length !== files.length) return false;
	const have = new Set(cached);
	return files.every(f => have.has(f));
}
