/** The file viewer against real restic dumps: scrolling, wrapping, sideways, load more, UTF-8, a 2 MB line. */
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
let snapshotId: string;
let src: string;

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'home');
	writeTree(src, {
		'lines.txt': Array.from({length: 200}, (_, i) => `line ${i + 1}`).join('\n') + '\n',
		'日本語メモ.txt': 'バックアップを確認する\n二行目のテキスト\n',
		'one-line.txt': `${'a'.repeat(2 * 1024 * 1024 - 3)}END`,
		'wide.txt': `${'0123456789'.repeat(30)}TAIL\nshort\n`,
	});
	snapshotId = repo.backup([src]);
	config = {repositories: [{name: 'r', access: repo.access}], backupSets: [], drill: {months: 3, files: 1}, source: 'file'};
});
afterAll(() => repo.cleanup());

function viewer(file: string, columns = 80, rows = 24) {
	return renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} initialRoute={{name: 'file', repo: 'r', snapshotId, path: path.join(src, file)}} />, columns, rows);
}

describe('file viewer', () => {
	test('scrolls with j/k, PgDn/PgUp, g/G', async () => {
		const ui = viewer('lines.txt');
		try {
			let frame = await waitForText(ui.lastFrame, 'line 1\n');
			expect(frame).toContain('whole file, 1.7 KiB');
			expect(frame).toContain('rows 1–19 of 200');
			ui.stdin.write('jjj');
			frame = await waitForText(ui.lastFrame, 'rows 4–22 of 200');
			expect(frame).toMatch(/^line 4$/m);
			ui.stdin.write(keys.pageDown);
			await waitForText(ui.lastFrame, 'rows 23–41 of 200');
			ui.stdin.write('G');
			frame = await waitForText(ui.lastFrame, 'rows 182–200 of 200');
			expect(frame).toMatch(/^line 200$/m);
			ui.stdin.write(keys.pageUp);
			await waitForText(ui.lastFrame, 'rows 163–181 of 200');
			ui.stdin.write('g');
			await waitForText(ui.lastFrame, 'rows 1–19 of 200');
		} finally {
			ui.unmount();
		}
	});

	test('valid UTF-8 in any script is text; x toggles hex and back', async () => {
		const ui = viewer('日本語メモ.txt');
		try {
			let frame = await waitForText(ui.lastFrame, 'バックアップを確認する');
			expect(frame).toContain('二行目のテキスト');
			expect(frame).toContain('wrapped');
			ui.stdin.write('x');
			frame = await waitForText(ui.lastFrame, '000000  e3 83 90');
			ui.stdin.write('x');
			await waitForText(ui.lastFrame, 'バックアップを確認する');
		} finally {
			ui.unmount();
		}
	});

	test('long lines wrap; w scrolls sideways instead (l/h)', async () => {
		const ui = viewer('wide.txt', 60, 15);
		try {
			let frame = await waitForText(ui.lastFrame, 'TAIL');
			expect(frame).toContain('wrapped');
			ui.stdin.write('w');
			frame = await waitForText(ui.lastFrame, 'not wrapped');
			expect(frame).not.toContain('TAIL');
			ui.stdin.write('llllllllll');
			frame = await waitForText(ui.lastFrame, 'TAIL');
			expect(frame).toMatch(/from column \d+/);
			ui.stdin.write('hhhhhhhhhhhh');
			await waitForText(ui.lastFrame, 'not wrapped');
		} finally {
			ui.unmount();
		}
	});

	test('a 2 MB file on one line: first 64 KiB at once, m loads more, G reaches its end', {timeout: 120_000}, async () => {
		const ui = viewer('one-line.txt', 60, 15);
		try {
			let frame = await waitForText(ui.lastFrame, 'first 64 KiB', 30_000);
			expect(frame).toMatch(/^a{60}$/m);
			ui.stdin.write('m');
			await waitForText(ui.lastFrame, 'first 256 KiB', 30_000);
			ui.stdin.write('m');
			await waitForText(ui.lastFrame, 'first 1.0 MiB', 30_000);
			ui.stdin.write('m');
			frame = await waitForText(ui.lastFrame, 'whole file, 2.0 MiB', 30_000);
			const started = Date.now();
			ui.stdin.write('G');
			frame = await waitForFrame(ui.lastFrame, f => /a*END$/m.test(f), 30_000);
			// 35 000 wrapped rows: scrolling is a slice of rows computed once, not a re-layout.
			expect(Date.now() - started).toBeLessThan(5_000);
			ui.stdin.write('m');
			await waitForText(ui.lastFrame, 'the whole file is shown');
		} finally {
			ui.unmount();
		}
	});
});
