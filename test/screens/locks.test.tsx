import {spawn} from 'node:child_process';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {ResticCli} from '../../source/restic/client.js';
import {loadTheme} from '../../source/theme/load.js';
import {renderAt, waitForText} from '../helpers/ink.js';
import {makeRepo, resticTestEnv, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let config: Config;

beforeAll(() => {
	repo = makeRepo();
	writeTree(path.join(repo.root, 'src'), {'a.txt': 'a'});
	repo.backup([path.join(repo.root, 'src')]);
	config = {repositories: [{name: 'r', access: repo.access}], backupSets: [], drill: {months: 3, files: 1}, source: 'file'};
});
afterAll(() => repo.cleanup());

async function holdLock(): Promise<ReturnType<typeof spawn>> {
	const child = spawn('restic', ['backup', '--stdin', '--stdin-filename=held.txt'], {env: resticTestEnv(repo.access), stdio: ['pipe', 'ignore', 'ignore']});
	const client = new ResticCli(repo.access);
	for (let i = 0; i < 100 && (await client.listLocks()).length === 0; i++) await new Promise(r => setTimeout(r, 100));
	return child;
}

describe('locked repositories', () => {
	test('a live lock shows its holder and is never removed', async () => {
		const child = await holdLock();
		const ui = renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} />, 100, 24);
		try {
			const frame = await waitForText(ui.lastFrame, 'live: wait for it');
			expect(frame).toContain(`PID ${child.pid}`);
			expect(frame).toMatch(/locked\s/);
			ui.stdin.write('u');
			await waitForText(ui.lastFrame, 'resto only removes stale locks');
			expect((await new ResticCli(repo.access).listLocks()).length).toBe(1);
		} finally {
			ui.unmount();
			child.stdin?.end('x');
			await new Promise(r => child.once('exit', r));
		}
	});

	test('a stale lock (holder killed) can be removed after confirmation', async () => {
		const child = await holdLock();
		child.kill('SIGKILL');
		await new Promise(r => child.once('exit', r));
		expect((await new ResticCli(repo.access).listLocks()).length).toBe(1);
		const ui = renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} />, 100, 24);
		try {
			await waitForText(ui.lastFrame, 'stale: press u to');
			ui.stdin.write('u');
			await waitForText(ui.lastFrame, 'Remove the stale lock');
			ui.stdin.write('y');
			await waitForText(ui.lastFrame, 'Stale locks removed.');
			await waitForText(ui.lastFrame, /ok\s+\d/);
			expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
		} finally {
			ui.unmount();
		}
	});
});
