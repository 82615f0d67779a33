/** Several keys in one stdin chunk (tmux send-keys, a loaded machine, a paste) are each handled. */
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {ResticCli} from '../../source/restic/client.js';
import {loadTheme} from '../../source/theme/load.js';
import {keys, renderAt, waitForFrame, waitForText} from '../helpers/ink.js';
import {makeRepo, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let config: Config;

beforeAll(() => {
	repo = makeRepo();
	const src = path.join(repo.root, 'home');
	writeTree(src, {'docs/letter.txt': 'hello\n'});
	for (const [i, host] of ['alpha', 'beta', 'alpha', 'beta', 'alpha'].entries()) {
		writeTree(src, {'docs/letter.txt': `hello ${i}\n`});
		repo.backup([src], {host, tags: [`t${i}`], time: `2026-0${i + 1}-10 10:00:00`});
	}
	config = {repositories: [{name: 'r', access: repo.access}], backupSets: [], drill: {months: 3, files: 1}, source: 'file'};
	process.env.XDG_CACHE_HOME = path.join(repo.root, 'cache');
});
afterAll(() => repo.cleanup());

/** The selected row of a frame (lists mark it with `›` in their gutter). */
function selectedRow(frame: string): string | undefined {
	return frame.split('\n').find(l => l.startsWith('›'));
}

function app(route: Parameters<typeof App>[0]['initialRoute'], columns = 80, rows = 24) {
	return renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} initialRoute={route} />, columns, rows);
}

describe('keys that arrive together', () => {
	test('`jjj` in one chunk moves three rows, `\\x1b[A\\x1b[A` two back, `oh` sorts and groups', async () => {
		const ui = app({name: 'snapshots', repo: 'r'});
		try {
			await waitForText(ui.lastFrame, 't0');
			expect(selectedRow(ui.lastFrame()!)).toContain('t4');
			ui.stdin.write('jjj');
			await waitForFrame(ui.lastFrame, f => selectedRow(f)?.includes('t1') ?? false);
			ui.stdin.write(`${keys.up}${keys.up}`);
			await waitForFrame(ui.lastFrame, f => selectedRow(f)?.includes('t3') ?? false);
			ui.stdin.write('oh');
			const frame = await waitForText(ui.lastFrame, 'grouped by host');
			expect(frame).toContain('oldest first');
		} finally {
			ui.unmount();
		}
	});

	test('ESC ESC in one read is two Esc presses (two screens back); ESC ESC [B is one alt+down', async () => {
		const ui = app({name: 'repos'});
		try {
			await waitForText(ui.lastFrame, 'NAME');
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, 't0');
			// Alt+down (ESC ESC [ B) is one key: one row down, not an Esc and a stray `[B`.
			ui.stdin.write('\u001B\u001B[B');
			await waitForFrame(ui.lastFrame, f => selectedRow(f)?.includes('t3') ?? false);
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, 'docs');
			// What `tmux send-keys Escape Escape` sends: both bytes in one read.
			ui.stdin.write('\u001B\u001B');
			await waitForFrame(ui.lastFrame, f => f.includes('NAME') && f.includes('LOCATION'));
			expect(ui.lastFrame()).not.toContain('t0');
		} finally {
			ui.unmount();
		}
	});

	test('a key that opens a screen, then text typed in the same burst lands in its field', async () => {
		const ui = app({name: 'snapshots', repo: 'r'});
		try {
			await waitForText(ui.lastFrame, 't0');
			// `s` opens search; the query after it must not be read as commands (q would quit).
			ui.stdin.write('sletterq');
			await waitForText(ui.lastFrame, 'search: letterq');
		} finally {
			ui.unmount();
		}
	});

	test('a 10 000-character paste goes into the search field whole; three backspaces delete three', {timeout: 120_000}, async () => {
		const ui = app({name: 'search', repo: 'r'});
		try {
			await waitForText(ui.lastFrame, /snapshots indexed/, 60_000);
			const paste = `${'ab'.repeat(4_997)}XYZQ?j`;
			expect(paste).toHaveLength(10_000);
			ui.stdin.write(paste);
			await waitForText(ui.lastFrame, 'XYZQ?j');
			await waitForText(ui.lastFrame, 'No match');
			ui.stdin.write('\u007F\u007F\u007F');
			await waitForFrame(ui.lastFrame, f => /XYZ\S*\s*$/m.test(f.split('\n')[1] ?? '') && !f.includes('XYZQ'));
			// ^U clears; a query typed in one chunk arrives whole.
			ui.stdin.write('\u0015letter');
			await waitForText(ui.lastFrame, 'docs/letter.txt');
		} finally {
			ui.unmount();
		}
	});

	test('in the query field ? and q are text; once the field is left they open help and quit', {timeout: 120_000}, async () => {
		const ui = app({name: 'snapshots', repo: 'r'});
		try {
			await waitForText(ui.lastFrame, 't0');
			ui.stdin.write('s');
			await waitForText(ui.lastFrame, /snapshots indexed/, 60_000);
			ui.stdin.write('letter?q');
			await waitForText(ui.lastFrame, 'search: letter?q');
			ui.stdin.write('\u007F\u007F');
			await waitForText(ui.lastFrame, 'docs/letter.txt');
			// The footer says what Esc does here.
			expect(ui.lastFrame()).toContain('esc leave field');
			// Versions pane: ? opens help, q closes it.
			ui.stdin.write(keys.tab);
			await waitForFrame(ui.lastFrame, f => f.includes('/ edit query') && !f.includes('tab: pick a version'));
			ui.stdin.write('?');
			await waitForText(ui.lastFrame, 'esc leaves the field');
			ui.stdin.write('q');
			await waitForFrame(ui.lastFrame, f => f.includes('search: letter') && !f.includes('esc leaves the field'));
			// Tab back to the field, Esc to the results list, / goes back into the field.
			ui.stdin.write(keys.tab);
			await waitForText(ui.lastFrame, 'esc leave field');
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, '/ edit query');
			ui.stdin.write('/x');
			await waitForText(ui.lastFrame, 'search: letterx');
			ui.stdin.write(`\u007F${keys.escape}`);
			await waitForText(ui.lastFrame, '/ edit query');
			ui.stdin.write('q');
			await ui.instance.waitUntilExit();
		} finally {
			ui.unmount();
		}
	});

	test('the footer lists only live keys: no esc on the first screen; a disabled key says why', {timeout: 120_000}, async () => {
		const ui = app({name: 'snapshots', repo: 'r'});
		try {
			const frame = await waitForText(ui.lastFrame, 't0');
			expect(frame).not.toMatch(/esc back/);
			ui.stdin.write('s');
			await waitForText(ui.lastFrame, 'esc leave field');
			// Nothing typed, nothing selected: ^O says why it does nothing.
			ui.stdin.write('\u000F');
			await waitForText(ui.lastFrame, 'no result selected');
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, 'esc back');
		} finally {
			ui.unmount();
		}
	});
});
