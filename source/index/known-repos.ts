/**
 * Knowing whether a repository's snapshot list changed without starting restic. Snapshot files
 * are named by snapshot id and can be listed without decrypting anything (repo-files.ts); a
 * local repository's `config` file (encrypted, written once at `restic init`) tells one repository
 * from another. The repository id (which names the index cache) is remembered per repository, so a
 * refresh needs at most one restic process (`snapshots`), and none when nothing changed.
 * Stored: hashes of the config file or of the location without credentials, and repository ids;
 * never a password or a URL.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {restoPaths, writePrivateFile} from '../config/paths.js';
import type {RepoAccess} from '../restic/run.js';
import {cachedSnapshotIds} from './cache.js';
import {localRepoDir, snapshotIds} from './repo-files.js';

export {localRepoDir} from './repo-files.js';

const storeFile = (dir: string) => path.join(dir, 'repositories.json');
const defaultDir = () => path.join(restoPaths().cache, 'index');

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
 * Whether the cache holds exactly the repository's snapshots now (so it can be searched with no
 * restic at all): the snapshot ids its files are named by (a local folder listed, or one plain GET of
 * a REST server's `snapshots/`) against the ids the cache header lists. False for other backends,
 * an unknown repository, or any doubt.
 */
export async function cacheIsCurrent(access: RepoAccess, repoId: string, dir = defaultDir()): Promise<boolean> {
	const files = await snapshotIds(access.repository);
	if (!files) return false;
	const cached = cachedSnapshotIds(repoId, dir);
	if (!cached || cached.length !== files.length) return false;
	const have = new Set(cached);
	return files.every(f => have.has(f));
}
