/** Helpers for ink-testing-library screen tests: poll frames instead of sleeping, named keys. */

/** Escape sequences for keys, as a terminal sends them. */
export const keys = {
	up: '\u001B[A',
	down: '\u001B[B',
	right: '\u001B[C',
	left: '\u001B[D',
	enter: '\r',
	escape: '\u001B',
	backspace: '\u007F',
	tab: '\t',
	ctrlC: '\u0003',
	pageDown: '\u001B[6~',
	pageUp: '\u001B[5~',
} as const;

/** Wait until `predicate(frame)` holds (polling every 20 ms), or throw with the last frame. */
export async function waitForFrame(lastFrame: () => string | undefined, predicate: (frame: string) => boolean, timeoutMs = 20_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	let frame = '';
	while (Date.now() < deadline) {
		frame = lastFrame() ?? '';
		if (predicate(frame)) return frame;
		await new Promise(r => setTimeout(r, 20));
	}
	throw new Error(`timed out waiting for frame; last frame:\n${frame}`);
}

/** Wait for text to appear in the frame. */
export function waitForText(lastFrame: () => string | undefined, text: string | RegExp, timeoutMs?: number): Promise<string> {
	return waitForFrame(lastFrame, f => (typeof text === 'string' ? f.includes(text) : text.test(f)), timeoutMs);
}

/** Let Ink process pending input (one macrotask turn plus a little). */
export function tick(ms = 30): Promise<void> {
	return new Promise(r => setTimeout(r, ms));
}

import {EventEmitter} from 'node:events';
import {render as inkRender, type Instance} from 'ink';
import type {ReactElement} from 'react';

class SizedStdout extends EventEmitter {
	frames: string[] = [];
	private last: string | undefined;
	constructor(
		public columns: number,
		public rows: number,
	) {
		super();
	}
	isTTY = true;
	write = (frame: string) => {
		this.frames.push(frame);
		this.last = frame;
		return true;
	};
	lastFrame = () => this.last;
	/** Simulate a terminal resize. */
	resize(columns: number, rows: number) {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

class FakeStdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;
	write = (data: string) => {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	};
	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
	read = () => {
		const d = this.data;
		this.data = null;
		return d;
	};
}

/** Render at a given terminal size (ink-testing-library is fixed at 100 columns). */
export function renderAt(tree: ReactElement, columns = 80, rows = 24): {lastFrame: () => string | undefined; stdin: FakeStdin; stdout: SizedStdout; instance: Instance; unmount: () => void} {
	const stdout = new SizedStdout(columns, rows);
	const stdin = new FakeStdin();
	const instance = inkRender(tree, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: new SizedStdout(columns, rows) as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	return {lastFrame: stdout.lastFrame, stdin, stdout, instance, unmount: () => instance.unmount()};
}
