/**
 * `resto drill --keep` keeps the restored copy and points to it; advice names the TUI's key in the TUI and the
 * CLI's flag in the CLI. Real restic throughout.
 */
import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {reportMarkdown} from '../../source/drill/drill.js';
import {ResticCli} from '../../source/restic/client.js';
import {DrillTask} from '../../source/tasks/drill-task.js';
import {cliPath} from '../e2e/tmux.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let work: string;
let src: string;
const savedState = process.env.XDG_STATE_HOME;
const savedTmp = process.env.RESTO_DRILL_TMPDIR;

beforeAll(() => {
	work = tempDir('resto-drillkeep-');
	process.env.XDG_STATE_HOME = path.join(work, 'state');
	process.env.RESTO_DRILL_TMPDIR = path.join(work, 'tmp');
	spawnSync('mkdir', ['-p', process.env.RESTO_DRILL_TMPDIR]);
	repo = makeRepo();
	src = path.join(repo.root, 'src');
	writeTree(src, {'only.txt': 'the one file a drill can pick\n'});
	repo.backup([src]);
});
afterAll(() => {
	repo.cleanup();
	rmSync(work, {recursive: true, force: true});
	process.env.XDG_STATE_HOME = savedState;
	process.env.RESTO_DRILL_TMPDIR = savedTmp;
});

describe('drill --keep and advice per surface (real restic)', () => {
	test('keep: the verified copy stays where the report says; without it nothing is left', async () => {
		const kept = await new DrillTask({name: 'k', access: repo.access}, new ResticCli(repo.access), {seed: 1, skipCheck: true, keep: true}).run();
		expect(kept.verdict).toBe('pass');
		expect(kept.kept).toBeDefined();
		expect(readFileSync(kept.kept!, 'utf8')).toBe('the one file a drill can pick\n');
		expect(kept.kept!.startsWith(process.env.RESTO_DRILL_TMPDIR!)).toBe(true);
		const md = reportMarkdown(kept);
		expect(md).toContain(`kept (--keep) at \`${kept.kept}\``);
		expect(md).not.toContain('the drill leaves nothing behind');
		expect(readFileSync(kept.reportFiles!.markdown, 'utf8')).toContain(kept.kept!);
		const keptDir = path.join(process.env.RESTO_DRILL_TMPDIR!, path.relative(process.env.RESTO_DRILL_TMPDIR!, kept.kept!).split(path.sep)[0]!);
		expect(existsSync(path.join(keptDir, '.resto-drill'))).toBe(true);
		rmSync(keptDir, {recursive: true, force: true});

		const plain = await new DrillTask({name: 'k', access: repo.access}, new ResticCli(repo.access), {seed: 1, skipCheck: true}).run();
		expect(plain.verdict).toBe('pass');
		expect(plain.kept).toBeUndefined();
		expect(reportMarkdown(plain)).toContain('the drill leaves nothing behind');
		expect(readdirSync(process.env.RESTO_DRILL_TMPDIR!)).toEqual([]);
	});

	test('resto drill --keep prints where the copy is', () => {
		const r = spawnSync(process.execPath, [cliPath, 'drill', '--repo', repo.repoPath, '--yes', '--keep', '--seed', '2'], {
			env: {...process.env, RESTIC_PASSWORD_FILE: repo.passwordFile, RESTIC_REPOSITORY: undefined, XDG_CONFIG_HOME: path.join(work, 'config'), XDG_CACHE_HOME: path.join(work, 'cache')},
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
			timeout: 60_000,
		});
		expect(r.status, r.stderr).toBe(0);
		const line = (r.stdout + r.stderr).split('\n').find(l => l.startsWith('restored copy kept at: '));
		expect(line).toBeDefined();
		const file = line!.slice('restored copy kept at: '.length).replace(/ \(delete it when you are done\)$/, '');
		expect(existsSync(file)).toBe(true);
		expect(readFileSync(file, 'utf8')).toBe('the one file a drill can pick\n');
	});

	test('resto repos shows the last drill of each repository, and why a failed one failed', () => {
		const copy = path.join(work, 'damaged-copy');
		cpSync(repo.repoPath, copy, {recursive: true});
		const dataDir = path.join(copy, 'data');
		const sub = readdirSync(dataDir).find(d => readdirSync(path.join(dataDir, d)).length > 0)!;
		const pack = readdirSync(path.join(dataDir, sub))[0]!;
		rmSync(path.join(dataDir, sub, pack));
		mkdirSync(path.join(work, 'config', 'resto'), {recursive: true});
		writeFileSync(path.join(work, 'config', 'resto', 'config.yaml'), `repositories:\n  - name: good\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\n  - name: copy\n    repository: ${copy}\n    passwordFile: ${repo.passwordFile}\n`);
		const env = {...process.env, RESTIC_REPOSITORY: undefined, RESTIC_PASSWORD_FILE: undefined, XDG_CONFIG_HOME: path.join(work, 'config'), XDG_CACHE_HOME: path.join(work, 'cache')};
		const drill = spawnSync(process.execPath, [cliPath, 'drill', '--repo', 'copy', '--yes'], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000});
		expect(drill.status, drill.stdout + drill.stderr).toBe(1);
		const repos = spawnSync(process.execPath, [cliPath, 'repos'], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000});
		const lines = repos.stdout.split('\n');
		expect(lines[0]).toMatch(/DRILL/);
		expect(lines.find(l => l.startsWith('copy'))).toMatch(/FAIL \d{4}-\d\d-\d\d/);
		// The reason names the pack restic named, without restic's retry noise.
		expect(repos.stdout).toContain(`last drill failed at check: restic check found problems: pack ${pack}: does not exist`);
		expect(repos.stdout).not.toMatch(/retrying after/);
		expect(lines.find(l => l.startsWith('good'))).toMatch(/pass \d{4}-\d\d-\d\d|never/);
	});

	test('a window without snapshots: the TUI says which key, the CLI which flag', async () => {
		const old = makeRepo();
		try {
			const oldSrc = path.join(old.root, 'src');
			writeTree(oldSrc, {'x.txt': 'x'});
			old.backup([oldSrc], {time: '2020-01-01 10:00:00'});
			const tui = await new DrillTask({name: 'o', access: old.access}, new ResticCli(old.access), {seed: 1, skipCheck: true, months: 3, interactive: true}).run();
			expect(tui.reason).toMatch(/press o to drill that one anyway/);
			expect(tui.reason).not.toMatch(/--months/);
			const cli = await new DrillTask({name: 'o', access: old.access}, new ResticCli(old.access), {seed: 1, skipCheck: true, months: 3}).run();
			expect(cli.reason).toMatch(/pass --months \d+ to drill that one anyway/);
			expect(cli.reason).not.toMatch(/press/);
		} finally {
			old.cleanup();
		}
	});
});
