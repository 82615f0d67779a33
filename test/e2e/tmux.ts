/**
 * End-to-end harness: runs the built resto in a real pseudo-terminal (tmux, private socket), types
 * keys, waits for screen text, records the raw bytes resto wrote, and can kill processes.
 */
import {execFileSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {tempDir} from '../helpers/temp.js';

export const cliPath = fileURLToPath(new URL('../../build/cli.js', import.meta.url));

let counter = 0;

export interface TerminalOptions {
	args?: string[];
	env?: Record<string, string>;
	columns?: number;
	rows?: number;
	cwd?: string;
}

export class Terminal {
	readonly socket: string;
	readonly session = 'resto';
	readonly rawFile: string;
	/** The terminal's temp folder (the raw recording; HOME unless the test sets one); removed by close(). */
	readonly dir: string;

	private constructor() {
		this.dir = tempDir('resto-e2e-');
		this.socket = `resto-e2e-${process.pid}-${++counter}`;
		this.rawFile = path.join(this.dir, 'raw.bin');
	}

	private tmux(args: string[], env?: NodeJS.ProcessEnv): string {
		return execFileSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env});
	}

	/** Start `node build/cli.js ARGS` in a fresh tmux session of the given size. */
	static async start(options: TerminalOptions = {}): Promise<Terminal> {
		if (!existsSync(cliPath)) throw new Error('build/cli.js missing: run `node scripts/build.mjs` first');
		const t = new Terminal();
		// A private tmux server per terminal inherits this environment; nothing secret goes on argv.
		// HOME is the terminal's own folder unless the test names one: nothing a test does (a restore into
		// ~/resto-restore, a config or cache under ~) reaches the real home directory.
		const env: NodeJS.ProcessEnv = {...process.env, HOME: t.dir, TERM: 'xterm-256color', LANG: 'C.UTF-8', ...options.env};
		// Not inside another tmux (TMUX, TMUX_PANE); TMUX_TMPDIR (the test run's temp root) says where sockets go.
		for (const key of Object.keys(env)) if (key.startsWith('TMUX') && key !== 'TMUX_TMPDIR') delete env[key];
		const quoted = [process.execPath, cliPath, ...(options.args ?? [])].map(a => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
		// The short sleep lets pipe-pane attach before resto writes its first byte.
		const command = `sleep 0.3; exec ${quoted}`;
		t.tmux(
			[
				'-f',
				'/dev/null',
				'new-session',
				'-d',
				'-s',
				t.session,
				'-x',
				String(options.columns ?? 80),
				'-y',
				String(options.rows ?? 24),
				'-c',
				options.cwd ?? process.cwd(),
				command,
				';',
				'set-option',
				'-t',
				t.session,
				'remain-on-exit',
				'on',
				';',
				'pipe-pane',
				'-t',
				t.session,
				'-o',
				`cat >> '${t.rawFile}'`,
			],
			env,
		);
		return t;
	}

	/** The visible screen as text. */
	screen(): string {
		return this.tmux(['capture-pane', '-p', '-t', this.session]);
	}

	/** Send tmux key names (Enter, Escape, Up, C-c, q…). */
	keys(...names: string[]): void {
		this.tmux(['send-keys', '-t', this.session, ...names]);
	}

	/**
	 * Press `key` `times` times, one press at a time: each waits for the screen to change (up to `ms`) before
	 * the next goes. Sent as one burst, the presses can reach resto in one read, which Ink may take for one
	 * key (ESC ESC arrives as a single meta-Escape).
	 */
	async press(key: string, times: number, ms = 3000): Promise<void> {
		for (let i = 0; i < times; i++) {
			const before = this.screen();
			this.keys(key);
			const deadline = Date.now() + ms;
			while (Date.now() < deadline && this.screen() === before) await new Promise(r => setTimeout(r, 50));
		}
	}

	/**
	 * Go back with Escape until the screen shows `text` (at most `max` presses, one at a time): how many
	 * presses that takes depends on where the focus is (a query field, a message to dismiss, a dialog).
	 */
	async escapeTo(text: string | RegExp, max = 5): Promise<string> {
		for (let i = 0; i < max; i++) {
			this.keys('Escape');
			try {
				return await this.waitFor(text, 3000);
			} catch {
				// Not there yet: one more level back.
			}
		}
		return this.waitFor(text, 1000);
	}

	/** Type literal text. */
	type(text: string): void {
		this.tmux(['send-keys', '-t', this.session, '-l', text]);
	}

	/** Wait until the screen matches; returns the screen. Throws with the last screen on timeout. */
	async waitFor(match: string | RegExp | ((screen: string) => boolean), timeoutMs = 20_000): Promise<string> {
		const test = typeof match === 'function' ? match : (s: string) => (typeof match === 'string' ? s.includes(match) : match.test(s));
		const deadline = Date.now() + timeoutMs;
		let screen = '';
		while (Date.now() < deadline) {
			screen = this.screen();
			if (test(screen)) return screen;
			await new Promise(r => setTimeout(r, 100));
		}
		throw new Error(`e2e: timed out waiting for ${String(match)}; screen was:\n${screen}`);
	}

	/** Resize the terminal. */
	resize(columns: number, rows: number): void {
		this.tmux(['resize-window', '-t', this.session, '-x', String(columns), '-y', String(rows)]);
	}

	/** PID of the process in the pane (resto once exec'd), or undefined when it has exited. */
	pid(): number | undefined {
		const out = this.tmux(['display-message', '-p', '-t', this.session, '#{pane_dead} #{pane_pid}']).trim();
		const [dead, pid] = out.split(' ');
		return dead === '1' ? undefined : Number(pid);
	}

	/** Whether resto (the pane's command) is still running; its exit status once it ended. */
	exitStatus(): number | undefined {
		const out = this.tmux(['display-message', '-p', '-t', this.session, '#{pane_dead} #{pane_dead_status}']).trim();
		const [dead, status] = out.split(' ');
		return dead === '1' ? Number(status) : undefined;
	}

	/** Everything resto wrote to the terminal, raw. */
	raw(): Buffer {
		return existsSync(this.rawFile) ? readFileSync(this.rawFile) : Buffer.alloc(0);
	}

	/** Kill the session and remove temp files. */
	close(): void {
		try {
			this.tmux(['kill-server']);
		} catch {
			// already gone
		}
		rmSync(this.dir, {recursive: true, force: true});
	}
}

/** The folders restores made below `root` (`<short id>-<YYYYMMDD-HHMMSS>`, -2, -3… when taken); [] when none. */
export function restoreDirs(root: string): string[] {
	if (!existsSync(root)) return [];
	return readdirSync(root).filter(d => /^[0-9a-f]{8}-\d{8}-\d{6}(-\d+)?$/.test(d));
}

/**
 * PIDs of running restic processes, optionally only those working on `repository` (read from their
 * environment: tests run in parallel, and orphans of a dead resto have no parent link left).
 */
export function resticPids(repository?: string): number[] {
	const out: number[] = [];
	for (const entry of execFileSync('ls', ['/proc'], {encoding: 'utf8'}).split('\n')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (!(path.basename(cmd[0] ?? '') === 'restic' || (cmd[0] === 'nice' && cmd.includes('restic')))) continue;
			if (repository !== undefined) {
				const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
				if (!environ.some(v => v === `RESTIC_REPOSITORY=${repository}` || v.startsWith(`RESTIC_REPOSITORY=${repository}/`))) continue;
			}
			out.push(Number(entry));
		} catch {
			// process ended while we looked
		}
	}
	return out;
}

/** Polls every process's argv (/proc/PID/cmdline) in the background, collecting what it saw. */
export class ArgvWatcher {
	private timer: NodeJS.Timeout | undefined;
	readonly seen = new Set<string>();

	start(intervalMs = 15): this {
		const scan = () => {
			for (const entry of execFileSync('ls', ['/proc'], {encoding: 'utf8'}).split('\n')) {
				if (!/^\d+$/.test(entry)) continue;
				try {
					const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
					if (cmd) this.seen.add(cmd.replace(/\0/g, ' '));
				} catch {
					// gone
				}
			}
		};
		scan();
		this.timer = setInterval(scan, intervalMs);
		return this;
	}

	stop(): void {
		clearInterval(this.timer);
	}

	/** Command lines that contain `needle`. */
	containing(needle: string): string[] {
		return [...this.seen].filter(c => c.includes(needle));
	}
}
