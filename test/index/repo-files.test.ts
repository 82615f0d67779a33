/**
 * Reading a repository's snapshot and key file listings without restic: a local folder, and a REST
 * server (rclone serve restic) behind HTTP basic authentication whose credentials are in the URL.
 * Real restic makes the repositories; the answers are checked against restic's own.
 */
import {mkdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {checkPasswordAgainstKeyTexts} from '../../source/index/key-check.js';
import {keyFiles, restLocation, snapshotIds} from '../../source/index/repo-files.js';
import {makeRepo, startRestServer, tempDir, writeTree, type RestServer, type TestRepo} from '../helpers/restic.js';

let work: string;
let server: RestServer;
let rest: TestRepo;
let url: string;

beforeAll(async () => {
	work = tempDir('resto-repo-files-');
	server = await startRestServer(path.join(work, 'rest-data'), undefined, {args: ['--user', 'al@ice', '--pass', 'p:ss word']});
	url = `rest:http://al%40ice:p%3Ass%20word@127.0.0.1:${server.port}/`;
	mkdirSync(path.join(work, 'rest-root'));
	rest = makeRepo({repository: url, root: path.join(work, 'rest-root'), password: 'repo pass'});
	const src = path.join(work, 'src');
	writeTree(src, {'a.txt': 'a'});
	rest.backup([src]);
	writeTree(src, {'b.txt': 'b'});
	rest.backup([src]);
}, 180_000);

afterAll(async () => {
	rest?.cleanup();
	await server?.kill();
	rmSync(work, {recursive: true, force: true});
});

describe('snapshot and key files without restic', () => {
	test('a rest: URL: credentials leave the URL for the Authorization header (decoded as restic does)', () => {
		const loc = restLocation('rest:https://al%40ice:p%3Ass@host.example:8000/repo?x=1')!;
		expect(loc.base).toBe('https://host.example:8000/repo/');
		expect(Buffer.from(loc.authorization!.slice('Basic '.length), 'base64').toString()).toBe('al@ice:p:ss');
		expect(restLocation('rest:http://127.0.0.1:8000/')).toEqual({base: 'http://127.0.0.1:8000/'});
		expect(restLocation('s3:https://host/bucket')).toBeUndefined();
		expect(restLocation('rest:not a url')).toBeUndefined();
	});

	test('a REST server behind basic authentication: the snapshot ids restic lists, the keys the password opens', async () => {
		const fromRestic = (JSON.parse(rest.restic(['snapshots', '--json'])) as Array<{id: string}>).map(s => s.id).sort();
		expect(fromRestic).toHaveLength(2);
		expect((await snapshotIds(url))!.sort()).toEqual(fromRestic);
		const keys = (await keyFiles(url))!;
		expect(keys.texts.length).toBeGreaterThan(0);
		expect(checkPasswordAgainstKeyTexts(keys.texts, keys.unreadable, 'repo pass')).toBe('ok');
		expect(checkPasswordAgainstKeyTexts(keys.texts, keys.unreadable, 'not it')).toBe('wrong');
		// Wrong credentials or no server: "cannot tell", never an answer.
		expect(await snapshotIds(url.replace('p%3Ass', 'nope'))).toBeUndefined();
		expect(await snapshotIds(`rest:http://127.0.0.1:${server.port}/`)).toBeUndefined();
		expect(await keyFiles('rest:http://127.0.0.1:1/')).toBeUndefined();
	}, 60_000);

	test('a local repository: its snapshots/ and keys/ folders', async () => {
		mkdirSync(path.join(work, 'local-root'));
		const local = makeRepo({root: path.join(work, 'local-root')});
		try {
			const src = path.join(work, 'local-src');
			writeTree(src, {'x.txt': 'x'});
			const id = local.backup([src]);
			expect(await snapshotIds(local.repoPath)).toEqual([id]);
			expect(await snapshotIds(`local:${local.repoPath}`)).toEqual([id]);
			const keys = (await keyFiles(local.repoPath))!;
			expect(checkPasswordAgainstKeyTexts(keys.texts, keys.unreadable, local.password)).toBe('ok');
			expect(await snapshotIds(path.join(work, 'no-such-repo'))).toBeUndefined();
		} finally {
			local.cleanup();
		}
	}, 60_000);
});
