/**
 * restic's errors as the user sees them, against the real binary through the built CLI: never a Go
 * stack line (a bad find pattern, a truncated or empty repository config, a deleted index); a
 * RESTIC_BIN that is not restic says so; a restic printing garbage is explained; a dry-run backup
 * never reports a snapshot id (restic 0.14 puts one in its dry-run summary).
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, cpSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';
import {cliPath} from '../e2e/tmux.js';

let repo: TestRepo;
let xdg: string;
let src: string;
const stackLine = /\.go:\d+|asm_amd64|goroutine \d+|^\s*main\.|github\.com\/restic\/restic\/(cmd|internal)/m;

function resto(args: string[], env: Record<string, string> = {}) {
	const base: NodeJS.ProcessEnv = {...process.env};
	for (const k of Object.keys(base)) if (k.startsWith('RESTIC_') || k.startsWith('RESTO_')) delete base[k];
	const full = {...base, XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_CACHE_HOME: path.join(xdg, 'cache'), XDG_STATE_HOME: path.join(xdg, 'state'), XDG_DATA_HOME: path.join(xdg, 'data'), RESTIC_PASSWORD_FILE: repo.passwordFile, ...env};
	return spawnSync(process.execPath, [cliPath, ...args], {env: full, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000});
}

/** A copy of the test repository to break. */
function copyRepo(name: string): string {
	const dir = path.join(xdg, name);
	cpSync(repo.repoPath, dir, {recursive: true});
	return dir;
}

beforeAll(() => {
	xdg = tempDir('resto-errors-real-');
	repo = makeRepo();
	src = path.join(repo.root, 'src');
	writeTree(src, {'a.txt': 'a\n', 'docs/b.txt': 'b\n'});
	repo.backup([src]);
}, 60_000);

afterAll(() => {
	repo.cleanup();
	rmSync(xdg, {recursive: true, force: true});
});

describe('restic errors without Go stack lines (real restic)', () => {
	test("search --find '[unclosed': restic's message", () => {
		const r = resto(['search', '[unclosed', '--find'], {RESTIC_REPOSITORY: repo.repoPath});
		expect(r.status).toBe(1);
		expect(r.stderr).toContain('syntax error in pattern');
		expect(r.stderr + r.stdout).not.toMatch(stackLine);
	});

	test('a truncated and an empty repository config', () => {
		const truncated = copyRepo('truncated');
		chmodSync(path.join(truncated, 'config'), 0o600);
		writeFileSync(path.join(truncated, 'config'), Buffer.alloc(20, 1));
		let r = resto(['snapshots'], {RESTIC_REPOSITORY: truncated});
		expect(r.status).not.toBe(0);
		expect(r.stderr).toMatch(/config cannot be loaded|ciphertext/);
		expect(r.stderr + r.stdout).not.toMatch(stackLine);

		const empty = copyRepo('empty-config');
		chmodSync(path.join(empty, 'config'), 0o600);
		writeFileSync(path.join(empty, 'config'), '');
		for (const args of [['snapshots'], ['snapshots', '--json'], ['repos']]) {
			r = resto(args, {RESTIC_REPOSITORY: empty});
			expect(r.status, args.join(' ')).not.toBe(0);
			expect(r.stdout + r.stderr, args.join(' ')).toContain('config file has zero size');
			expect(r.stderr + r.stdout, args.join(' ')).not.toMatch(stackLine);
		}
	});

	test('a deleted index: damage with what to do, no stack', () => {
		const noIndex = copyRepo('no-index');
		for (const f of readdirSync(path.join(noIndex, 'index'))) rmSync(path.join(noIndex, 'index', f), {force: true});
		const r = resto(['search', 'a.txt'], {RESTIC_REPOSITORY: noIndex, RESTIC_CACHE_DIR: path.join(xdg, 'no-index-cache')});
		expect(r.status).not.toBe(0);
		expect(r.stderr).toMatch(/not found in repository/);
		expect(r.stderr).toMatch(/rebuild-index/); // restic 0.14's command for it
		expect(r.stderr + r.stdout).not.toMatch(stackLine);
	});
});

describe('a RESTIC_BIN that is not restic, and a restic that prints garbage', () => {
	const script = (body: string) => {
		const file = path.join(xdg, `fake-${Math.random().toString(36).slice(2)}`);
		writeFileSync(file, `#!/bin/sh\n${body}\n`, {mode: 0o755});
		return file;
	};

	test('/bin/echo and a script printing garbage: "… is not restic"', () => {
		for (const bin of ['/bin/echo', '/bin/false', script('echo "%%% garbage \\x01 ###"; echo more garbage >&2')]) {
			for (const args of [['snapshots'], ['snapshots', '--json'], ['search', 'a.txt']]) {
				const r = resto(args, {RESTIC_REPOSITORY: repo.repoPath, RESTIC_BIN: bin});
				expect(r.status, `${bin} ${args.join(' ')}`).not.toBe(0);
				expect(r.stderr, `${bin} ${args.join(' ')}`).toContain(`RESTIC_BIN (${bin}) is not restic`);
				expect(r.stdout, `${bin} ${args.join(' ')}`).not.toMatch(/garbage/);
			}
		}
	});

	test('a restic that answers `version` but prints garbage for a listing: explained, not a crash', () => {
		const bin = script('if [ "$1" = version ]; then echo "restic 0.14.0 compiled with go1.19.8 on linux/amd64"; exit 0; fi\necho "{not json at all"');
		const r = resto(['snapshots'], {RESTIC_REPOSITORY: repo.repoPath, RESTIC_BIN: bin});
		expect(r.status).toBe(1);
		expect(r.stderr).toContain('restic snapshots printed output resto cannot read: "{not json at all"');
		expect(r.stderr).not.toMatch(/SyntaxError|at JSON\.parse|\n\s+at /);
	});
});

describe('a dry-run backup never reports a snapshot id (real restic 0.14)', () => {
	test('backup --dry-run --json: no snapshot id in summary or result; text mode says none', () => {
		const r = resto(['backup', '--repo', repo.repoPath, '--json', '--dry-run', '--', src]);
		expect(r.status).toBe(0);
		const lines = r.stdout
			.trim()
			.split('\n')
			.map(l => JSON.parse(l) as Record<string, unknown>);
		const summary = lines.find(l => l.type === 'summary')!;
		const result = lines.find(l => l.type === 'result')!;
		expect(summary.dryRun).toBe(true);
		expect(summary.snapshotId).toBe('');
		expect(result.snapshotId).toBeNull();
		const text = resto(['backup', '--repo', repo.repoPath, '--dry-run', '--', src]);
		expect(text.status).toBe(0);
		expect(text.stdout + text.stderr).not.toMatch(/snapshot [0-9a-f]{8}/);
		// Nothing was saved.
		expect(JSON.parse(repo.restic(['snapshots', '--json'])) as unknown[]).toHaveLength(1);
	});
});
