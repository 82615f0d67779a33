import {existsSync, mkdirSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {demoExists, ensureDemoRepository, type DemoRepository} from '../../source/demo/demo.js';
import {ResticCli} from '../../source/restic/client.js';
import type {LsNode} from '../../source/restic/parse.js';
import {run} from '../../source/commands/demo.js';
import {makeRepo, tempDir} from '../helpers/restic.js';
import {rmSync} from 'node:fs';

let dir: string;
let demo: DemoRepository;
let state: string;
const savedState = process.env.XDG_STATE_HOME;

beforeAll(async () => {
	// `resto demo` registers the demo in resto's state directory: a private one, never the user's.
	state = tempDir('resto-demo-state-');
	process.env.XDG_STATE_HOME = state;
	dir = tempDir('resto-demo-');
	demo = await ensureDemoRepository(dir);
}, 60_000);
afterAll(() => {
	rmSync(dir, {recursive: true, force: true});
	rmSync(state, {recursive: true, force: true});
	if (savedState === undefined) delete process.env.XDG_STATE_HOME;
	else process.env.XDG_STATE_HOME = savedState;
});

describe('resto demo (real restic)', () => {
	test('≥ 6 snapshots from two hosts spread over months; password file 0600', async () => {
		expect(demo.created).toBe(true);
		const client = new ResticCli({repository: demo.repository, passwordFile: demo.passwordFile});
		const snaps = await client.snapshots();
		expect(snaps.length).toBeGreaterThanOrEqual(6);
		expect(new Set(snaps.map(s => s.hostname))).toEqual(new Set(['laptop', 'desktop']));
		const spanDays = (snaps[0]!.time - snaps.at(-1)!.time) / 86_400_000;
		expect(spanDays).toBeGreaterThan(90);
		expect(snaps.some(s => Date.now() - s.time < 90 * 86_400_000)).toBe(true);
		expect(statSync(demo.passwordFile).mode & 0o777).toBe(0o600);
		expect(statSync(dir).mode & 0o777).toBe(0o700);
		expect(demoExists(dir)).toBe(true);
	});

	test('every file of a snapshot was modified before that snapshot, and files changed later differ in mtime', async () => {
		const client = new ResticCli({repository: demo.repository, passwordFile: demo.passwordFile});
		const snaps = await client.snapshots();
		const mtimes = new Map<string, Set<number>>();
		for (const snap of snaps) {
			const nodes: LsNode[] = [];
			await client.ls(snap.id, {}, n => nodes.push(n));
			const files = nodes.filter(n => n.type === 'file');
			expect(files.length).toBeGreaterThan(10);
			for (const f of files) {
				expect(f.mtime, `${f.path} in ${snap.shortId}`).toBeLessThanOrEqual(snap.time);
				mtimes.set(f.path, new Set([...(mtimes.get(f.path) ?? []), f.mtime]));
			}
			// Believable: within the 300 days before the first snapshot, not the epoch.
			expect(files.every(f => snap.time - f.mtime < 500 * 86_400_000)).toBe(true);
		}
		// A file edited between snapshots carries a newer mtime in the later one.
		expect([...mtimes.values()].some(set => set.size > 1)).toBe(true);
	});

	test('edits, renames, deletions and awkward names are really in the snapshots', async () => {
		const client = new ResticCli({repository: demo.repository, passwordFile: demo.passwordFile});
		const snaps = (await client.snapshots()).sort((a, b) => a.time - b.time);
		const home = path.join(dir, 'home', 'alice');
		const letter = path.join(home, 'documents/letters/2025-01-to-grandma.txt');
		const first = (await client.dump(snaps[0]!.id, letter)).toString();
		const last = (await client.dump(snaps.at(-1)!.id, letter)).toString();
		expect(first).not.toBe(last);
		const list = async (id: string) => {
			const nodes: LsNode[] = [];
			await client.ls(id, {}, n => nodes.push(n));
			return nodes;
		};
		const firstNodes = await list(snaps[0]!.id);
		const lastNodes = await list(snaps.at(-1)!.id);
		const names = new Set(firstNodes.map(n => n.name));
		for (const awkward of ['new\nline.txt', 'ansi-\x1b[31mred\x1b[0m.txt', '-notes.txt', 'café-menu.txt', '日本語メモ.txt', 'file one.txt']) expect(names.has(awkward), awkward).toBe(true);
		expect(firstNodes.filter(n => n.type === 'file').length).toBeGreaterThan(200);
		expect(firstNodes.some(n => n.path.endsWith('/documents/old-draft.txt'))).toBe(true);
		expect(lastNodes.some(n => n.path.endsWith('/documents/old-draft.txt'))).toBe(false);
		expect(lastNodes.some(n => n.path.endsWith('/notes/todo-2025.md'))).toBe(true);
		expect(lastNodes.some(n => n.path.endsWith('/notes/todo.md'))).toBe(false);
		expect(Math.max(...firstNodes.map(n => n.path.split('/').length - home.split('/').length))).toBeGreaterThanOrEqual(6);
	});

	test('a photo deleted on the laptop is in its first snapshot and missing from its latest one', async () => {
		const client = new ResticCli({repository: demo.repository, passwordFile: demo.passwordFile});
		const laptop = (await client.snapshots()).filter(s => s.hostname === 'laptop').sort((a, b) => a.time - b.time);
		const photo = path.join(dir, 'home', 'alice', 'photos/2024/12-christmas/IMG_1030.jpg');
		const has = async (id: string) => {
			let found = false;
			await client.ls(id, {}, n => {
				if (n.path === photo) found = true;
			});
			return found;
		};
		expect(await has(laptop[0]!.id)).toBe(true);
		expect(await has(laptop.at(-1)!.id)).toBe(false);
		const jpeg = await client.dump(laptop[0]!.id, photo);
		expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
	});

	test('`resto demo DIR` says it reuses the demo (exit 0) and refuses a foreign repository (exit 1)', async () => {
		const stderr: string[] = [];
		const write = process.stderr.write.bind(process.stderr);
		process.stderr.write = ((chunk: string | Uint8Array) => {
			stderr.push(String(chunk));
			return true;
		}) as typeof process.stderr.write;
		const foreign = tempDir('resto-demo-foreign-');
		mkdirSync(path.join(foreign, 'repo'));
		writeFileSync(path.join(foreign, 'repo', 'keep-me'), 'not yours\n');
		try {
			expect(await run({args: [dir], options: {}, usage: ''})).toBe(0);
			expect(stderr.join('')).toMatch(/Reusing the demo repository \(7 snapshots\)/);
			expect(stderr.join('')).toContain(`password file  ${demo.passwordFile}`);
			stderr.length = 0;
			expect(await run({args: [foreign], options: {}, usage: ''})).toBe(1);
			expect(stderr.join('')).toMatch(/exists, is not empty and was not created by resto demo/);
			expect(existsSync(path.join(foreign, 'repo', 'keep-me'))).toBe(true);
		} finally {
			process.stderr.write = write;
			rmSync(foreign, {recursive: true, force: true});
		}
	});

	test('running it again reuses the demo; a foreign repository is never touched', async () => {
		const again = await ensureDemoRepository(dir);
		expect(again.created).toBe(false);
		const foreign = makeRepo();
		try {
			await expect(ensureDemoRepository(foreign.root)).rejects.toThrow(/exists, is not empty and was not created by resto demo/);
		} finally {
			foreign.cleanup();
		}
	});
});

describe('an interrupted demo creation', () => {
	test('is started again from scratch instead of being refused', async () => {
		const partial = tempDir('resto-demo-partial-');
		try {
			// What Ctrl-C during the first backup leaves: the marker, a password and a half-filled repo.
			mkdirSync(path.join(partial, 'repo', 'data'), {recursive: true});
			writeFileSync(path.join(partial, 'repo', 'config'), 'half-written');
			writeFileSync(path.join(partial, 'password'), 'old\n', {mode: 0o644});
			writeFileSync(path.join(partial, '.resto-demo-incomplete'), 'resto demo creation in progress\n');
			const made = await ensureDemoRepository(partial);
			expect(made.created).toBe(true);
			expect(demoExists(partial)).toBe(true);
			expect(existsSync(path.join(partial, '.resto-demo-incomplete'))).toBe(false);
			expect(statSync(made.passwordFile).mode & 0o777).toBe(0o600);
			const snaps = await new ResticCli({repository: made.repository, passwordFile: made.passwordFile}).snapshots();
			expect(snaps.length).toBe(made.snapshots);
		} finally {
			rmSync(partial, {recursive: true, force: true});
		}
	}, 60_000);
});
