/**
 * Golden frames: every screen at 60×15 (the documented minimum), 80×24 and 120×40, against a real
 * repository. Frames hold dates, so the checks are structural: the frame fits (no line wider than the
 * terminal, no more rows), the breadcrumb and footer are there, titles, step names and y/n survive,
 * and words of dialogs are never broken across lines.
 */
import {rmSync} from 'node:fs';
import path from 'node:path';
import stringWidth from 'string-width';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {ResticCli} from '../../source/restic/client.js';
import {loadTheme} from '../../source/theme/load.js';
import {keys, renderAt, waitForFrame, waitForText} from '../helpers/ink.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let config: Config;
let src: string;
const sizes = [
	[60, 15],
	[80, 24],
	[120, 40],
] as const;
// A path of 300 columns (names stop at 255 bytes): a long directory and a long name in it.
const longName = `${'d'.repeat(140)}/very-long-${'n'.repeat(143)}end.txt`;

let xdg: string[] = [];
beforeAll(() => {
	xdg = [tempDir('resto-golden-state-'), tempDir('resto-golden-cache-')];
	process.env.XDG_STATE_HOME = xdg[0];
	process.env.XDG_CACHE_HOME = xdg[1];
	repo = makeRepo();
	src = path.join(repo.root, 'home');
	const files: Record<string, string> = {'日本語メモ.txt': 'バックアップを確認する\n', 'docs/letter.txt': 'Dear restic,\n', [longName]: 'long\n'};
	for (let i = 0; i < 14; i++) files[`notes/note-${String(i).padStart(2, '0')}.md`] = `note ${i}\n`;
	writeTree(src, files);
	repo.backup([src], {host: 'laptop', tags: ['home'], time: '2026-01-10 10:00:00'});
	writeTree(src, {'docs/letter.txt': 'Dear restic, again\n'});
	repo.backup([src], {host: 'desktop', time: '2026-02-10 10:00:00'});
	config = {repositories: [{name: 'local', access: repo.access}], backupSets: [{name: 'home', repository: 'local', paths: [src]}], drill: {months: 1200, files: 1}, source: 'file'};
});
afterAll(() => {
	repo.cleanup();
	for (const dir of xdg) rmSync(dir, {recursive: true, force: true});
});

function app(route: Parameters<typeof App>[0]['initialRoute'], columns: number, rows: number) {
	return renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} initialRoute={route} />, columns, rows);
}

/** The frame fits the terminal and has its frame parts. */
function checkFrame(frame: string, columns: number, rows: number, must: Array<string | RegExp> = []): void {
	const lines = frame.split('\n');
	expect(lines.length, frame).toBeLessThanOrEqual(rows);
	for (const line of lines) expect(stringWidth(line), `line wider than ${columns}: ${line}`).toBeLessThanOrEqual(columns);
	expect(lines[0]).toMatch(/^resto/);
	// The footer: the keys of this screen (or of the overlay on top).
	expect(lines.at(-1)).toMatch(/q quit|y yes|esc close/);
	for (const m of must) expect(frame).toMatch(typeof m === 'string' ? new RegExp(m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : m);
}

/** Every word of `text` (of 4+ letters) appears whole in the frame: nothing was broken mid-word. */
function wordsWhole(frame: string, text: string): void {
	for (const word of text.split(/\s+/).filter(w => /^[A-Za-z]{4,}[,.?]?$/.test(w))) expect(frame, word).toContain(word.replace(/[,.?]$/, ''));
}

describe.each(sizes)('golden frames at %i×%i', (columns, rows) => {
	test('repositories, snapshots, tree (with a CJK name and a 300-column name), file, help', {timeout: 120_000}, async () => {
		const ui = app(undefined, columns, rows);
		try {
			let frame = await waitForText(ui.lastFrame, /ok\s+2/, 60_000);
			checkFrame(frame, columns, rows, ['local']);
			expect(frame).not.toContain('esc back');
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, 'desktop');
			checkFrame(frame, columns, rows, ['2 snapshots', '2026-02-10 10:00', '2026-01-10 10:00', 'esc back']);
			// restic 0.14 reports no snapshot size: no empty SIZE column.
			expect(frame).not.toContain('SIZE');
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, 'notes/');
			checkFrame(frame, columns, rows, ['docs/', '日本語メモ.txt']);
			// Two-column characters keep the columns aligned: the size column ends where the others do.
			const cjk = frame.split('\n').find(l => l.includes('日本語メモ.txt'))!;
			const ascii = frame.split('\n').find(l => l.includes('docs/'))!;
			expect(stringWidth(cjk)).toBe(stringWidth(ascii));
			expect(frame).toContain('ddd');
			// Into notes/: 14 entries; the list uses its rows and marks what is below.
			ui.stdin.write('jj');
			await waitForFrame(ui.lastFrame, f => /^›.*notes\//m.test(f));
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, /home\/notes\n/);
			checkFrame(frame, columns, rows, ['14 here']);
			const shown = frame.split('\n').filter(l => /note-\d\d\.md/.test(l) && !l.includes('·')).length;
			if (shown < 14) expect(frame).toMatch(/^↓/m);
			ui.stdin.write('G');
			await waitForFrame(ui.lastFrame, f => /^›.*note-13\.md/m.test(f));
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, 'note 13');
			checkFrame(frame, columns, rows, ['note-13.md', 'wrapped']);
			ui.stdin.write('?');
			frame = await waitForText(ui.lastFrame, 'Keys');
			checkFrame(frame, columns, rows, ['Quit']);
			ui.stdin.write(keys.escape);
			await waitForFrame(ui.lastFrame, f => !f.includes('Keys'));
			// The restore dialog: what, from which snapshot, the whole target, its keys.
			ui.stdin.write('r');
			frame = await waitForText(ui.lastFrame, 'Restore file');
			checkFrame(frame, columns, rows, ['enter restore', 'e edit target']);
			wordsWhole(frame, 'Restore file from snapshot Into: a new folder, created for this restore');
			// Paths wrap at any column: compare without white space.
			expect(frame.replace(/\s+/g, '')).toMatch(/Into:\/.*\/resto-restore\/[0-9a-f]{8}-\d{8}-\d{6}\//);
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, 'note 13');
		} finally {
			ui.unmount();
		}
	});

	test('search with results and versions', {timeout: 120_000}, async () => {
		const ui = app({name: 'search', repo: 'local'}, columns, rows);
		try {
			await waitForText(ui.lastFrame, /2 snapshots indexed/, 60_000);
			ui.stdin.write('letter');
			let frame = await waitForText(ui.lastFrame, '2 versions in 2 snapshots');
			checkFrame(frame, columns, rows, ['search: letter', 'docs/letter.txt', 'esc leave field']);
			// The backup root once above the rows; each row the path below it.
			expect(frame).toMatch(/^in \/.*\S/m);
			expect(frame).toMatch(/^›[ ●]docs\/letter\.txt /m);
			ui.stdin.write(keys.tab);
			frame = await waitForFrame(ui.lastFrame, f => f.includes('/ edit query') && !f.includes('tab: pick a version'));
			// Version rows show their fields, the newest first.
			checkFrame(frame, columns, rows, ['2026-02-10', '2026-01-10']);
			if (columns >= 80) expect(frame).toMatch(/modified \d{4}-\d\d-\d\d \d\d:\d\d/);
			ui.stdin.write('メモ');
			await waitForFrame(ui.lastFrame, f => !f.includes('search: letterメモ'));
			ui.stdin.write(`/\u0015end.txt`);
			frame = await waitForText(ui.lastFrame, /n+end\.txt\s/);
			// The 300-column path keeps its file name (its directories are cut from the left); one column before it holds the mark (● marked).
			checkFrame(frame, columns, rows, [/^›[ ●]…?[dn/-]*very-long-n*end\.txt|^›[ ●]….*nend\.txt/m]);
			ui.stdin.write(`\u0015メモ`);
			frame = await waitForText(ui.lastFrame, '日本語メモ.txt');
			checkFrame(frame, columns, rows);
		} finally {
			ui.unmount();
		}
	});

	test('backup and drill (step names, the y/n question, resized to 60×15 and back mid-question)', {timeout: 180_000}, async () => {
		let ui = app({name: 'backup', repo: 'local'}, columns, rows);
		try {
			const frame = await waitForText(ui.lastFrame, 'home');
			checkFrame(frame, columns, rows);
		} finally {
			ui.unmount();
		}
		ui = app({name: 'drill', repo: 'local'}, columns, rows);
		try {
			let frame = await waitForText(ui.lastFrame, 'Press enter to start');
			checkFrame(frame, columns, rows);
			for (const step of ['Check the repository', 'Pick a random file', 'Restore it', 'Prove it', 'Human checklist', 'Report']) expect(frame).toContain(step);
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, 'pick another', 120_000);
			checkFrame(frame, columns, rows, ['Picked', 'enter restore it']);
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, /y\/n/, 120_000);
			checkFrame(frame, columns, rows, ['Human checklist']);
			// Resize to the minimum and back in the middle of the question: it stays readable.
			ui.stdout.resize(60, 15);
			frame = await waitForFrame(ui.lastFrame, f => f.split('\n').length <= 15 && /y\/n/.test(f));
			checkFrame(frame, 60, 15, ['Human checklist']);
			ui.stdout.resize(columns, rows);
			frame = await waitForFrame(ui.lastFrame, f => /y\/n/.test(f) && f.split('\n').length > 1);
			checkFrame(frame, columns, rows);
			for (let i = 0; i < 6 && !/PASS|FAIL/.test(ui.lastFrame() ?? ''); i++) {
				ui.stdin.write('y');
				await waitForFrame(ui.lastFrame, f => /y\/n|PASS|FAIL/.test(f));
				await new Promise(r => setTimeout(r, 100));
			}
			frame = await waitForText(ui.lastFrame, /PASS|FAIL/, 60_000);
			checkFrame(frame, columns, rows);
		} finally {
			ui.unmount();
		}
	});
});
