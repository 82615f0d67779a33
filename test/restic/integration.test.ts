import {writeFileSync, readFileSync, existsSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {ResticCli} from '../../source/restic/client.js';
import {ResticError} from '../../source/restic/errors.js';
import type {LsNode} from '../../source/restic/parse.js';
import {makeRepo, startRestServer, tempDir, writeTree, type RestServer, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let src: string;
let snapA: string;
let snapB: string;

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'src');
	writeTree(src, {
		'docs/report.txt': 'quarterly report\n',
		'dir with spaces/file one.txt': 'one\n',
		'-leading-dash.txt': 'dash\n',
		'café-é.txt': 'unicode\n',
	});
	writeFileSync(path.join(src, 'new\nline.txt'), 'newline\n');
	writeFileSync(path.join(src, 'ansi-\x1b[31mred\x1b[0m.txt'), 'ansi\n');
	snapA = repo.backup([src], {host: 'hostA', tags: ['daily']});
	writeFileSync(path.join(src, 'docs/report.txt'), 'quarterly report v2\n');
	snapB = repo.backup([src], {host: 'hostB'});
});

afterAll(() => repo.cleanup());

describe('ResticCli against real restic', () => {
	test('version is detected', async () => {
		const v = await new ResticCli(repo.access).version();
		expect(v.major).toBe(0);
		expect(v.minor).toBeGreaterThanOrEqual(14);
	});

	test('repo id and snapshots', async () => {
		const client = new ResticCli(repo.access);
		expect(await client.repoId()).toMatch(/^[0-9a-f]{64}$/);
		const snaps = await client.snapshots();
		expect(snaps.map(s => s.id)).toEqual([snapB, snapA]);
		expect(snaps[1]!.hostname).toBe('hostA');
		expect(snaps[1]!.tags).toEqual(['daily']);
		expect((await client.snapshots({hosts: ['hostA']})).map(s => s.id)).toEqual([snapA]);
	});

	test('ls streams nodes including odd names', async () => {
		const client = new ResticCli(repo.access);
		const nodes: LsNode[] = [];
		const header = await client.ls(snapA, {}, n => nodes.push(n));
		expect(header.id).toBe(snapA);
		const names = nodes.map(n => n.name);
		expect(names).toContain('new\nline.txt');
		expect(names).toContain('ansi-\x1b[31mred\x1b[0m.txt');
		expect(names).toContain('-leading-dash.txt');
		const report = nodes.find(n => n.path.endsWith('/docs/report.txt'));
		expect(report?.size).toBe(17);
		expect(report?.type).toBe('file');
	});

	test('ls of an unknown snapshot is an error, not an empty listing', async () => {
		const client = new ResticCli(repo.access);
		await expect(client.ls('deadbeef', {}, () => {})).rejects.toMatchObject({kind: 'invalid-id'});
	});

	test('find, dump and restore', async () => {
		const client = new ResticCli(repo.access);
		const found = await client.find(['report.txt']);
		expect(found.length).toBe(2);
		const file = path.join(src, 'docs/report.txt');
		expect((await client.dump(snapA, file)).toString()).toBe('quarterly report\n');
		expect((await client.dump(snapB, file, {maxBytes: 5})).toString()).toBe('quart');
		const dash = path.join(src, '-leading-dash.txt');
		expect((await client.dump(snapA, dash)).toString()).toBe('dash\n');
		const target = tempDir();
		await client.restore(snapA, {target, include: [dash]});
		expect(readFileSync(path.join(target, dash), 'utf8')).toBe('dash\n');
		await expect(client.dump(snapA, path.join(src, 'nope.txt'))).rejects.toMatchObject({kind: 'not-found'});
	});

	test('stats and locks', async () => {
		const client = new ResticCli(repo.access);
		const stats = await client.stats({mode: 'restore-size'});
		expect(stats.snapshotsCount).toBe(2);
		expect(await client.listLocks()).toEqual([]);
	});

	test('wrong password is classified and the password is never in the message', async () => {
		const client = new ResticCli({repository: repo.repoPath, password: 'sentinel-Wr0ng-pass'});
		const error = await client.snapshots().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ResticError);
		expect((error as ResticError).kind).toBe('wrong-password');
		expect((error as ResticError).cliExitCode).toBe(12);
		expect(JSON.stringify({m: (error as Error).message, s: (error as ResticError).stderr})).not.toContain('sentinel-Wr0ng-pass');
	});

	test('missing repository is classified', async () => {
		const missing = path.join(repo.root, 'nope');
		const error = await new ResticCli({repository: missing, passwordFile: repo.passwordFile}).snapshots().catch((e: unknown) => e);
		expect((error as ResticError).kind).toBe('no-repo');
		expect(existsSync(missing)).toBe(false);
	});

	test('restic not installed', async () => {
		const old = process.env.RESTIC_BIN;
		process.env.RESTIC_BIN = '/nonexistent/restic';
		try {
			const error = await new ResticCli(repo.access).snapshots().catch((e: unknown) => e);
			expect((error as ResticError).kind).toBe('not-installed');
			expect((error as Error).message).toMatch(/apt-get install restic/);
		} finally {
			if (old === undefined) delete process.env.RESTIC_BIN;
			else process.env.RESTIC_BIN = old;
		}
	});

	test('a lock held by a running backup is reported with its holder, and released afterwards', async () => {
		const {spawn} = await import('node:child_process');
		const {resticTestEnv} = await import('../helpers/restic.js');
		// A backup from stdin holds its lock for as long as stdin stays open: a deterministic live lock.
		const child = spawn('restic', ['backup', '--stdin', '--stdin-filename=held.txt'], {env: resticTestEnv(repo.access), stdio: ['pipe', 'ignore', 'ignore']});
		const client = new ResticCli(repo.access);
		try {
			for (let i = 0; i < 100 && (await client.listLocks()).length === 0; i++) await new Promise(r => setTimeout(r, 100));
			const error = await client.check().catch((e: unknown) => e);
			expect(error).toBeInstanceOf(ResticError);
			expect((error as ResticError).kind).toBe('locked');
			expect((error as ResticError).lock?.pid).toBe(child.pid);
			expect((error as ResticError).lock?.stale).toBe(false);
			expect((error as ResticError).cliExitCode).toBe(11);
		} finally {
			child.stdin?.end('held\n');
			await new Promise(r => child.once('exit', r));
		}
		expect(await client.listLocks()).toEqual([]);
	});
});

describe('REST backend (rclone serve restic)', () => {
	let server: RestServer;
	let rest: TestRepo;
	beforeAll(async () => {
		const root = tempDir('resto-rest-');
		server = await startRestServer(path.join(root, 'data'));
		rest = makeRepo({root, repository: server.url});
		const src2 = path.join(root, 'src');
		writeTree(src2, {'a.txt': 'a\n'});
		rest.backup([src2]);
	});
	afterAll(async () => {
		await server.kill();
		rest.cleanup();
	});

	test('lists snapshots over REST and reports an unreachable backend', async () => {
		const client = new ResticCli(rest.access);
		expect((await client.snapshots()).length).toBe(1);
		await server.kill();
		const error = await client.snapshots().catch((e: unknown) => e);
		expect((error as ResticError).kind).toBe('unreachable');
		await server.restart();
		expect((await client.snapshots()).length).toBe(1);
	});
});
