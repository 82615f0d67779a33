/**
 * Once per test run (vitest globalSetup): every temporary file of the run lives under one private root, and
 * nothing of it outlives the run.
 *
 * setup() makes `<tmp>/rt-XXXXXX` and points TMPDIR at it before any worker starts, so the workers, the resto and
 * restic processes they start, and the tmux servers of the e2e tests (TMUX_TMPDIR) all put their temporary files
 * there: test repositories, the shared restic cache, drill restores, `restic check`'s restic-check-cache-*. The
 * name is short on purpose: the e2e tests show temp paths on 80-column screens. HOME is `<root>/home`.
 *
 * teardown() names whatever the run left in that root (test/helpers/setup-file.ts already removed every
 * tempDir() of each file, so what remains is a leak of a test or of resto itself), then removes the root. With
 * RESTO_TEST_LEFTOVERS set (scripts/run-tests.mjs does), the names are also written to that file so the run can
 * count them.
 */
import {chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {removeTree} from './temp.js';

/** What may remain in the root at the end: the restic cache every test shares, tmux's socket directory. */
const expected = new Set(['resto-test-restic-cache', `tmux-${process.getuid?.() ?? 0}`, 'home']);

let root: string | undefined;
let previous: {TMPDIR?: string; TMUX_TMPDIR?: string; HOME?: string} = {};

export function setup(): void {
	root = mkdtempSync(path.join(os.tmpdir(), 'rt-'));
	// Like /tmp itself: tests run restic as nobody (unreadable-file cases), and restic writes its temporary
	// pack files into TMPDIR.
	chmodSync(root, 0o1777);
	previous = {TMPDIR: process.env.TMPDIR, TMUX_TMPDIR: process.env.TMUX_TMPDIR, HOME: process.env.HOME};
	// A home of the run's own: restores default to ~/resto-restore and resto's XDG folders default below the
	// home, so no test can write into the real one (CI's or a developer's).
	const home = path.join(root, 'home');
	mkdirSync(home, {mode: 0o700});
	process.env.HOME = home;
	process.env.TMPDIR = root;
	process.env.TMUX_TMPDIR = root;
	process.env.RESTO_TEST_TMP_ROOT = root;
}

export function teardown(): void {
	if (!root) return;
	const left = readdirSync(root).filter(name => !expected.has(name));
	if (left.length > 0) {
		console.error(`\ntests left ${left.length} temporary ${left.length === 1 ? 'entry' : 'entries'} behind (now removed): ${left.join(' ')}`);
	}
	if (process.env.RESTO_TEST_LEFTOVERS) writeFileSync(process.env.RESTO_TEST_LEFTOVERS, left.map(name => `${name}\n`).join(''));
	try {
		removeTree(root);
	} catch (error) {
		console.error(`could not remove the test temp root ${root}: ${(error as Error).message}`);
	}
	for (const [key, value] of Object.entries(previous)) {
		if (value === undefined) delete process.env[key];
		else process.env[key] = value;
	}
	root = undefined;
}
