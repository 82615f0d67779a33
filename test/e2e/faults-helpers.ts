/** Small helpers shared by the e2e-faults-* tests. */
import {randomBytes} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {makeRepo, startRestServer, tempDir, writeTree, type RestServer, type TestRepo} from '../helpers/restic.js';
import type {Terminal} from './tmux.js';

/**
 * A REST repository (rclone limited to 6 MB/s) with a 64 MB backup set "everything" of repository
 * "home": the backup lasts about ten seconds, long enough to interfere with. Plus a config, env and cwd.
 */
export async function slowBackupFixture(prefix: string): Promise<{repo: TestRepo; server: RestServer; env: Record<string, string>; cwd: string}> {
	const root = tempDir(prefix);
	const server = await startRestServer(path.join(root, 'rest'), undefined, {args: ['--bwlimit', '6M']});
	const repo = makeRepo({root, repository: server.url});
	const src = path.join(root, 'home');
	const files: Record<string, Buffer> = {};
	for (let i = 0; i < 64; i++) files[`big/b${i}.bin`] = randomBytes(1 << 20);
	writeTree(src, files);
	const cfg = path.join(root, 'config.yaml');
	writeFileSync(cfg, `repositories:\n  - name: home\n    repository: ${server.url}\n    passwordFile: ${repo.passwordFile}\nbackupSets:\n  - name: everything\n    repository: home\n    paths: [${src}]\n`);
	const cwd = tempDir('resto-e2e-cwd-');
	const env = {RESTO_CONFIG: cfg, XDG_CACHE_HOME: path.join(root, 'cache'), XDG_STATE_HOME: path.join(root, 'state')};
	return {repo, server, env, cwd};
}

/** Poll `ok` every `every` ms until it holds (true) or `ms` passed (false). */
export async function waitUntil(ok: () => boolean, ms: number, every = 50): Promise<boolean> {
	const end = Date.now() + ms;
	// True the moment `ok` holds: asking again after the loop could see a passing state already gone.
	for (;;) {
		if (ok()) return true;
		if (Date.now() >= end) return false;
		await new Promise(r => setTimeout(r, every));
	}
}

/** True while a process with this PID runs (a zombie waiting to be reaped has ended). */
export function alive(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
	} catch {
		return false;
	}
}

/**
 * Wait until resto (PID `pid`, read before it was told to end) is really gone. tmux marks the pane dead
 * when the terminal closes and fills in the exit status only later, sometimes not at all: the process
 * table is the truth. Returns the exit status when tmux knows it.
 */
export async function waitForExit(t: Terminal, pid: number, ms = 15_000): Promise<number | undefined> {
	const gone = await waitUntil(() => t.exitStatus() !== undefined && !alive(pid), ms);
	if (!gone) throw new Error(`resto (PID ${pid}) did not exit within ${ms} ms; screen was:\n${t.screen()}`);
	await waitUntil(() => Number.isFinite(t.exitStatus()), 1000);
	const status = t.exitStatus();
	return Number.isFinite(status) ? status : undefined;
}

/** Press q and wait until resto is gone; returns its exit status when tmux knows it (0 expected). */
export async function quit(t: Terminal): Promise<number | undefined> {
	const pid = t.pid()!;
	t.keys('q');
	return waitForExit(t, pid);
}
