/** Small helpers shared by the e2e-faults-* tests. */
import {readFileSync} from 'node:fs';
import type {Terminal} from './tmux.js';

/** Poll `ok` every `every` ms until it holds or `ms` passed; returns the last answer. */
export async function waitUntil(ok: () => boolean, ms: number, every = 50): Promise<boolean> {
	const end = Date.now() + ms;
	while (Date.now() < end && !ok()) await new Promise(r => setTimeout(r, every));
	return ok();
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
