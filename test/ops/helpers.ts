/** Helpers for the operations tests: run the built resto with a private XDG tree and config. */
import {spawn, spawnSync} from 'node:child_process';
import path from 'node:path';
import {cliPath} from '../e2e/tmux.js';

/** Environment for resto: no inherited RESTIC_/RESTO_ settings, XDG dirs under `xdg`. */
export function restoEnv(xdg: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
	const base: NodeJS.ProcessEnv = {...process.env};
	for (const k of Object.keys(base)) if (k.startsWith('RESTIC_') || k.startsWith('RESTO_')) delete base[k];
	const full: Record<string, string | undefined> = {
		...base,
		XDG_CONFIG_HOME: path.join(xdg, 'config'),
		XDG_CACHE_HOME: path.join(xdg, 'cache'),
		XDG_STATE_HOME: path.join(xdg, 'state'),
		XDG_DATA_HOME: path.join(xdg, 'data'),
		RESTIC_CACHE_DIR: path.join(xdg, 'restic-cache'),
		...extra,
	};
	for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
	return full as NodeJS.ProcessEnv;
}

/** Run the built resto synchronously. */
export function resto(xdg: string, args: string[], env: Record<string, string | undefined> = {}, timeout = 120_000) {
	return spawnSync(process.execPath, [cliPath, ...args], {
		env: restoEnv(xdg, env),
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
		timeout,
	});
}

/** Start the built resto asynchronously (for cancel tests). */
export function restoAsync(xdg: string, args: string[], env: Record<string, string | undefined> = {}) {
	const child = spawn(process.execPath, [cliPath, ...args], {
		env: restoEnv(xdg, env),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
	child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
	const done = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
	return {child, done, out: () => stdout, err: () => stderr};
}

/** Poll until `check` is true. */
export async function waitFor(check: () => boolean, timeoutMs = 60_000, what = 'condition'): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise(r => setTimeout(r, 100));
	}
}

export {cliPath};
