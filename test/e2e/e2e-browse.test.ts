import {rmSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {tempDir} from '../helpers/temp.js';
import {resticPids, Terminal} from './tmux.js';

let home: string;
let env: Record<string, string>;

beforeAll(() => {
	home = tempDir('resto-e2e-home-');
	// A clean user: no config, no RESTIC_* variables, private XDG dirs.
	env = {
		HOME: home,
		XDG_CONFIG_HOME: path.join(home, '.config'),
		XDG_CACHE_HOME: path.join(home, '.cache'),
		XDG_STATE_HOME: path.join(home, '.local/state'),
		XDG_DATA_HOME: path.join(home, '.local/share'),
		RESTIC_REPOSITORY: '',
		RESTIC_PASSWORD_FILE: '',
	};
});

afterAll(() => rmSync(home, {recursive: true, force: true}));

describe('e2e: a newcomer with nothing configured', () => {
	test('is offered the demo repository, creates it, and browses into a snapshot at 80×24', async () => {
		const t = await Terminal.start({env, columns: 80, rows: 24});
		try {
			await t.waitFor('Create it and open it?');
			t.keys('y');
			let screen = await t.waitFor(/demo\s.*ok\s+\d+/, 90_000);
			expect(screen).toContain('resto › repositories');
			t.keys('Enter');
			screen = await t.waitFor(/laptop|desktop/);
			t.keys('Enter');
			screen = await t.waitFor('entries listed', 30_000);
			// The tree opens at the backed-up home; open its first directory (code/).
			await t.waitFor('code/');
			t.keys('Enter');
			screen = await t.waitFor(/home\/alice\/code\n/);
			for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
			t.keys('q');
			// resto exits (tmux does not always report a status for it; exit codes are tested without tmux).
			await t.waitFor(() => t.exitStatus() !== undefined, 20_000);
			// Nothing resto wrote may set the terminal title or the clipboard (OSC 0/2/52).
			expect(t.raw().includes(Buffer.from('\x1b]52;'))).toBe(false);
			expect(resticPids(path.join(home, '.local/share/resto/demo'))).toEqual([]);
		} finally {
			t.close();
		}
	}, 150_000);

	test('stdin that is not a TTY gets a clear message and exit 2', async () => {
		const {spawnSync} = await import('node:child_process');
		const {cliPath} = await import('./tmux.js');
		const r = spawnSync(process.execPath, [cliPath], {input: '', env: {...process.env, ...env}, encoding: 'utf8'});
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/needs an interactive terminal/);
		expect(r.stderr).toMatch(/resto snapshots --json/);
	});
});
