import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {makeRepo, writeTree, type TestRepo} from '../helpers/restic.js';
import {Terminal} from './tmux.js';

let repo: TestRepo;
let env: Record<string, string>;

beforeAll(() => {
	repo = makeRepo();
	writeTree(path.join(repo.root, 'src'), {'café/naïve.txt': 'unicode\n'});
	repo.backup([path.join(repo.root, 'src')]);
	env = {RESTIC_REPOSITORY: repo.repoPath, RESTIC_PASSWORD_FILE: repo.passwordFile, XDG_CONFIG_HOME: path.join(repo.root, 'cfg')};
});
afterAll(() => repo.cleanup());

describe('e2e: terminals', () => {
	test.each([
		['NO_COLOR', {NO_COLOR: '1'}],
		['TERM=dumb', {TERM: 'dumb'}],
	])(
		'%s: readable, and no colour escape sequences at all',
		async (_name, extra) => {
			const t = await Terminal.start({env: {...env, ...extra}, columns: 80, rows: 24});
			try {
				await t.waitFor(/ok\s+1/);
				t.keys('Enter');
				await t.waitFor('1 snapshot ·');
				t.keys('q');
				await t.waitFor(() => t.exitStatus() !== undefined, 15_000);
			} finally {
				t.close();
			}
			// SGR colour codes: 38;… / 48;… (true colour) or 30–37/90–97 foregrounds.
			// eslint-disable-next-line no-control-regex
			expect(/\x1b\[(?:[0-9;]*;)?(?:38|48);[0-9;]*m|\x1b\[(?:3[0-7]|9[0-7])m/.test(t.raw().toString('latin1'))).toBe(false);
		},
		60_000,
	);

	test('LANG=C still shows UTF-8 names escaped-safe and the app works', async () => {
		const t = await Terminal.start({env: {...env, LANG: 'C', LC_ALL: 'C'}, columns: 80, rows: 24});
		try {
			await t.waitFor(/ok\s+1/);
			t.keys('Enter');
			await t.waitFor('1 snapshot ·');
			t.keys('Enter');
			await t.waitFor('entries listed');
			t.keys('q');
			await t.waitFor(() => t.exitStatus() !== undefined, 15_000);
		} finally {
			t.close();
		}
	}, 60_000);

	test('60×20 works; 40×12 says the terminal is too small; resizing back restores the UI', async () => {
		const t = await Terminal.start({env, columns: 60, rows: 20});
		try {
			let screen = await t.waitFor(/ok\s+1/);
			expect(screen.split('\n').every(l => [...l].length <= 60)).toBe(true);
			t.resize(40, 12);
			screen = await t.waitFor('Terminal too small: 40×12');
			t.resize(80, 24);
			await t.waitFor('LOCATION');
			t.keys('q');
		} finally {
			t.close();
		}
	}, 60_000);
});
