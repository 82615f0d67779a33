/** `resto tree`, `resto diff`, `resto du` and `resto restore --plan` (the built CLI) against real restic. */
import {execFileSync, spawnSync} from 'node:child_process';
import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {makeRepo, resticTestEnv, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {cliPath} from '../e2e/tmux.js';

let repo: TestRepo;
let xdg: string;
let src: string;
const snap: string[] = [];

function resto(args: string[]) {
	const env: NodeJS.ProcessEnv = {...process.env};
	for (const k of Object.keys(env)) if (k.startsWith('RESTIC_') || k.startsWith('RESTO_')) delete env[k];
	Object.assign(env, {
		XDG_CONFIG_HOME: path.join(xdg, 'config'),
		XDG_CACHE_HOME: path.join(xdg, 'cache'),
		XDG_STATE_HOME: path.join(xdg, 'state'),
		XDG_DATA_HOME: path.join(xdg, 'data'),
		RESTIC_REPOSITORY: repo.repoPath,
		RESTIC_PASSWORD_FILE: repo.passwordFile,
		RESTIC_CACHE_DIR: resticTestEnv(repo.access).RESTIC_CACHE_DIR,
	});
	return spawnSync(process.execPath, [cliPath, ...args], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000});
}

function json<T>(args: string[]): T {
	const r = resto([...args, '--json']);
	expect(r.status, r.stderr).toBe(0);
	return JSON.parse(r.stdout) as T;
}

beforeAll(() => {
	xdg = tempDir('resto-union-cli-xdg-');
	repo = makeRepo();
	src = path.join(repo.root, 'src');
	writeTree(src, {'keep.txt': 'keep\n', 'edit.txt': 'one\n', 'old/gone.txt': 'gone\n', 'pics/a.jpg': Buffer.alloc(1000, 1)});
	snap.push(repo.backup([src], {host: 'laptop', time: '2026-01-01 10:00:00'}));
	rmSync(path.join(src, 'old'), {recursive: true});
	writeTree(src, {'edit.txt': 'two, longer\n', 'pics/b.jpg': Buffer.alloc(50_000, 2)});
	snap.push(repo.backup([src], {host: 'laptop', time: '2026-01-02 10:00:00'}));
	writeTree(src, {'server.txt': 'server\n'});
	snap.push(repo.backup([src], {host: 'server', time: '2026-01-03 10:00:00'}));
}, 120_000);

afterAll(() => {
	repo.cleanup();
	rmSync(xdg, {recursive: true, force: true});
});

interface TreeJson {
	entries: Array<{name: string; ghost: boolean; folder: boolean; versions: number; size: number; hosts: string[]; deletedAfter?: {id: string}; ghostsBelow?: number}>;
}

describe('resto tree', () => {
	test('--json lists the union of all snapshots with ghosts; --deleted, --host, a file path, a path in no snapshot', () => {
		const t = json<TreeJson>(['tree', src]);
		expect(t.entries.map(e => [e.name, e.ghost])).toEqual([
			['old', true],
			['pics', false],
			['edit.txt', false],
			['keep.txt', false],
			['server.txt', false],
		]);
		expect(t.entries.find(e => e.name === 'old')!.deletedAfter!.id).toBe(snap[0]);
		expect(t.entries.find(e => e.name === 'edit.txt')).toMatchObject({versions: 2, size: 'two, longer\n'.length, hosts: ['laptop', 'server']});
		const deleted = json<TreeJson>(['tree', src, '--deleted']);
		expect(deleted.entries.map(e => e.name)).toEqual(['old']);
		expect(json<TreeJson>(['tree', path.join(src, 'old'), '--deleted']).entries.map(e => e.name)).toEqual(['gone.txt']);
		expect(json<TreeJson>(['tree', path.dirname(src), '--deleted']).entries[0]!.ghostsBelow).toBe(2);
		const laptop = json<TreeJson>(['tree', src, '--host', 'laptop']);
		expect(laptop.entries.map(e => e.name)).not.toContain('server.txt');
		// A file path shows the entry itself.
		expect(json<TreeJson>(['tree', path.join(src, 'old/gone.txt')]).entries).toMatchObject([{name: 'gone.txt', ghost: true}]);
		const text = resto(['tree', src]);
		expect(text.status).toBe(0);
		expect(text.stdout).toMatch(/✝ old\/.*deleted after [0-9a-f]{8}/);
		const missing = resto(['tree', '/no/such/path']);
		expect(missing.status).toBe(1);
		expect(missing.stderr).toContain('is in no snapshot');
		expect(resto(['tree', src, '--host', 'nobody']).status).toBe(1);
		expect(resto(['tree', 'relative']).status).toBe(2);
		expect(resto(['tree', src, '--changed-days', 'x']).status).toBe(2);
	}, 120_000);
});

describe('resto diff and du', () => {
	test('diff --json counts per folder from restic diff', () => {
		const d = json<{folders: Array<{path: string; added: number; removed: number; changed: number}>; changes: Array<{path: string; modifier: string}>}>(['diff', snap[0]!.slice(0, 8), snap[1]!]);
		const changes = Object.fromEntries(d.changes.map(c => [path.relative(src, c.path), c.modifier]));
		expect(changes).toMatchObject({'edit.txt': 'M', old: '-', 'old/gone.txt': '-', 'pics/b.jpg': '+'});
		const top = d.folders.find(f => f.path === src)!;
		expect(top).toMatchObject({added: 1, removed: 2, changed: 1});
		expect(resto(['diff', snap[0]!]).status).toBe(2);
		const unknown = resto(['diff', 'deadbeef', snap[1]!]);
		expect(unknown.status).toBe(1);
		expect(unknown.stderr).toContain('no snapshot deadbeef');
	}, 120_000);

	test('du --json sums sizes from the index; --grew names the folder that grew', () => {
		const du = json<{folder: string; totalBytes: number; entries: Array<{path: string; bytes: number}>; files: Array<{path: string; bytes: number}>}>(['du', snap[1]!.slice(0, 8)]);
		expect(du.folder).toBe(src);
		expect(du.entries[0]).toMatchObject({path: path.join(src, 'pics'), bytes: 51_000});
		expect(du.files[0]).toMatchObject({path: path.join(src, 'pics/b.jpg'), bytes: 50_000});
		expect(du.totalBytes).toBe(51_000 + 'keep\n'.length + 'two, longer\n'.length);
		const g = json<{folders: Array<{path: string; delta: number}>}>(['du', '--grew', snap[0]!.slice(0, 8), snap[1]!.slice(0, 8)]);
		expect(g.folders[0]).toMatchObject({path: path.join(src, 'pics'), delta: 50_000});
		expect(resto(['du', '--grew', snap[0]!]).status).toBe(2);
	}, 120_000);
});

describe('resto restore --plan', () => {
	test('restores every item from its snapshot and reports per item; a bad plan is a usage error', () => {
		const target = tempDir('resto-union-cli-plan-');
		const planFile = path.join(xdg, 'plan.json');
		try {
			writeFileSync(
				planFile,
				JSON.stringify({
					items: [
						{snapshot: snap[0], path: path.join(src, 'old/gone.txt')},
						{snapshot: snap[0], path: path.join(src, 'edit.txt')},
						{snapshot: snap[2]!.slice(0, 8), path: path.join(src, 'server.txt')},
						{snapshot: snap[1], path: path.join(src, 'nope.txt')},
					],
				}),
			);
			const r = resto(['restore', '--plan', planFile, '--target', target, '--json']);
			expect(r.status, r.stderr).toBe(1);
			const out = JSON.parse(r.stdout) as {ok: boolean; items: Array<{status: string; error?: string}>};
			expect(out.items.map(i => i.status)).toEqual(['restored', 'restored', 'restored', 'failed']);
			expect(out.items[3]!.error).toContain('is not in snapshot');
			const dump = (id: string, p: string) => execFileSync('restic', ['dump', '--no-lock', '--', id, p], {env: resticTestEnv(repo.access)});
			expect(readFileSync(path.join(target, src, 'edit.txt'))).toEqual(dump(snap[0]!, path.join(src, 'edit.txt')));
			expect(readFileSync(path.join(target, src, 'server.txt'))).toEqual(dump(snap[2]!, path.join(src, 'server.txt')));
			writeFileSync(planFile, JSON.stringify({items: [{snapshot: 'zz', path: 'x'}]}));
			const bad = resto(['restore', '--plan', planFile]);
			expect(bad.status).toBe(2);
			expect(bad.stderr).toContain('item 1');
			expect(resto(['restore', '--plan', path.join(xdg, 'missing.json')]).status).toBe(2);
		} finally {
			rmSync(target, {recursive: true, force: true});
		}
	}, 120_000);
});
