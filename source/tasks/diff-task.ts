/**
 * Compare two versions of a text file (first 64 KiB of each, via restic dump) and open a unified diff.
 * A tracked task scoped to the screen that asked: leaving that screen stops both dumps (SIGINT to
 * restic), and a diff that arrives after the user left opens nothing.
 */
import {createTwoFilesPatch} from 'diff';
import {open} from 'node:fs/promises';
import type {ResticClient} from '../restic/client.js';
import type {Route} from '../screens/routes.js';
import type {AppStore} from '../store/app-store.js';
import {looksBinary} from '../util/preview.js';
import {runTask} from './task-tracker.js';

const maxBytes = 64 * 1024;

/** Unified diff lines of two texts (pure, for tests). */
export function unifiedDiff(oldName: string, newName: string, oldText: string, newText: string): string[] {
	return createTwoFilesPatch(oldName, newName, oldText, newText, '', '', {context: 2}).split('\n').slice(2);
}

/**
 * Both results, or the first failure once BOTH have ended: Promise.all would reject while the other
 * restic is still being stopped, and the task would count as stopped with a restic process alive.
 */
async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
	const [ra, rb] = await Promise.allSettled([a, b]);
	if (ra.status === 'rejected') throw ra.reason;
	if (rb.status === 'rejected') throw rb.reason;
	return [ra.value, rb.value];
}

/** What a diff needs from the app. */
export interface DiffDeps {
	store: AppStore;
	client: ResticClient;
	/** The repository name the diff route names. */
	repo: string;
	/** Aborts when the screen that asked is left. */
	scope?: AbortSignal;
}

/** Dump both versions and push the diff screen (or say why not). */
export async function diffVersions({store, client, repo, scope}: DiffDeps, file: string, olderSnapshot: string, newerSnapshot: string): Promise<void> {
	store.dispatch({type: 'notice', text: 'Comparing versions (restic dump)…'});
	try {
		const both = await runTask(store, 'comparing versions', signal => bothSettled(client.dump(olderSnapshot, file, {maxBytes}, signal), client.dump(newerSnapshot, file, {maxBytes}, signal)), scope);
		if (!both) return;
		const [a, b] = both;
		if (looksBinary(a) || looksBinary(b)) {
			store.dispatch({type: 'notice', text: `Binary file: ${a.length === b.length && a.equals(b) ? 'the versions are identical' : 'the versions differ'} (no text diff).`, level: 'warn'});
			return;
		}
		store.dispatch({type: 'notice-clear'});
		const route: Route = {name: 'diff', repo, path: file, older: olderSnapshot, newer: newerSnapshot, lines: unifiedDiff(olderSnapshot.slice(0, 8), newerSnapshot.slice(0, 8), a.toString('utf8'), b.toString('utf8')), truncated: a.length >= maxBytes || b.length >= maxBytes};
		store.dispatch({type: 'nav-push', route});
	} catch (error) {
		if (scope?.aborted) return;
		store.dispatch({type: 'notice', text: (error as Error).message, level: 'error'});
	}
}

/** The first `max` bytes of a file on disk (a changed file of a live diff). */
async function readHead(file: string, max: number, signal: AbortSignal): Promise<Buffer> {
	const handle = await open(file, 'r');
	try {
		const buf = Buffer.alloc(max);
		let got = 0;
		while (got < max) {
			signal.throwIfAborted();
			const {bytesRead} = await handle.read(buf, got, max - got, got);
			if (bytesRead === 0) break;
			got += bytesRead;
		}
		return buf.subarray(0, got);
	} finally {
		await handle.close();
	}
}

/** A file as it is in a snapshot against the file on disk now (first 64 KiB of each). */
export async function diffWithLive({store, client, repo, scope}: DiffDeps, file: string, snapshot: string): Promise<void> {
	store.dispatch({type: 'notice', text: 'Comparing with the file on disk (restic dump)…'});
	try {
		const both = await runTask(store, 'comparing with the live file', signal => bothSettled(client.dump(snapshot, file, {maxBytes}, signal), readHead(file, maxBytes, signal)), scope);
		if (!both) return;
		const [a, b] = both;
		if (looksBinary(a) || looksBinary(b)) {
			store.dispatch({type: 'notice', text: `Binary file: ${a.length === b.length && a.equals(b) ? 'the contents are identical' : 'the contents differ'} (no text diff).`, level: 'warn'});
			return;
		}
		store.dispatch({type: 'notice-clear'});
		const route: Route = {name: 'diff', repo, path: file, older: snapshot, newer: 'live', lines: unifiedDiff(snapshot.slice(0, 8), 'live', a.toString('utf8'), b.toString('utf8')), truncated: a.length >= maxBytes || b.length >= maxBytes};
		store.dispatch({type: 'nav-push', route});
	} catch (error) {
		if (scope?.aborted) return;
		store.dispatch({type: 'notice', text: (error as Error).message, level: 'error'});
	}
}
