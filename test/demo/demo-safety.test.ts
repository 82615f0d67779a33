/** `resto demo DIR` never touches a directory resto did not create (real files, built CLI). */
import {spawnSync} from 'node:child_process';
import {chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {DemoDirectoryError, ensureDemoRepository} from '../../source/demo/demo.js';
import {cliPath} from '../e2e/tmux.js';
import {filesUnder, tempDir} from '../helpers/restic.js';

let dirs: string[] = [];
afterEach(() => {
	for (const d of dirs) rmSync(d, {recursive: true, force: true});
	dirs = [];
});

/** Every file under dir with its bytes and mode, to compare before and after. */
function snapshotOf(dir: string): Record<string, string> {
	const out: Record<string, string> = {[dir]: `dir ${statSync(dir).mode.toString(8)}`};
	for (const f of filesUnder(dir)) out[f] = `${lstatSync(f).mode.toString(8)} ${readFileSync(f).toString('base64')}`;
	return out;
}

function resto(args: string[], xdg: string) {
	const env: NodeJS.ProcessEnv = {PATH: process.env.PATH, HOME: xdg, XDG_DATA_HOME: path.join(xdg, 'data'), XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_CACHE_HOME: path.join(xdg, 'cache')};
	return spawnSync(process.execPath, [cliPath, ...args], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000});
}

describe('resto demo on a directory it did not create', () => {
	test("a directory with the user's files (one named password, a home/ folder): refused, nothing changed", () => {
		const root = tempDir('resto-demo-user-');
		dirs.push(root);
		const dir = path.join(root, 'mine');
		mkdirSync(dir);
		writeFileSync(path.join(dir, 'password'), 'my real password file\n');
		mkdirSync(path.join(dir, 'home', 'alice'), {recursive: true});
		writeFileSync(path.join(dir, 'home', 'alice', 'thesis.tex'), 'years of work\n');
		writeFileSync(path.join(dir, '.resto-demo-incomplete'), 'not written by resto\n');
		chmodSync(dir, 0o755);
		const before = snapshotOf(dir);
		const r = resto(['demo', dir], root);
		expect(r.status).toBe(1);
		expect(r.stderr).toContain(`${dir} exists, is not empty and was not created by resto demo`);
		expect(r.stderr).toContain('Nothing was changed');
		expect(snapshotOf(dir)).toEqual(before);
		expect(readdirSync(dir).sort()).toEqual(['.resto-demo-incomplete', 'home', 'password']);
	});

	test('a symbolic link or a file in place of the directory: refused', async () => {
		const root = tempDir('resto-demo-link-');
		dirs.push(root);
		const elsewhere = path.join(root, 'elsewhere');
		mkdirSync(elsewhere);
		symlinkSync(elsewhere, path.join(root, 'link'));
		await expect(ensureDemoRepository(path.join(root, 'link'))).rejects.toThrow(/is a symbolic link/);
		writeFileSync(path.join(root, 'file'), 'x');
		await expect(ensureDemoRepository(path.join(root, 'file'))).rejects.toBeInstanceOf(DemoDirectoryError);
		expect(readdirSync(elsewhere)).toEqual([]);
		expect(readFileSync(path.join(root, 'file'), 'utf8')).toBe('x');
	});

	test('a damaged demo (marker present, repository gone) is refused rather than guessed at', async () => {
		const root = tempDir('resto-demo-damaged-');
		dirs.push(root);
		writeFileSync(path.join(root, '.resto-demo'), 'created by resto demo\n');
		writeFileSync(path.join(root, 'notes.txt'), 'mine\n');
		await expect(ensureDemoRepository(root)).rejects.toThrow(/holds a damaged resto demo/);
		expect(readdirSync(root).sort()).toEqual(['.resto-demo', 'notes.txt']);
	});
});
