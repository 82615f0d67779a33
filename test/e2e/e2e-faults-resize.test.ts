/**
 * Fault case: the terminal is resized (down to below the minimum and back) while a backup runs in the
 * TUI. The backup must keep running and finish, and each size must be drawn correctly.
 */
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {ResticCli} from '../../source/restic/client.js';
import {writeTree, type RestServer, type TestRepo} from '../helpers/restic.js';
import {quit, slowBackupFixture} from './faults-helpers.js';
import {resticPids, Terminal} from './tmux.js';

let repo: TestRepo;
let server: RestServer;
let env: Record<string, string>;
let cwd: string;

beforeAll(async () => {
	({repo, server, env, cwd} = await slowBackupFixture('resto-faults-resize-'));
}, 60_000);

afterAll(async () => {
	await server?.kill();
	repo?.cleanup();
});

/** Every line of the screen fits the width, and the footer is the last non-empty line. */
function expectDrawnAt(screen: string, columns: number, rows: number): void {
	const lines = screen.replace(/\n$/, '').split('\n');
	expect(lines.length).toBeLessThanOrEqual(rows);
	for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
	expect(lines[0]).toMatch(/^resto › /);
	expect(lines.filter(l => l.trim()).at(-1)).toMatch(/^q quit/);
}

const percent = (screen: string) => Number(/(\d+\.\d)%/.exec(screen)?.[1] ?? -1);

describe('e2e faults: resizing the terminal during a backup', () => {
	test('100×30 → 60×20 → 40×12 (too small) → 80×24: the backup keeps running and completes', async () => {
		const t = await Terminal.start({env, columns: 100, rows: 30, cwd});
		try {
			await t.waitFor(/home\s.*ok\s+0/);
			t.keys('b');
			await t.waitFor('everything');
			t.keys('Enter');
			let screen = await t.waitFor(/backing up…[\s\S]*[1-9]\d* MiB\//, 20_000);
			expectDrawnAt(screen, 100, 30);
			const p1 = percent(screen);

			t.resize(60, 20);
			screen = await t.waitFor(s => /backing up…/.test(s) && s.split('\n').every(l => [...l].length <= 60) && /^q quit/m.test(s), 10_000);
			expectDrawnAt(screen, 60, 20);
			expect(screen).toMatch(/files \d+\/\d+/);

			t.resize(40, 12);
			screen = await t.waitFor('Terminal too small: 40×12', 10_000);
			expect(screen).toContain('at least 60×15');
			// Still at work while the UI cannot be drawn.
			await new Promise(r => setTimeout(r, 1500));
			expect(resticPids(server.url).length).toBeGreaterThan(0);

			t.resize(80, 24);
			screen = await t.waitFor(s => /backing up…|snapshot [0-9a-f]{8}/.test(s) && !s.includes('too small'), 10_000);
			expectDrawnAt(screen, 80, 24);
			expect(screen).toContain('Backup sets for home');
			if (/backing up…/.test(screen)) expect(percent(screen)).toBeGreaterThanOrEqual(p1);

			screen = await t.waitFor(/snapshot [0-9a-f]{8}/, 40_000);
			expect(screen).toMatch(/^done$/m);
			expect(screen).toContain('100.0%');
			expect(screen).not.toMatch(/failed|canceled/);
			expectDrawnAt(screen, 80, 24);
			const shown = /snapshot ([0-9a-f]{8})/.exec(screen)![1]!;
			const snaps = await new ResticCli(repo.access).snapshots();
			expect(snaps.map(s => s.shortId)).toEqual([shown]);
			// (resto now lists the new snapshot and indexes it in the background: quit, then look.)
			expect([0, undefined]).toContain(await quit(t));
		} finally {
			t.close();
		}
		expect(resticPids(server.url)).toEqual([]);
		expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
	}, 60_000);

	test('a drill waiting for its pick survives 40×12 and back: same pick, then it passes', async () => {
		const small = path.join(repo.root, 'small');
		writeTree(small, {'letters/to-grandma.txt': 'Dear grandma,\n', 'letters/to-bank.txt': 'Dear bank,\n'});
		repo.backup([small], {host: 'laptop'});
		const t = await Terminal.start({env, columns: 80, rows: 24, cwd});
		try {
			await t.waitFor(/home\s.*ok\s+\d/);
			t.keys('d');
			await t.waitFor('Press enter to start');
			t.keys('Enter');
			const before = await t.waitFor(/enter restore it · r pick another \(seed \d+\)/, 30_000);
			const seed = /pick another \(seed (\d+)\)/.exec(before)![1];
			t.resize(40, 12);
			await t.waitFor('Terminal too small: 40×12');
			t.resize(80, 24);
			// The same drill is still there, waiting at the same pick (not aborted, not restarted).
			const after = await t.waitFor(/enter restore it/, 10_000);
			expect(after).toContain(`pick another (seed ${seed})`);
			expect(after).not.toMatch(/ABORTED|Press enter to start/);
			t.keys('Enter');
			for (let i = 0; i < 4; i++) {
				await t.waitFor('y/n', 30_000);
				t.keys('y');
				await new Promise(r => setTimeout(r, 300));
			}
			await t.waitFor('PASS', 30_000);
			expect([0, undefined]).toContain(await quit(t));
		} finally {
			t.close();
		}
		expect(resticPids(server.url)).toEqual([]);
	}, 60_000);
});
