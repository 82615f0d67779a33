/**
 * What a repository's files say without starting restic. restic names each snapshot file by its
 * snapshot id and each key file by its own id, and neither listing needs decrypting: a local
 * repository's `snapshots/` and `keys/` folders are listed, a REST server's (rest-server, `rclone
 * serve restic`) answer a plain GET (API v2: names and sizes). Key files are read the same way so a
 * password can be checked against them (key-check.ts) before a cached index is trusted.
 * Credentials of a `rest:` URL only ever travel in the Authorization header of these requests:
 * never into a message, a log or a stored key.
 */
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';

const idPattern = /^[0-9a-f]{64}$/;

/** The folder of a local repository ("/srv/repo", "local:/srv/repo"); undefined for other backends. */
export function localRepoDir(repository: string): string | undefined {
	if (repository.startsWith('local:')) return path.resolve(repository.slice('local:'.length));
	// Every other backend is "name:…"; a plain path has no scheme.
	if (/^[a-z][a-z0-9]*:/i.test(repository)) return undefined;
	return path.resolve(repository);
}

/** A REST repository's base URL without credentials, and its Authorization header (if the URL had user info). */
export interface RestLocation {
	base: string;
	authorization?: string;
}

/** The REST location of a `rest:` repository string (undefined for any other backend or a malformed URL). */
export function restLocation(repository: string): RestLocation | undefined {
	if (!repository.startsWith('rest:')) return undefined;
	let url: URL;
	try {
		url = new URL(repository.slice('rest:'.length));
	} catch {
		return undefined;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
	let authorization: string | undefined;
	if (url.username || url.password) {
		// As restic sends them: the user info percent-decoded, as HTTP basic authentication.
		authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
		url.username = '';
		url.password = '';
	}
	url.search = '';
	url.hash = '';
	const base = url.toString();
	return {base: base.endsWith('/') ? base : `${base}/`, authorization};
}

/** How long a REST request may take before the answer is "cannot tell" (restic is asked then). */
const restTimeoutMs = 5000;

async function restGet(loc: RestLocation, what: string, accept: string): Promise<Response | undefined> {
	try {
		const response = await fetch(new URL(what, loc.base), {headers: {Accept: accept, ...(loc.authorization ? {Authorization: loc.authorization} : {})}, signal: AbortSignal.timeout(restTimeoutMs), redirect: 'error'});
		return response.ok ? response : undefined;
	} catch {
		// Unreachable, refused, timed out: not an error here, restic will say what is wrong.
		return undefined;
	}
}

/** File names of a REST folder (`snapshots/`, `keys/`) through API v2, ids only. */
async function restList(loc: RestLocation, folder: string): Promise<string[] | undefined> {
	const response = await restGet(loc, `${folder}/`, 'application/vnd.x.restic.rest.v2');
	if (!response) return undefined;
	try {
		const body: unknown = await response.json();
		if (!Array.isArray(body)) return undefined;
		// v2 answers [{name, size}]; a v1-only server answers plain names.
		const names = body.map(e => (typeof e === 'string' ? e : e && typeof e === 'object' && typeof (e as {name?: unknown}).name === 'string' ? (e as {name: string}).name : ''));
		return names.filter(n => idPattern.test(n));
	} catch {
		return undefined;
	}
}

function localList(dir: string, folder: string): string[] | undefined {
	try {
		return readdirSync(path.join(dir, folder)).filter(f => idPattern.test(f));
	} catch {
		return undefined;
	}
}

/** The repository's snapshot ids from its file names (undefined: this backend or this state cannot tell). */
export async function snapshotIds(repository: string): Promise<string[] | undefined> {
	const dir = localRepoDir(repository);
	if (dir !== undefined) return localList(dir, 'snapshots');
	const rest = restLocation(repository);
	return rest ? restList(rest, 'snapshots') : undefined;
}

/**
 * The texts of the repository's key files (undefined: none could be listed). `unreadable` counts
 * listed keys that could not be read: one of them might be the key a password opens.
 */
export async function keyFiles(repository: string): Promise<{texts: string[]; unreadable: number} | undefined> {
	const dir = localRepoDir(repository);
	if (dir !== undefined) {
		const names = localList(dir, 'keys');
		if (!names) return undefined;
		const texts: string[] = [];
		let unreadable = 0;
		for (const name of names) {
			try {
				texts.push(readFileSync(path.join(dir, 'keys', name), 'utf8'));
			} catch {
				unreadable++;
			}
		}
		return {texts, unreadable};
	}
	const rest = restLocation(repository);
	if (!rest) return undefined;
	const names = await restList(rest, 'keys');
	if (!names) return undefined;
	const texts = await Promise.all(names.map(async name => (await restGet(rest, `keys/${name}`, 'application/octet-stream'))?.text().catch(() => undefined)));
	return {texts: texts.filter((t): t is string => t !== undefined), unreadable: texts.filter(t => t === undefined).length};
}
