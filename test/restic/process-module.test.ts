/**
 * The one process module: a shell command (a backup hook) runs tracked, in its own process group,
 * with its output redacted; timeout and cancel stop the whole group.
 */
import {readFileSync, readdirSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import {liveChildCount, runCommand} from '../../source/restic/process.js';

const running = (marker: string) =>
	readdirSync('/proc')
		.filter(e => /^\d+$/.test(e))
		.some(e => {
			try {
				return readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() === marker;
			} catch {
				return false;
			}
		});

async function until(ok: () => boolean, ms: number): Promise<boolean> {
	const end = Date.now() + ms;
	// True the moment `ok` holds: asking again after the loop could see a passing state already gone.
	for (;;) {
		if (ok()) return true;
		if (Date.now() >= end) return false;
		await new Promise(r => setTimeout(r, 25));
	}
}

describe('runCommand', () => {
	test('output is redacted: listed secrets and credentials in locations', async () => {
		const r = await runCommand('echo "repo rest:https://u:hunter22@host/ token TOPSECRET1"; echo oops >&2; exit 3', {secrets: ['TOPSECRET1']});
		expect(r.exitCode).toBe(3);
		expect(r.output).toContain('rest:https://u:***@host/');
		expect(r.output).toContain('token ***');
		expect(r.output).not.toMatch(/hunter22|TOPSECRET1/);
		expect(r.output).toContain('oops');
	});

	test('a timeout stops the command and everything it started', async () => {
		const marker = 'sleep 1000.75';
		const t = Date.now();
		const r = await runCommand(`${marker} & ${marker}; wait`, {timeoutMs: 500});
		expect(r.timedOut).toBe(true);
		expect(Date.now() - t).toBeLessThan(5000);
		expect(await until(() => !running(marker), 5000)).toBe(true);
		expect(liveChildCount()).toBe(0);
	});

	test('cancel stops the command and everything it started', async () => {
		const marker = 'sleep 1000.875';
		const controller = new AbortController();
		const p = runCommand(`${marker} & ${marker}; wait`, {signal: controller.signal});
		expect(await until(() => running(marker), 5000)).toBe(true);
		expect(liveChildCount('hook')).toBe(1);
		controller.abort();
		const r = await p;
		expect(r.canceled).toBe(true);
		expect(await until(() => !running(marker), 5000)).toBe(true);
	});
});
