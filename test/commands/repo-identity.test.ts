/**
 * The built CLI against two real repositories, one healthy and one with a missing pack, both zero-config
 * and configured: a drill on one never shows as the other's; and the demo is a repository like any other.
 */
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliPath} from '../e2e/tmux.js';
import {filesUnder, makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let healthy: TestRepo;
let broken: TestRepo;
let xdg: string;

function resto(args: string[], env: Record<string, string | undefined> = {}) {
	const base: NodeJS.ProcessEnv = {...process.env};
	for (const k of Object.keys(base)) if (k.startsWith('RESTIC_') || k.startsWith('RESTO_')) delete base[k];
	const full: Record<string, string | undefined> = {...base, XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_CACHE_HOME: path.join(xdg, 'cache'), XDG_STATE_HOME: path.join(xdg, 'state'), XDG_DATA_HOME: path.join(xdg, 'data'), ...env};
	for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
	return spawnSync(process.execPath, [cliPath, ...args], {env: full as NodeJS.ProcessEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000});
}

type Row = {name: string; repository: string; id: string | null; status: string; lastDrill: null | {verdict: string; repository: {name: string; location: string; id: string | null}}};
const rows = (stdout: string) => (JSON.parse(stdout) as {repositories: Row[]}).repositories;
const zeroConfig = (r: TestRepo) => ({RESTIC_REPOSITORY: r.repoPath, RESTIC_PASSWORD_FILE: r.passwordFile});

beforeAll(() => {
	xdg = tempDir('resto-identity-xdg-');
	healthy = makeRepo();
	broken = makeRepo();
	for (const r of [healthy, broken]) {
		writeTree(path.join(r.root, 'src'), {'a.txt': 'alpha\n', 'b/c.txt': 'gamma\n'});
		r.backup([path.join(r.root, 'src')]);
	}
	// A missing pack: the data of the broken repository's snapshot is gone.
	const packs = filesUnder(path.join(broken.repoPath, 'data'));
	expect(packs.length).toBeGreaterThan(0);
	for (const p of packs) rmSync(p);
});
afterAll(() => {
	healthy.cleanup();
	broken.cleanup();
	rmSync(xdg, {recursive: true, force: true});
});

describe('drills are attributed by repository id', () => {
	test('zero-config: the healthy repository passing never shows as the broken one, and the other way round', () => {
		let r = resto(['drill', '--json', '--seed', '1'], zeroConfig(healthy));
		expect(r.status, r.stderr).toBe(0);
		// Before: both were "default", and the broken one showed the healthy one's pass.
		r = resto(['repos', '--json'], zeroConfig(broken));
		let [row] = rows(r.stdout);
		expect(row!.name).toBe(broken.repoPath);
		expect(row!.lastDrill).toBeNull();

		r = resto(['drill', '--seed', '1'], zeroConfig(broken));
		expect(r.status).toBe(1);
		// The report names the repository by its location (no more "default").
		expect(r.stdout + r.stderr).toContain(`repository: ${broken.repoPath}, id `);
		r = resto(['repos', '--json'], zeroConfig(broken));
		[row] = rows(r.stdout);
		expect(row!.lastDrill).toMatchObject({verdict: 'fail', repository: {name: broken.repoPath, location: broken.repoPath}});
		r = resto(['repos', '--json'], zeroConfig(healthy));
		[row] = rows(r.stdout);
		expect(row!.lastDrill).toMatchObject({verdict: 'pass', repository: {location: healthy.repoPath}});
		expect(row!.id).toMatch(/^[0-9a-f]{64}$/);
		// The reports name the repository by name and location.
		const reports = readdirSync(path.join(xdg, 'state', 'resto', 'drills')).filter(f => f.endsWith('.md'));
		expect(reports).toHaveLength(2);
	}, 420_000); // restic 0.14 check retries loading a missing pack with backoff: ~95 s per drill of the broken repository

	test('configured: the same drills follow the ids, whatever the names', () => {
		const cfg = path.join(xdg, 'config.yaml');
		writeFileSync(
			cfg,
			`repositories:\n  - name: good\n    repository: ${healthy.repoPath}\n    passwordFile: ${healthy.passwordFile}\n  - name: bad\n    repository: ${broken.repoPath}\n    passwordFile: ${broken.passwordFile}\n  - name: good-again\n    repository: ${healthy.repoPath}/\n    passwordFile: ${healthy.passwordFile}\n`,
		);
		const r = resto(['repos', '--json'], {RESTO_CONFIG: cfg});
		const list = rows(r.stdout);
		const byName = Object.fromEntries(list.map(x => [x.name, x]));
		expect(byName.good!.lastDrill?.verdict).toBe('pass');
		expect(byName.bad!.lastDrill?.verdict).toBe('fail');
		// A second name for the healthy repository shares its id and its drills.
		expect(byName['good-again']!.id).toBe(byName.good!.id);
		expect(byName['good-again']!.lastDrill?.verdict).toBe('pass');
		expect(byName.bad!.id).not.toBe(byName.good!.id);
		expect(r.stderr).toMatch(/good and good-again are the same repository/);
	}, 120_000);
});

describe('the demo repository', () => {
	test('once created it is listed by resto repos, reachable as --repo demo and by default, until resto demo --remove', () => {
		const dir = path.join(xdg, 'my-demo');
		let r = resto(['demo', dir]);
		expect(r.status, r.stderr).toBe(0);
		r = resto(['repos', '--json']);
		expect(r.status, r.stderr).toBe(0);
		expect(rows(r.stdout).map(x => [x.name, x.repository])).toEqual([['demo', path.join(dir, 'repo')]]);
		r = resto(['snapshots', '--repo', 'demo', '--json']);
		expect(r.status, r.stderr).toBe(0);
		expect((JSON.parse(r.stdout) as unknown[]).length).toBeGreaterThan(3);
		// With nothing else configured, the demo is the repository.
		r = resto(['snapshots', '--json']);
		expect(r.status, r.stderr).toBe(0);
		// Beside a configured repository it is listed after it.
		const cfg = path.join(xdg, 'with-demo.yaml');
		writeFileSync(cfg, `repositories:\n  - name: good\n    repository: ${healthy.repoPath}\n    passwordFile: ${healthy.passwordFile}\n`);
		r = resto(['repos', '--json'], {RESTO_CONFIG: cfg});
		expect(rows(r.stdout).map(x => x.name)).toEqual(['good', 'demo']);

		// Something of the user's in the demo directory survives the removal.
		writeFileSync(path.join(dir, 'mine.txt'), 'keep me\n');
		r = resto(['demo', '--remove']);
		expect(r.status, r.stderr).toBe(0);
		expect(existsSync(path.join(dir, 'repo'))).toBe(false);
		expect(existsSync(path.join(dir, 'mine.txt'))).toBe(true);
		r = resto(['repos', '--json']);
		expect(rows(r.stdout)).toEqual([]);
		r = resto(['snapshots', '--repo', 'demo']);
		expect(r.status).toBe(2);
	}, 180_000);
});
