/**
 * A screen left while its task runs: the diff's two `restic dump`s are stopped (no restic left) and the
 * diff screen never opens over wherever the user went. Real restic.
 */
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {ResticCli} from '../../source/restic/client.js';
import {liveProcessCount} from '../../source/restic/run.js';
import {createAppStore} from '../../source/store/app-store.js';
import {diffVersions} from '../../source/tasks/diff-task.js';
import {makeRepo, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let older: string;
let newer: string;
let file: string;

beforeAll(() => {
	repo = makeRepo();
	const src = path.join(repo.root, 'src');
	file = path.join(src, 'notes.txt');
	writeTree(src, {'notes.txt': 'one\ntwo\n'});
	older = repo.backup([src]);
	writeTree(src, {'notes.txt': 'one\nthree\n'});
	newer = repo.backup([src]);
});
afterAll(() => repo.cleanup());

describe('diff task', () => {
	test('runs to the diff screen when its screen stays', async () => {
		const store = createAppStore({name: 'search', repo: 'r'});
		await diffVersions({store, client: new ResticCli(repo.access), repo: 'r'}, file, older, newer);
		const top = store.getState().routes.at(-1)!;
		expect(top.name).toBe('diff');
		expect(top.name === 'diff' && top.lines.join('\n')).toMatch(/-two\n\+three/);
		expect(store.getState().tasks).toEqual([]);
	}, 60_000);

	test('leaving the screen stops both dumps, opens nothing and leaves no restic behind', async () => {
		const store = createAppStore({name: 'search', repo: 'r'});
		const scope = new AbortController();
		const running = diffVersions({store, client: new ResticCli(repo.access), repo: 'r', scope: scope.signal}, file, older, newer);
		// The user presses Esc while restic is still starting.
		for (let i = 0; i < 200 && liveProcessCount() < 2; i++) await new Promise(r => setTimeout(r, 5));
		expect(store.getState().tasks.map(t => t.label)).toEqual(['comparing versions']);
		store.dispatch({type: 'nav-pop'});
		scope.abort();
		await running;
		expect(liveProcessCount()).toBe(0);
		expect(store.getState().routes.map(r => r.name)).toEqual(['search']);
		expect(store.getState().tasks).toEqual([]);
		expect(store.getState().notice?.level).not.toBe('error');
	}, 60_000);
});
