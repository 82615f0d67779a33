import {spawn, spawnSync} from 'node:child_process';
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {patternProblem} from '../../source/backup/backup-set.js';
import {ResticCli} from '../../source/restic/client.js';
import {cliPath, resticPids} from '../e2e/tmux.js';
import {makeRepo, startRestServer, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let data: string;
let xdg: string;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const e: NodeJS.ProcessEnv = {...process.env};
	delete e.RESTIC_REPOSITORY;
	delete e.RESTIC_PASSWORD;
	return {...e, XDG_STATE_HOME: path.join(xdg, 'state'), XDG_CONFIG_HOME: path.join(xdg, 'config'), RESTIC_PASSWORD_FILE: repo.passwordFile, ...extra};
}

function resto(args: string[], extra: Record<string, string> = {}) {
	return spawnSync(process.execPath, [cliPath, ...args], {env: env(extra), encoding: 'utf8', timeout: 120_000});
}

/** A tree big enough (≈150 MB of incompressible data) that a backup takes a few seconds. */
function bigTree(dir: string): void {
	mkdirSync(dir, {recursive: true});
	const chunk = Buffer.alloc(1 << 20);
	for (let i = 0; i < 150; i++) {
		for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, j);
		writeFileSync(path.join(dir, `blob-${i}.bin`), chunk);
	}
}

beforeAll(() => {
	repo = makeRepo();
	xdg = tempDir('resto-backup-xdg-');
	data = path.join(repo.root, 'data');
	writeTree(data, {'a.txt': 'a\n', 'sub/b.txt': 'b\n', 'cache/CACHEDIR.TAG': 'Signature: 8a477f597d28d172789f06886806bc55\n', 'cache/junk.bin': 'junk'});
	bigTree(path.join(repo.root, 'big'));
}, 120_000);

afterAll(() => repo.cleanup());

describe('resto backup against real restic', () => {
	test('NDJSON: status lines, summary, result with the full snapshot id; the snapshot exists', async () => {
		const r = resto(['backup', '--json', '--repo', repo.repoPath, data]);
		expect(r.status, r.stderr).toBe(0);
		const events = r.stdout
			.trim()
			.split('\n')
			.map(l => JSON.parse(l) as {type: string; snapshotId?: string; filesNew?: number});
		expect(events.some(e => e.type === 'summary' && e.filesNew === 4)).toBe(true);
		const result = events.at(-1)!;
		expect(result.type).toBe('result');
		expect(result.snapshotId).toMatch(/^[0-9a-f]{64}$/);
		expect((await new ResticCli(repo.access).snapshots()).map(s => s.id)).toContain(result.snapshotId);
		// Status lines are throttled to at most 10 a second.
		const statuses = events.filter(e => e.type === 'status').length;
		expect(statuses).toBeLessThanOrEqual(20);
	});

	test('dry run lists what would be backed up and writes nothing', async () => {
		const before = (await new ResticCli(repo.access).snapshots()).length;
		const r = resto(['backup', '--dry-run', '--json', '--repo', repo.repoPath, data]);
		expect(r.status).toBe(0);
		const items = r.stdout
			.trim()
			.split('\n')
			.map(l => JSON.parse(l) as {type: string; item?: string})
			.filter(e => e.type === 'item');
		expect(items.map(i => i.item)).toContain(path.join(data, 'sub/b.txt'));
		expect((await new ResticCli(repo.access).snapshots()).length).toBe(before);
	});

	test('backup sets from the config: excludes, exclude-caches, tags, hooks; a failing pre-hook means no backup', async () => {
		const cfg = path.join(xdg, 'sets.yaml');
		const marker = path.join(xdg, 'post-ran');
		writeFileSync(
			cfg,
			`repositories:\n  - name: main\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\nbackupSets:\n  - name: docs\n    repository: main\n    paths: [${data}]\n    exclude: ["*.txt~", "${path.join(data, 'sub')}"]\n    excludeCaches: true\n    tags: [docs]\n    lowPriority: true\n    hooks: {pre: "true", post: "touch ${marker}"}\n  - name: broken\n    repository: main\n    paths: [${data}]\n    hooks: {pre: "echo snapshot failed >&2; exit 7"}\n  - name: badexclude\n    repository: main\n    paths: [${data}]\n    exclude: ["[unclosed"]\n`,
		);
		const r = resto(['backup', 'docs', '--json'], {RESTO_CONFIG: cfg});
		expect(r.status, r.stderr).toBe(0);
		const id = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {snapshotId: string}).snapshotId;
		const nodes: string[] = [];
		await new ResticCli(repo.access).ls(id, {}, n => nodes.push(n.path));
		expect(nodes).toContain(path.join(data, 'a.txt'));
		expect(nodes).not.toContain(path.join(data, 'sub/b.txt'));
		expect(nodes).not.toContain(path.join(data, 'cache/junk.bin'));
		expect((await new ResticCli(repo.access).snapshots()).find(s => s.id === id)?.tags).toEqual(['docs']);
		expect(spawnSync('test', ['-e', marker]).status).toBe(0);
		const before = (await new ResticCli(repo.access).snapshots()).length;
		const broken = resto(['backup', 'broken'], {RESTO_CONFIG: cfg});
		expect(broken.status).toBe(1);
		expect(broken.stderr).toMatch(/pre-backup hook failed \(exit 7\).*snapshot failed/);
		expect((await new ResticCli(repo.access).snapshots()).length).toBe(before);
		const bad = resto(['backup', 'badexclude'], {RESTO_CONFIG: cfg});
		expect(bad.status).toBe(2);
		expect(bad.stderr).toMatch(/invalid exclude pattern "\[unclosed": unclosed/);
		expect(patternProblem('a\\')).toMatch(/backslash/);
		expect(patternProblem('*.txt')).toBeUndefined();
	});

	test('wrong password, missing paths and missing repository are reported before anything starts', () => {
		const wrong = resto(['backup', '--repo', repo.repoPath, data], {RESTIC_PASSWORD_FILE: '', RESTIC_PASSWORD: 'nope-nope'});
		expect(wrong.status).toBe(12);
		expect(wrong.stderr, wrong.stderr).toMatch(/Wrong password/);
		const missing = resto(['backup', '--repo', repo.repoPath, path.join(data, 'nope')]);
		expect(missing.status).toBe(1);
		expect(missing.stderr).toMatch(/none of its paths exist/);
		// Like restic 0.19 (restic 0.14 says exit 0): a missing path makes the backup incomplete, exit 3, and
		// the warning comes before the backup starts.
		const some = resto(['backup', '--repo', repo.repoPath, data, path.join(data, 'nope')]);
		expect(some.status, some.stderr).toBe(3);
		expect(some.stderr).toMatch(/nope does not exist, skipped\n(.|\n)*backing up ad-hoc/);
		expect(some.stderr).toMatch(/snapshot saved, but 1 path did not exist/);
		const norepo = resto(['backup', '--repo', path.join(repo.root, 'norepo'), data]);
		expect(norepo.status).toBe(10);
	});

	test('locked repository and wrong password: exit 11 / 12 before a pre-hook or restic reads any file', async () => {
		const marker = path.join(xdg, 'locked-pre-ran');
		const cfg = path.join(xdg, 'locked.yaml');
		writeFileSync(
			cfg,
			`repositories:\n  - name: main\n    repository: ${repo.repoPath}\n    passwordFile: ${repo.passwordFile}\n  - name: wrongpw\n    repository: ${repo.repoPath}\n    passwordCommand: "echo not-the-password"\nbackupSets:\n  - name: hooked\n    repository: main\n    paths: [${data}]\n    hooks: {pre: "touch ${marker}"}\n  - name: hookedwrong\n    repository: wrongpw\n    paths: [${data}]\n    hooks: {pre: "touch ${marker}"}\n`,
		);
		const wrong = resto(['backup', 'hookedwrong'], {RESTO_CONFIG: cfg});
		expect(wrong.status, wrong.stderr).toBe(12);
		expect(wrong.stderr).toMatch(/Wrong password/);
		expect(spawnSync('test', ['-e', marker]).status).not.toBe(0);
		// \`restic key passwd\` takes an exclusive lock, then waits for the new password on stdin: a real
		// exclusive lock held as long as we keep its stdin open.
		const holder = spawn('restic', ['key', 'passwd'], {env: {...process.env, RESTIC_REPOSITORY: repo.repoPath, RESTIC_PASSWORD_FILE: repo.passwordFile}, stdio: ['pipe', 'ignore', 'ignore']});
		try {
			const client = new ResticCli(repo.access);
			for (let i = 0; i < 100 && !(await client.locks()).some(l => l.exclusive); i++) await new Promise(r => setTimeout(r, 100));
			const before = (await client.snapshots()).length;
			const hooked = resto(['backup', 'hooked'], {RESTO_CONFIG: cfg});
			expect(hooked.status, hooked.stderr).toBe(11);
			expect(hooked.stderr).toMatch(/main is locked exclusively by PID \d+ on \S+ \(root\)/);
			expect(spawnSync('test', ['-e', marker]).status).not.toBe(0);
			// Without hooks restic's own lock check answers, also before it reads a file.
			const plain = resto(['backup', '--json', '--repo', repo.repoPath, data]);
			expect(plain.status, plain.stderr).toBe(11);
			expect(plain.stderr).toMatch(/is locked exclusively by PID \d+/);
			expect(plain.stdout).not.toMatch(/"type":"status"/);
			expect((await client.snapshots()).length).toBe(before);
		} finally {
			holder.stdin.end();
			await new Promise(r => holder.on('exit', r));
		}
		expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
	}, 60_000);

	test('unreadable files: exit 3, the files are listed, the snapshot is saved', async () => {
		// Tests run as root, which reads everything: run restic as nobody through a wrapper.
		const shared = tempDir('resto-nobody-');
		chmodSync(shared, 0o777);
		const nrepo = makeRepo({root: shared});
		spawnSync('chmod', ['-R', 'a+rwX', shared]);
		const src = path.join(shared, 'src');
		writeTree(src, {'ok.txt': 'fine\n', 'secret.txt': 'no\n'});
		chmodSync(path.join(src, 'secret.txt'), 0o600);
		spawnSync('chown', ['-R', 'root:root', src]);
		const wrapper = path.join(shared, 'restic-as-nobody');
		writeFileSync(wrapper, `#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp XDG_CACHE_HOME=${shared}/cache restic "$@"\n`, {mode: 0o755});
		const r = spawnSync(process.execPath, [cliPath, 'backup', '--repo', nrepo.repoPath, src], {env: {...env(), RESTIC_PASSWORD_FILE: nrepo.passwordFile, RESTIC_BIN: wrapper}, encoding: 'utf8'});
		expect(r.status, r.stderr).toBe(3);
		expect(r.stderr).toMatch(/could not read .*secret\.txt.*permission denied/);
		expect(r.stderr).toMatch(/snapshot saved, but 1 file could not be read/);
		nrepo.cleanup();
	});

	test('Ctrl-C mid-backup: restic gets SIGINT, exit 130, no snapshot, no lock, no process left', async () => {
		const before = (await new ResticCli(repo.access).snapshots()).length;
		const child = spawn(process.execPath, [cliPath, 'backup', '--json', '--repo', repo.repoPath, path.join(repo.root, 'big')], {env: env(), stdio: ['ignore', 'pipe', 'pipe']});
		let out = '';
		let err = '';
		child.stderr.on('data', c => (err += c));
		await new Promise<void>(resolve => {
			child.stdout.on('data', chunk => {
				out += chunk;
				if (out.includes('"bytesDone":') && /"bytesDone":[1-9]/.test(out)) resolve();
			});
		});
		child.kill('SIGINT');
		const code = await new Promise<number | null>(resolve => child.on('exit', c => resolve(c)));
		expect(code, err).toBe(130);
		const result = JSON.parse(out.trim().split('\n').at(-1)!) as {phase: string; message: string};
		expect(result).toMatchObject({phase: 'canceled', message: 'canceled, no snapshot written'});
		expect(resticPids(repo.repoPath)).toEqual([]);
		expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
		expect((await new ResticCli(repo.access).snapshots()).length).toBe(before);
	}, 60_000);

	test('SIGTERM to resto mid-backup also stops restic and releases its lock', async () => {
		const child = spawn(process.execPath, [cliPath, 'backup', '--json', '--repo', repo.repoPath, path.join(repo.root, 'big')], {env: env(), stdio: ['ignore', 'pipe', 'pipe']});
		let out = '';
		await new Promise<void>(resolve => child.stdout.on('data', c => ((out += c), /"bytesDone":[1-9]/.test(out) && resolve())));
		child.kill('SIGTERM');
		await new Promise(resolve => child.on('exit', resolve));
		for (let i = 0; i < 50 && resticPids(repo.repoPath).length > 0; i++) await new Promise(r => setTimeout(r, 100));
		expect(resticPids(repo.repoPath)).toEqual([]);
		expect(await new ResticCli(repo.access).listLocks()).toEqual([]);
	}, 60_000);

	test('two backups of one repository: the second refuses clearly', async () => {
		const first = spawn(process.execPath, [cliPath, 'backup', '--json', '--repo', repo.repoPath, path.join(repo.root, 'big')], {env: env(), stdio: ['ignore', 'pipe', 'pipe']});
		let out = '';
		await new Promise<void>(resolve => first.stdout.on('data', c => ((out += c), out.includes('"type":"status"') && resolve())));
		const second = resto(['backup', '--repo', repo.repoPath, data]);
		expect(second.status).toBe(11);
		expect(second.stderr).toMatch(/already backing up this repository/);
		first.kill('SIGINT');
		await new Promise(resolve => first.on('exit', resolve));
	}, 60_000);
});

describe('REST backend killed in the middle of a backup', () => {
	test('clear error and non-zero exit; after restart the repository checks clean and a retry succeeds', async () => {
		const root = tempDir('resto-rest-backup-');
		const server = await startRestServer(path.join(root, 'data'));
		const rest = makeRepo({root, repository: server.url});
		try {
			const child = spawn(process.execPath, [cliPath, 'backup', '--json', '--stall-timeout', '3', '--repo', server.url, path.join(repo.root, 'big')], {env: {...env(), RESTIC_PASSWORD_FILE: rest.passwordFile}, stdio: ['ignore', 'pipe', 'pipe']});
			let out = '';
			let err = '';
			child.stderr.on('data', c => (err += c));
			await new Promise<void>(resolve => child.stdout.on('data', c => ((out += c), /"bytesDone":[1-9]/.test(out) && resolve())));
			await server.kill();
			// restic 0.14 retries each blob for ≈ 45 s and gives up after ≈ 3 min. --stall-timeout stops it
			// (SIGINT) once bytes stayed frozen for 3 s while restic reported backend errors.
			const code = await new Promise<number | null>(resolve => child.on('exit', c => resolve(c)));
			expect(code, err).toBe(1);
			const events = out
				.trim()
				.split('\n')
				.map(l => JSON.parse(l) as {type: string; message?: string; phase?: string});
			expect(events.some(e => e.type === 'backend-error' && /connection refused|closed network connection|connection reset/.test(e.message ?? ''))).toBe(true);
			expect(events.at(-1)).toMatchObject({type: 'result', phase: 'failed'});
			expect(events.at(-1)?.message).toMatch(/the backend stopped responding: no progress for \d+ s while restic retried \(.+\); restic was stopped, no snapshot written/);
			expect(err).toMatch(/backend stopped responding/);
			expect(resticPids(server.url).length).toBe(0);
			await server.restart();
			const client = new ResticCli(rest.access);
			// restic 0.14 cannot remove its lock while the backend is down, so one stays behind. Its holder
			// is gone (no restic runs for this repository), but in a container without a reaping init it
			// lingers as a zombie and looks alive to `restic unlock`: remove it explicitly.
			expect(resticPids(server.url)).toEqual([]);
			await client.unlock({removeAll: true});
			const check = await client.check();
			expect(check.ok, check.output).toBe(true);
			const retry = spawnSync(process.execPath, [cliPath, 'backup', '--repo', server.url, data], {env: {...env(), RESTIC_PASSWORD_FILE: rest.passwordFile}, encoding: 'utf8'});
			expect(retry.status, retry.stderr + err).toBe(0);
		} finally {
			await server.kill();
			rest.cleanup();
		}
	}, 120_000);
});
