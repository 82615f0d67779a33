import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {parseRunLog} from '../../source/ops/run-log.js';
import type {SetStatus} from '../../source/ops/status.js';
import {makeRepo, startRestServer, tempDir, writeTree, type RestServer, type TestRepo} from '../helpers/restic.js';
import {resto, restoAsync, waitFor} from './helpers.js';

let source: TestRepo;
let other: TestRepo;
let server: RestServer;
let xdg: string;
let src: string;
let configFile: string;
let env: Record<string, string>;
let offsitePass: string;

function writeConfig(extraCopies = ''): void {
	writeFileSync(
		configFile,
		`repositories:
  - name: usb
    repository: ${source.repoPath}
    passwordFile: ${source.passwordFile}
    medium: usb-disk
    copies:
      - {name: mirror, type: rclone, target: ${path.join(xdg, 'mirror')}, medium: second-disk}
      - {name: offsite, type: restic, target: '${server.url}', passwordFile: ${offsitePass}, offsite: true, medium: b2}
${extraCopies}backupSets:
  - {name: home, repository: usb, paths: [${src}]}
`,
	);
}

function status(): {code: number | null; sets: SetStatus[]} {
	const r = resto(xdg, ['status', '--json'], env);
	return {
		code: r.status,
		sets: (JSON.parse(r.stdout) as {sets: SetStatus[]}).sets,
	};
}

function runLog(): ReturnType<typeof parseRunLog> {
	const dir = path.join(xdg, 'state', 'resto', 'runs');
	return readdirSync(dir)
		.filter(f => f.endsWith('.jsonl'))
		.flatMap(f => parseRunLog(readFileSync(path.join(dir, f), 'utf8')));
}

/** rclone processes still working on `needle` (a path of this test). */
function rcloneLeft(needle: string): number {
	let n = 0;
	for (const pid of readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
		try {
			const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
			if (cmd.startsWith('rclone') && cmd.includes(needle) && cmd.includes('sync')) n++;
		} catch {
			// gone meanwhile
		}
	}
	return n;
}

beforeAll(async () => {
	xdg = tempDir('resto-copy-');
	source = makeRepo();
	other = makeRepo();
	src = path.join(source.root, 'src');
	// 6 MB of incompressible data: enough for a copy to be under way when a test cancels or breaks it.
	writeTree(src, {
		'a.txt': 'a\n',
		'd/b.txt': 'b\n',
		'big.bin': randomBytes(6 * 1024 * 1024),
	});
	source.backup([src]);
	server = await startRestServer(path.join(xdg, 'rest'));
	offsitePass = path.join(xdg, 'offsite.pass');
	writeFileSync(offsitePass, 'offsite-secret-pw\n', {mode: 0o600});
	configFile = path.join(xdg, 'config.yaml');
	writeConfig();
	env = {RESTO_CONFIG: configFile, RESTO_STALL_TIMEOUT: '6'};
}, 120_000);

afterAll(async () => {
	await server?.kill();
	source?.cleanup();
	other?.cleanup();
	rmSync(xdg, {recursive: true, force: true});
});

describe('offsite copies and 3-2-1 (real rclone sync, rclone serve restic, restic copy)', () => {
	test('before any copy: the copies are red, 3-2-1 not met', () => {
		const s = status();
		expect(s.code).toBe(1);
		expect(s.sets[0]!.status).toBe('error');
		expect(s.sets[0]!.meets321).toBe(false);
		expect(s.sets[0]!.locations.map(l => l.name)).toEqual(['usb', 'mirror', 'offsite']);
	});

	test('rclone sync to a second local directory: progress, verified id, run log', () => {
		const r = resto(xdg, ['copy', '--to', 'mirror', '--json'], env);
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		const lines = r.stdout
			.trim()
			.split('\n')
			.map(l => JSON.parse(l) as Record<string, unknown>);
		expect(lines.some(l => l.type === 'progress' && l.phase === 'copying' && l.unit === 'bytes')).toBe(true);
		const result = lines.at(-1)!;
		const id = (JSON.parse(source.restic(['cat', 'config'])) as {id: string}).id;
		expect(result).toMatchObject({
			type: 'result',
			copy: 'mirror',
			ok: true,
			sourceId: id,
			targetId: id,
			snapshots: 1,
		});
		expect(existsSync(path.join(xdg, 'mirror', 'config'))).toBe(true);
		expect(runLog().at(-1)).toMatchObject({
			op: 'copy',
			copy: 'mirror',
			result: 'ok',
			repositoryId: id,
		});
	});

	test('restic copy to rclone serve restic on 127.0.0.1 (initialised with the source chunker parameters)', () => {
		const r = resto(xdg, ['copy', '--to', 'offsite'], env);
		// The whole outcome, so a failure shows restic's message.
		expect({status: r.status, stderr: r.stderr}).toMatchObject({status: 0});
		expect(r.stderr).toMatch(/offsite: 1 snapshot\(s\) copied; 1 snapshot\(s\) there, repository id [0-9a-f]{12}… verified/);
		expect(r.stderr).not.toContain('offsite-secret-pw');
	}, 180_000);

	test('3-2-1 met: three copies, three media, one offsite, ages and last copy results', () => {
		const s = status();
		expect(s.code).toBe(0);
		const set = s.sets[0]!;
		expect(set).toMatchObject({
			set: 'home',
			copies: 3,
			media: 3,
			offsite: true,
			meets321: true,
			status: 'ok',
		});
		for (const l of set.locations) {
			expect(l.ageMs).toBeGreaterThanOrEqual(0);
			expect(l.ageMs).toBeLessThan(10 * 60_000);
			expect(l.lagging).toBe(false);
		}
		expect(set.locations[1]!.lastRun).toMatchObject({
			op: 'copy',
			result: 'ok',
		});
		const text = resto(xdg, ['status'], env);
		expect(text.stdout).toMatch(/^OK {3}set home: 3 copies, 3 media, offsite \(3-2-1\)/m);
	});

	test('a new backup in the source: both copies trail it and the panel goes red; copying again turns it green', async () => {
		writeTree(src, {'new.txt': 'new\n'});
		// Two seconds ahead (restic's --time is local time, to the second): newer than the copies' newest without a wait.
		const t = new Date(Date.now() + 2000);
		const p2 = (n: number) => String(n).padStart(2, '0');
		source.backup([src], {time: `${t.getFullYear()}-${p2(t.getMonth() + 1)}-${p2(t.getDate())} ${p2(t.getHours())}:${p2(t.getMinutes())}:${p2(t.getSeconds())}`});
		const red = status();
		expect(red.code).toBe(1);
		expect(red.sets[0]!.status).toBe('error');
		expect(red.sets[0]!.locations.filter(l => l.lagging).map(l => l.name)).toEqual(['mirror', 'offsite']);
		expect(red.sets[0]!.locations[1]!.lagMs).toBeGreaterThan(0);
		expect(red.sets[0]!.problems.join('\n')).toMatch(/mirror: trails the source/);
		expect(resto(xdg, ['status'], env).stdout).toMatch(/mirror .*! trails the source/);
		expect(resto(xdg, ['copy'], env).status).toBe(0);
		const green = status();
		expect(green.code).toBe(0);
		expect(green.sets[0]!.status).toBe('ok');
	}, 240_000);

	test('a mirror target that holds a different repository: id mismatch, nothing overwritten', () => {
		const third = makeRepo({password: 'a different password'});
		writeConfig(`      - {name: wrong, type: rclone, target: ${other.repoPath}}\n      - {name: junk, type: rclone, target: ${path.join(xdg, 'junk')}}\n      - {name: third, type: rclone, target: ${third.repoPath}}\n`);
		const locked = resto(xdg, ['copy', '--to', 'third'], env);
		expect(locked.status).toBe(1);
		expect(locked.stderr).toMatch(/copy "third": the target holds a different repository \(the source's password does not open it\)/);
		expect(readdirSync(third.repoPath).sort()).toEqual(['config', 'data', 'index', 'keys', 'locks', 'snapshots']);
		third.cleanup();
		const before = readFileSync(path.join(other.repoPath, 'config'));
		const r = resto(xdg, ['copy', '--to', 'wrong'], env);
		expect(r.status).toBe(1);
		// Same password here, so restic opens it and the ids differ.
		expect(r.stderr).toMatch(/copy "wrong": the repository at the target has id [0-9a-f]{12}…, not [0-9a-f]{12}… \(a mirror must have the source repository's id\); nothing was copied/);
		expect(readFileSync(path.join(other.repoPath, 'config'))).toEqual(before);
		expect(readdirSync(path.join(other.repoPath, 'snapshots'))).toHaveLength(0);
		// A directory with other files in it is not overwritten either.
		mkdirSync(path.join(xdg, 'junk'));
		writeFileSync(path.join(xdg, 'junk', 'thesis.odt'), 'precious');
		const junk = resto(xdg, ['copy', '--to', 'junk'], env);
		expect(junk.status).toBe(1);
		expect(junk.stderr).toMatch(/holds files but no restic repository/);
		expect(readFileSync(path.join(xdg, 'junk', 'thesis.odt'), 'utf8')).toBe('precious');
		expect(
			runLog()
				.filter(x => x.copy === 'wrong')
				.at(-1),
		).toMatchObject({result: 'failed'});
		writeConfig();
	});

	test('an offsite target re-initialised as another repository: id mismatch against the first copy', async () => {
		await server.kill();
		rmSync(path.join(xdg, 'rest'), {recursive: true, force: true});
		await server.restart();
		execFileSync('restic', ['init'], {
			env: {
				...process.env,
				RESTIC_REPOSITORY: server.url,
				RESTIC_PASSWORD_FILE: offsitePass,
				RESTIC_CACHE_DIR: path.join(xdg, 'restic-cache'),
			},
			stdio: 'ignore',
		});
		const r = resto(xdg, ['copy', '--to', 'offsite'], env);
		expect(r.status).toBe(1);
		expect(r.stderr).toMatch(/has id [0-9a-f]{12}…, not [0-9a-f]{12}… \(the id it had at the first copy\); nothing was copied/);
		const s = status();
		expect(s.sets[0]!.locations[2]!.lagging).toBe(true);
		// And a target that is gone altogether.
		await server.kill();
		rmSync(path.join(xdg, 'rest'), {recursive: true, force: true});
		await server.restart();
		const gone = resto(xdg, ['copy', '--to', 'offsite'], env);
		expect(gone.status).toBe(1);
		expect(gone.stderr).toMatch(/no repository at the target any more/);
	});

	test('the offsite target vanishes mid-copy: reported as gone, recorded as failed, no restic left', async () => {
		// A fresh copy target (forget the id of the old one) and enough data to be mid-upload.
		await server.kill();
		rmSync(path.join(xdg, 'rest'), {recursive: true, force: true});
		writeFileSync(path.join(xdg, 'state', 'resto', 'copies.json'), '{}');
		const slow = await startRestServer(path.join(xdg, 'rest'), server.port, {
			logRequests: true,
			args: ['--bwlimit', '300k'],
		});
		try {
			const run = restoAsync(xdg, ['copy', '--to', 'offsite'], env);
			await slow.waitForRequest(/POST \/data\//, 90_000);
			await slow.kill();
			const code = await run.done;
			expect(code).toBe(1);
			expect(run.err()).toMatch(/copy "offsite": the copy target went away during the copy/);
			// restic copy locked the source too; stopped for the dead target, it leaves no lock there.
			expect(source.restic(['list', 'locks', '--no-lock']).trim()).toBe('');
			expect(
				runLog()
					.filter(x => x.copy === 'offsite')
					.at(-1),
			).toMatchObject({result: 'failed'});
		} finally {
			await slow.kill();
		}
		await server.restart();
	}, 180_000);

	test('a copy canceled with SIGINT: exit 130, rclone stopped, run log says canceled', async () => {
		writeConfig(`      - {name: slow, type: rclone, target: ${path.join(xdg, 'slow-mirror')}}\n`);
		const run = restoAsync(xdg, ['copy', '--to', 'slow'], {
			...env,
			RCLONE_BWLIMIT: '200k',
		});
		await waitFor(() => /slow: \d+%/.test(run.err()) && rcloneLeft('slow-mirror') > 0, 60_000, 'the copy to be under way');
		run.child.kill('SIGINT');
		const code = await run.done;
		expect(code).toBe(130);
		expect(run.err()).toMatch(/canceled/);
		expect(rcloneLeft('slow-mirror')).toBe(0);
		expect(
			runLog()
				.filter(x => x.copy === 'slow')
				.at(-1),
		).toMatchObject({result: 'canceled'});
		writeConfig();
	}, 120_000);

	test('a mirror directory removed mid-sync, a read-only target disk: said so, recorded as failed, the source intact', async () => {
		const snapshotsBefore = source.restic(['snapshots', '--json', '--no-lock']);
		const gone = path.join(xdg, 'gone-mirror');
		writeConfig(`      - {name: vanish, type: rclone, target: ${gone}}\n`);
		const run = restoAsync(xdg, ['copy', '--to', 'vanish'], {...env, RCLONE_BWLIMIT: '300k'});
		await waitFor(() => /vanish: \d+%/.test(run.err()) && existsSync(path.join(gone, 'config')), 60_000, 'the sync to be under way');
		// The disk goes: the directory and everything in it, and a file where it was (no mkdir brings it back).
		rmSync(gone, {recursive: true, force: true});
		writeFileSync(gone, 'not a directory');
		expect(await run.done).toBe(1);
		expect(run.err()).toMatch(/copy "vanish": the copy target went away during the copy/);
		expect(
			runLog()
				.filter(x => x.copy === 'vanish')
				.at(-1),
		).toMatchObject({result: 'failed'});
		rmSync(gone, {force: true});
		// Read-only: root ignores file modes, so a read-only tmpfs (where mounting is allowed). Remounting one
		// read-only under a running sync fails while rclone has files open for writing (EBUSY), so the disk
		// is read-only from the start.
		const mnt = path.join(xdg, 'ro');
		mkdirSync(mnt);
		let mounted = false;
		try {
			execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', mnt], {stdio: 'ignore'});
			mounted = true;
		} catch {
			console.warn('read-only case skipped: cannot mount a tmpfs here (needs root)');
		}
		if (mounted) {
			try {
				writeConfig(`      - {name: ro, type: rclone, target: ${mnt}}\n`);
				const ro = resto(xdg, ['copy', '--to', 'ro'], env);
				expect(ro.status).toBe(1);
				expect(ro.stderr).toMatch(/copy "ro": the copy target cannot be written \(read-only or permission denied\)/);
				expect(
					runLog()
						.filter(x => x.copy === 'ro')
						.at(-1),
				).toMatchObject({result: 'failed'});
			} finally {
				execFileSync('umount', [mnt]);
			}
		}
		writeConfig();
		// Nothing was lost in the source.
		expect(source.restic(['snapshots', '--json', '--no-lock'])).toBe(snapshotsBefore);
		expect(source.restic(['check'])).toMatch(/no errors were found/);
	}, 180_000);

	test('a copy target that is full (1 MB tmpfs): reported as full', () => {
		const mnt = path.join(xdg, 'full');
		mkdirSync(mnt);
		try {
			execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], {
				stdio: 'ignore',
			});
		} catch {
			console.warn('skipped: cannot mount a tmpfs here (needs root)');
			return;
		}
		try {
			writeConfig(`      - {name: full, type: rclone, target: ${mnt}}\n`);
			const r = resto(xdg, ['copy', '--to', 'full'], env);
			expect(r.status).toBe(1);
			expect(r.stderr).toMatch(/the copy target is full \(no space left\)/);
			expect(
				runLog()
					.filter(x => x.copy === 'full')
					.at(-1),
			).toMatchObject({result: 'failed'});
		} finally {
			execFileSync('umount', [mnt]);
			writeConfig();
		}
	});
});
