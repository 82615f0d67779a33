/**
 * The built `resto restore` and its default target (shared with the TUI's restore dialog): a new
 * folder in ~/resto-restore, or below the configured restoreTarget, never in the current directory,
 * and never inside resto's own checkout when HOME points into it (as under `npm start` in a
 * container whose home is the checkout). Real restic, no tmux.
 */
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {makeRepo, resticTestEnv, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {cliPath} from './tmux.js';

let repo: TestRepo;
let src: string;
let snap: string;
const dirs: string[] = [];
const checkout = path.resolve(path.dirname(cliPath), '..');

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'src');
	writeTree(src, {'docs/report.txt': 'the report\n', 'docs/more/notes.md': '# notes\n'});
	snap = repo.backup([src]);
});
afterAll(() => {
	repo.cleanup();
	for (const d of dirs) rmSync(d, {recursive: true, force: true});
});

function scratch(prefix: string): string {
	const d = tempDir(prefix);
	dirs.push(d);
	return d;
}

function resto(args: string[], options: {home: string; cwd: string; config?: string; tmp?: string}) {
	const env: NodeJS.ProcessEnv = {...resticTestEnv(repo.access), HOME: options.home, XDG_CONFIG_HOME: path.join(options.home, '.config'), XDG_CACHE_HOME: path.join(options.home, '.cache'), XDG_STATE_HOME: path.join(options.home, '.state')};
	if (options.config) env.RESTO_CONFIG = options.config;
	if (options.tmp) env.TMPDIR = options.tmp;
	return spawnSync(process.execPath, [cliPath, ...args], {cwd: options.cwd, env, encoding: 'utf8'});
}

describe('resto restore: the default target', () => {
	test('a new folder ~/resto-restore/<short id>-<date>/ (another one for the next restore), the full path printed, nothing in the current directory', () => {
		const home = scratch('resto-target-home-');
		const cwd = scratch('resto-target-cwd-');
		const first = resto(['restore', snap.slice(0, 8), path.join(src, 'docs')], {home, cwd});
		expect(first.stderr).toMatch(/restored 2 files .*size verified/);
		expect(first.status).toBe(0);
		const second = resto(['restore', snap.slice(0, 8), path.join(src, 'docs/report.txt')], {home, cwd});
		expect(second.status).toBe(0);
		const made = readdirSync(path.join(home, 'resto-restore')).sort();
		expect(made).toHaveLength(2);
		for (const name of made) expect(name).toMatch(new RegExp(`^${snap.slice(0, 8)}-\\d{8}-\\d{6}(-\\d+)?$`));
		const [a, b] = made.map(n => path.join(home, 'resto-restore', n));
		const restoredDocs = [a, b].find(d => existsSync(path.join(d!, src, 'docs/more/notes.md')))!;
		expect(readFileSync(path.join(restoredDocs, src, 'docs/more/notes.md'), 'utf8')).toBe('# notes\n');
		expect(first.stderr).toContain(`to ${path.join(restoredDocs, src, 'docs')}`);
		expect(readdirSync(cwd)).toEqual([]);
	});

	test('the configured restoreTarget (~ expanded) is where new folders go', () => {
		const home = scratch('resto-target-home-');
		const cwd = scratch('resto-target-cwd-');
		const config = path.join(home, 'config.yaml');
		writeFileSync(config, `repositories:\n  - name: r\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\nrestoreTarget: ~/Restored\n`, {mode: 0o600});
		const r = resto(['restore', snap.slice(0, 8), path.join(src, 'docs/report.txt'), '--repo', 'r'], {home, cwd, config});
		expect(r.stderr).toContain(`to ${path.join(home, 'Restored')}/${snap.slice(0, 8)}-`);
		expect(r.status).toBe(0);
		const [made] = readdirSync(path.join(home, 'Restored'));
		expect(readFileSync(path.join(home, 'Restored', made!, src, 'docs/report.txt'), 'utf8')).toBe('the report\n');
		expect(existsSync(path.join(home, 'resto-restore'))).toBe(false);
		expect(readdirSync(cwd)).toEqual([]);
	});

	test('a bad restoreTarget in the config is named with its line', () => {
		const home = scratch('resto-target-home-');
		const config = path.join(home, 'config.yaml');
		writeFileSync(config, `repositories:\n  - name: r\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\nrestoreTarget: ""\n`, {mode: 0o600});
		const r = resto(['restore', snap.slice(0, 8), path.join(src, 'docs/report.txt'), '--repo', 'r'], {home, cwd: home, config});
		expect(r.stderr).toContain(`invalid config: ${config}:5: restoreTarget:`);
		expect(r.status).toBe(1);
	});

	test('started inside its own checkout with HOME there too (npm start): the restore goes to the temporary folder, not into the checkout', () => {
		const tmp = scratch('resto-target-tmp-');
		const before = new Set(readdirSync(checkout));
		const r = resto(['restore', snap.slice(0, 8), path.join(src, 'docs/report.txt')], {home: checkout, cwd: checkout, tmp});
		expect(r.status).toBe(0);
		expect(r.stderr).toContain(`to ${path.join(tmp, 'resto-restore')}/${snap.slice(0, 8)}-`);
		const [made] = readdirSync(path.join(tmp, 'resto-restore'));
		expect(readFileSync(path.join(tmp, 'resto-restore', made!, src, 'docs/report.txt'), 'utf8')).toBe('the report\n');
		expect(readdirSync(checkout).filter(n => !before.has(n))).toEqual([]);
	});
});
