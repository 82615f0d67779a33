/** Compare two versions of a text file (first 64 KiB of each, via restic dump) and show a unified diff. */
import {createTwoFilesPatch} from 'diff';
import type {AppServices} from '../../app-context.js';
import type {Repository} from '../../config/config.js';
import {looksBinary} from '../../util/preview.js';

const maxBytes = 64 * 1024;

/** Unified diff lines of two texts (pure, for tests). */
export function unifiedDiff(oldName: string, newName: string, oldText: string, newText: string): string[] {
	return createTwoFilesPatch(oldName, newName, oldText, newText, '', '', {context: 2}).split('\n').slice(2);
}

export async function diffVersions(services: AppServices, repo: Repository, file: string, olderSnapshot: string, newerSnapshot: string): Promise<void> {
	const client = services.clientFor(repo);
	services.store.dispatch({type: 'notice', text: 'Comparing versions (restic dump)…'});
	try {
		const [a, b] = await Promise.all([client.dump(olderSnapshot, file, {maxBytes}), client.dump(newerSnapshot, file, {maxBytes})]);
		if (looksBinary(a) || looksBinary(b)) {
			services.store.dispatch({type: 'notice', text: `Binary file: ${a.length === b.length && a.equals(b) ? 'the versions are identical' : 'the versions differ'} (no text diff).`, level: 'warn'});
			return;
		}
		services.nav.push({name: 'diff', repo: repo.name, path: file, older: olderSnapshot, newer: newerSnapshot, lines: unifiedDiff(olderSnapshot.slice(0, 8), newerSnapshot.slice(0, 8), a.toString('utf8'), b.toString('utf8')), truncated: a.length >= maxBytes || b.length >= maxBytes});
	} catch (error) {
		services.store.dispatch({type: 'notice', text: (error as Error).message, level: 'error'});
	}
}
