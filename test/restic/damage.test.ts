/**
 * A damaged repository is not a dead backend: a missing or truncated pack (real restic 0.14, a local
 * repository and a REST one) is reported at once as damage naming the pack, with what to do; restic is
 * not left retrying for ~45 s. A drill on such a repository fails within seconds and its report names the pack.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, copyFileSync, readFileSync, rmSync, statSync, truncateSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {ResticCli} from '../../source/restic/client.js';
import {parseDamage, parseDamageLine} from '../../source/restic/damage.js';
import {ResticError} from '../../source/restic/errors.js';
import {liveProcessCount} from '../../source/restic/run.js';
import {filesUnder, makeRepo, startRestServer, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {cliPath} from '../e2e/tmux.js';

let repo: TestRepo;
let src: string;
let pack: string;
let packId: string;
let saved: string;

/** The pack holding the big file: the largest file under data/. */
function biggestPack(repoPath: string): string {
	return filesUnder(path.join(repoPath, 'data')).sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
}

const fresh = (r: TestRepo) => new ResticCli({...r.access, env: {RESTIC_CACHE_DIR: tempDir('resto-damage-cache-')}});

async function failure(p: Promise<unknown>): Promise<ResticError> {
	try {
		await p;
	} catch (error) {
		if (error instanceof ResticError) return error;
		throw error;
	}
	throw new Error('expected a failure');
}

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'src');
	const big = Buffer.alloc(3 << 20);
	for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
	writeTree(src, {'big.bin': big, 'notes/a.txt': 'hello\n'});
	repo.backup([src]);
	pack = biggestPack(repo.repoPath);
	packId = path.basename(pack);
	saved = path.join(repo.root, 'saved.pack');
	copyFileSync(pack, saved);
}, 60_000);

afterAll(() => repo.cleanup());

function restorePack(): void {
	rmSync(pack, {force: true});
	copyFileSync(saved, pack);
}

describe('damaged packs, real restic', () => {
	test('missing pack: dump and restore fail at once as damage naming the pack; check names it too', async () => {
		rmSync(pack);
		try {
			const client = fresh(repo);
			let t = Date.now();
			const dump = await failure(client.dump('latest', path.join(src, 'big.bin')));
			expect(Date.now() - t).toBeLessThan(15_000);
			expect(dump.kind).toBe('damaged');
			expect(dump.message).toContain(`pack ${packId}: does not exist`);
			expect(dump.message).toMatch(/restic check/);
			expect(dump.damage.map(d => d.packId)).toEqual([packId]);

			t = Date.now();
			const target = tempDir('resto-damage-target-');
			try {
				const restore = await failure(client.restore('latest', {target, include: [path.join(src, 'big.bin')]}));
				expect(Date.now() - t).toBeLessThan(15_000);
				expect(restore.kind).toBe('damaged');
				expect(restore.message).toContain(packId);
			} finally {
				rmSync(target, {recursive: true, force: true});
			}
			expect(liveProcessCount()).toBe(0);

			const check = await client.check();
			expect(check.ok).toBe(false);
			expect(check.summary).toBe(`pack ${packId}: does not exist`);
			expect(check.damage?.map(d => d.packId)).toEqual([packId]);
			expect(check.advice).toMatch(/restic check --read-data/);
		} finally {
			restorePack();
		}
	}, 90_000);

	test('truncated pack: dump fails at once as damage; check reports the size mismatch', async () => {
		chmodSync(pack, 0o600);
		truncateSync(pack, 1000);
		try {
			const client = fresh(repo);
			const t = Date.now();
			const dump = await failure(client.dump('latest', path.join(src, 'big.bin')));
			expect(Date.now() - t).toBeLessThan(15_000);
			expect(dump.kind).toBe('damaged');
			expect(dump.message).toContain(packId.slice(0, 10));
			expect(dump.message).toMatch(/unexpected EOF/);
			const check = await client.check();
			expect(check.ok).toBe(false);
			expect(check.summary).toMatch(new RegExp(`^pack ${packId}: unexpected file size: got 1000, expected \\d+`));
		} finally {
			restorePack();
		}
	}, 90_000);

	test('over REST a missing pack (404) is damage too, while a dead server is not', async () => {
		const root = tempDir('resto-damage-rest-');
		const server = await startRestServer(path.join(root, 'rest'));
		try {
			const r = makeRepo({repository: server.url, root});
			writeTree(path.join(root, 'src'), {'big.bin': readFileSync(path.join(src, 'big.bin'))});
			r.backup([path.join(root, 'src')]);
			const restPack = biggestPack(path.join(root, 'rest'));
			rmSync(restPack);
			const t = Date.now();
			const dump = await failure(fresh(r).dump('latest', path.join(root, 'src', 'big.bin')));
			expect(Date.now() - t).toBeLessThan(15_000);
			expect(dump.kind).toBe('damaged');
			expect(dump.message).toContain(path.basename(restPack).slice(0, 10));
		} finally {
			await server.kill();
			rmSync(root, {recursive: true, force: true});
		}
	}, 90_000);

	test('resto drill on a repository with a missing pack fails within seconds and its report names the pack', () => {
		rmSync(pack);
		const xdg = tempDir('resto-damage-xdg-');
		try {
			const env: NodeJS.ProcessEnv = {...process.env};
			for (const k of Object.keys(env)) if (k.startsWith('RESTIC_') || k.startsWith('RESTO_')) delete env[k];
			Object.assign(env, {XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_CACHE_HOME: path.join(xdg, 'cache'), XDG_STATE_HOME: path.join(xdg, 'state'), XDG_DATA_HOME: path.join(xdg, 'data'), RESTIC_REPOSITORY: repo.repoPath, RESTIC_PASSWORD_FILE: repo.passwordFile});
			const t = Date.now();
			const r = spawnSync(process.execPath, [cliPath, 'drill', '--yes', '--json'], {env, encoding: 'utf8', timeout: 60_000});
			expect(Date.now() - t).toBeLessThan(30_000);
			expect(r.status).not.toBe(0);
			const report = JSON.parse(r.stdout) as {verdict: string; reason: string; reportFiles?: {json: string; markdown: string}};
			expect(report.verdict).toBe('fail');
			expect(report.reason).toContain(`pack ${packId}: does not exist`);
			expect(report.reason).toMatch(/restic check --read-data/);
			const files = filesUnder(path.join(xdg, 'state'));
			const md = files.find(f => f.endsWith('.md'))!;
			expect(readFileSync(md, 'utf8')).toContain(packId);
		} finally {
			rmSync(xdg, {recursive: true, force: true});
			restorePack();
		}
	}, 90_000);
});

describe('damage lines recorded from restic 0.14', () => {
	const id = 'b83b5e8de7f3468ec33fe6dcd86795fc95a948370bcf9b4fd952e83d6c987740';
	test.each([
		[`Load(<data/b83b5e8de7>, 200047, 0) returned error, retrying after 552.330144ms: open /tmp/r/repo/data/b8/${id}: no such file or directory`, true, id, 'does not exist'],
		['Load(<data/b83b5e8de7>, 200047, 0) returned error, retrying after 552.330144ms: unexpected EOF', true, 'b83b5e8de7', 'unexpected EOF'],
		['Load(<data/62ed450eee>, 3079305, 66581) returned error, retrying after 552.330144ms: EOF', true, '62ed450eee', 'unexpected EOF (the pack is shorter than the index says)'],
		['Load(<data/b83b5e8de7>, 200209, 0) returned error, retrying after 15.394871241s: ReadFull: unexpected EOF', true, 'b83b5e8de7', 'unexpected EOF'],
		[`cannot dump file: ReadFull(<data/b83b5e8de7>): open /tmp/r/repo/data/b8/${id}: no such file or directory`, true, id, 'does not exist'],
		[`pack ${id}: does not exist`, true, id, 'does not exist'],
		[`pack ${id}: unexpected file size: got 100000, expected 200209`, true, id, 'unexpected file size: got 100000, expected 200209'],
		[`Pack ID does not match, want ${id}, got 497a752068667cd1b56269df55e060a67fa31f001e7e1ac9fb04bd4d1bacf1bf`, true, id, 'content does not match its id (corrupt)'],
	])('%s', (line, local, packId, problem) => {
		expect(parseDamageLine(line, {local})).toMatchObject({packId, problem});
	});

	test('a dead backend is not damage', () => {
		expect(parseDamageLine('Load(<data/b83b5e8de7>, 200047, 0) returned error, retrying after 552ms: client.Get: Get "http://127.0.0.1:9/data/b83b": dial tcp 127.0.0.1:9: connect: connection refused')).toBeUndefined();
		expect(parseDamageLine('Load(<data/b83b5e8de7>, 0, 0) returned error, retrying after 1s: unexpected EOF', {local: false})).toBeUndefined();
	});

	test('short and full ids of one pack are one entry', () => {
		const text = `Load(<data/b83b5e8de7>, 1, 0) returned error, retrying after 1s: open /r/data/b8/${id}: no such file or directory\ncannot dump file: ReadFull(<data/b83b5e8de7>): open /r/data/b8/${id}: no such file or directory`;
		expect(parseDamage(text, {local: true}).map(d => d.packId)).toEqual([id]);
	});
});
