/**
 * Golden frames: every screen at 60×15 (the documented minimum), 80×24 and 120×40, against a real
 * repository. Each frame is checked for structure (it fits the terminal, breadcrumb and footer are
 * there, titles, step names and y/n survive, no word of a dialog is broken) and compared, as text, with
 * its golden file in test/screens/golden/: a layout change fails until the golden is looked at and
 * updated (`npx vitest run test/screens/golden.test.tsx -u`). The repository lives at a fixed path
 * and every file has a fixed modification time, so frames are the same on every run; what still
 * changes (relative ages, snapshot ids, timings, spinners) is masked column for column.
 */
import {closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeSync} from 'node:fs';
import path from 'node:path';
import stringWidth from 'string-width';
import {afterAll, beforeAll, describe, expect, test, vi} from 'vitest';
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

// One fixed place for the repository, so paths in frames are the same on every run; runs of this file
// in other checkouts wait for it (a lock file naming the holder; a dead holder's lock is taken over).
// Not below the run's temp root (its name is random): /tmp itself, removed again after the run.
const root = '/tmp/resto-golden';
const lock = `${root}.lock`;

async function takeLock(): Promise<void> {
	const deadline = Date.now() + 10 * 60_000;
	for (;;) {
		try {
			const fd = openSync(lock, 'wx', 0o600);
			writeSync(fd, String(process.pid));
			closeSync(fd);
			return;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const holder = Number(readFileSync(lock, 'utf8') || 0);
			let alive = holder > 0;
			try {
				if (alive) process.kill(holder, 0);
			} catch {
				alive = false;
			}
			const young = Date.now() - (statSync(lock, {throwIfNoEntry: false})?.mtimeMs ?? 0) < 2000;
			if (!alive && !young) rmSync(lock, {force: true});
			else if (Date.now() > deadline) throw new Error(`${lock} is held by PID ${holder}`, {cause: error});
			else await new Promise(r => setTimeout(r, 500));
		}
	}
}

/** Give every file and folder under `dir` the same modification time (frames show them). */
function fixTimes(dir: string, time: Date): void {
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const p = path.join(dir, entry.name);
		if (entry.isDirectory()) fixTimes(p, time);
		utimesSync(p, time, time);
	}
	utimesSync(dir, time, time);
}

let xdg: string[] = [];
beforeAll(async () => {
	await takeLock();
	rmSync(root, {recursive: true, force: true});
	mkdirSync(root, {mode: 0o700});
	xdg = [tempDir('resto-golden-state-'), tempDir('resto-golden-cache-')];
	process.env.XDG_STATE_HOME = xdg[0];
	process.env.XDG_CACHE_HOME = xdg[1];
	repo = makeRepo({root});
	src = path.join(repo.root, 'home');
	const files: Record<string, string> = {'日本語メモ.txt': 'バックアップを確認する\n', 'docs/letter.txt': 'Dear restic,\n', [longName]: 'long\n'};
	for (let i = 0; i < 14; i++) files[`notes/note-${String(i).padStart(2, '0')}.md`] = `note ${i}\n`;
	writeTree(src, files);
	fixTimes(src, new Date('2025-12-24T09:30:00Z'));
	repo.backup([src], {host: 'laptop', tags: ['home'], time: '2026-01-10 10:00:00'});
	writeTree(src, {'docs/letter.txt': 'Dear restic, again\n'});
	fixTimes(src, new Date('2026-02-01T18:00:00Z'));
	repo.backup([src], {host: 'desktop', time: '2026-02-10 10:00:00'});
	// The app's clock starts at a fixed moment (and runs on from there): ages read the same on every run.
	vi.useFakeTimers({toFake: ['Date'], shouldAdvanceTime: true});
	vi.setSystemTime(new Date('2026-03-01T12:00:00Z'));
	config = {repositories: [{name: 'local', access: repo.access}], backupSets: [{name: 'home', repository: 'local', paths: [src]}], drill: {months: 1200, files: 1}, source: 'file'};
});
afterAll(() => {
	vi.useRealTimers();
	repo?.cleanup();
	rmSync(root, {recursive: true, force: true});
	for (const dir of xdg) rmSync(dir, {recursive: true, force: true});
	rmSync(lock, {force: true});
});

const mask = (m: string) => '#'.repeat([...m].length);
/** What differs between runs, replaced by as many `#` as it had columns (the layout stays as it was). */
export function normalise(frame: string): string {
	return (
		frame
			// Who runs the tests owns the files.
			.replace(/\b(uid|gid) \d+/g, '$1 #')
			// The drill's seed is random unless given.
			.replace(/(?<=seed )\d+/g, '#')
			// The search headline's timing, and what follows it on that line (cut where the timing ends).
			.replace(/(\d+ match(?:es)? in ).*$/gm, '$1#')
			// Snapshot and repository ids are random.
			.replace(/\b[0-9a-f]{8}\b/g, mask)
			// Timings.
			.replace(/\b\d+(?:\.\d+)? ?(?:ms|s)\b/g, mask)
			// Spinner frames.
			.replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g, '#')
	);
}

/** Wait until the frame has not changed for a moment (nothing still loading), and return it. */
async function settled(lastFrame: () => string | undefined): Promise<string> {
	let frame = lastFrame() ?? '';
	let since = performance.now();
	const deadline = performance.now() + 20_000;
	while (performance.now() - since < 400 && performance.now() < deadline) {
		await new Promise(r => setTimeout(r, 50));
		const now = lastFrame() ?? '';
		if (normalise(now) !== normalise(frame)) {
			frame = now;
			since = performance.now();
		}
	}
	return frame;
}

/** Compare a frame, as text, with its golden file. */
async function golden(name: string, lastFrame: () => string | undefined, columns: number, rows: number): Promise<void> {
	const frame = normalise(await settled(lastFrame));
	await expect(`${frame}\n`).toMatchFileSnapshot(path.join('golden', `${name}-${columns}x${rows}.txt`));
}

function app(route: Parameters<typeof App>[0]['initialRoute'], columns: number, rows: number) {
	return renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} initialRoute={route} />, columns, rows);
}

/** The frame fits the terminal and has its frame parts. */
function checkFrame(frame: string, columns: number, rows: number, must: Array<string | RegExp> = []): void {
	const lines = frame.split('\n');
	expect(lines.length, frame).toBeLessThanOrEqual(rows);
	for (const line of lines) expect(stringWidth(line), `line wider than ${columns}: ${line}`).toBeLessThanOrEqual(columns);
	// The breadcrumb; a long one is cut from the left so the current screen's name stays.
	expect(lines[0]).toMatch(/^(resto|…)/);
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
		// State of its own: a drill passed at another size would take the "never drilled" banner away.
		const state = tempDir('resto-golden-state-');
		xdg.push(state);
		process.env.XDG_STATE_HOME = state;
		const ui = app(undefined, columns, rows);
		try {
			let frame = await waitForText(ui.lastFrame, /ok\s+2/, 60_000);
			checkFrame(frame, columns, rows, ['local']);
			expect(frame).not.toContain('esc back');
			// The drill history loads after the status: its banner is part of the frame.
			await waitForText(ui.lastFrame, 'has never passed a restore');
			await golden('repos', ui.lastFrame, columns, rows);
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, 'desktop');
			checkFrame(frame, columns, rows, ['2 snapshots', '2026-02-10 10:00', '2026-01-10 10:00', 'esc back']);
			// restic 0.14 reports no snapshot size: no empty SIZE column.
			expect(frame).not.toContain('SIZE');
			await golden('snapshots', ui.lastFrame, columns, rows);
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, 'notes/');
			checkFrame(frame, columns, rows, ['docs/', '日本語メモ.txt']);
			// Two-column characters keep the columns aligned: the size column ends where the others do.
			const cjk = frame.split('\n').find(l => l.includes('日本語メモ.txt'))!;
			const ascii = frame.split('\n').find(l => l.includes('docs/'))!;
			expect(stringWidth(cjk)).toBe(stringWidth(ascii));
			expect(frame).toContain('ddd');
			await golden('tree', ui.lastFrame, columns, rows);
			// Into notes/: 14 entries; the list uses its rows and marks what is below.
			ui.stdin.write('jj');
			await waitForFrame(ui.lastFrame, f => /^›.*notes\//m.test(f));
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, /home\/notes\n/);
			checkFrame(frame, columns, rows, ['14 here']);
			const shown = frame.split('\n').filter(l => /note-\d\d\.md/.test(l) && !l.includes('·')).length;
			if (shown < 14) expect(frame).toMatch(/^↓/m);
			// The preview of the selected file comes from restic dump, after the listing.
			await waitForText(ui.lastFrame, /^note 0/m);
			await golden('tree-notes', ui.lastFrame, columns, rows);
			ui.stdin.write('G');
			await waitForFrame(ui.lastFrame, f => /^›.*note-13\.md/m.test(f));
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, 'note 13');
			checkFrame(frame, columns, rows, ['note-13.md', 'wrapped']);
			await golden('file', ui.lastFrame, columns, rows);
			ui.stdin.write('?');
			frame = await waitForText(ui.lastFrame, 'Keys');
			checkFrame(frame, columns, rows, ['Quit']);
			await golden('help', ui.lastFrame, columns, rows);
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
		// A cache of its own: the headline says how many snapshots came from a cache.
		const cache = tempDir('resto-golden-cache-');
		xdg.push(cache);
		process.env.XDG_CACHE_HOME = cache;
		const ui = app({name: 'search', repo: 'local'}, columns, rows);
		try {
			await waitForText(ui.lastFrame, /2 snapshots indexed/, 60_000);
			ui.stdin.write('letter');
			let frame = await waitForText(ui.lastFrame, '2 versions in 2 snapshots');
			checkFrame(frame, columns, rows, ['search: letter', 'docs/letter.txt', 'esc leave field']);
			// The backup root once above the rows; each row the path below it.
			expect(frame).toMatch(/^in \/.*\S/m);
			expect(frame).toMatch(/^›[ ●]docs\/letter\.txt /m);
			await golden('search', ui.lastFrame, columns, rows);
			ui.stdin.write(keys.tab);
			frame = await waitForFrame(ui.lastFrame, f => f.includes('/ edit query') && !f.includes('tab: pick a version'));
			// Version rows show their fields, the newest first.
			checkFrame(frame, columns, rows, ['2026-02-10', '2026-01-10']);
			if (columns >= 80) expect(frame).toMatch(/modified \d{4}-\d\d-\d\d \d\d:\d\d/);
			await golden('search-versions', ui.lastFrame, columns, rows);
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
			await golden('backup', ui.lastFrame, columns, rows);
		} finally {
			ui.unmount();
		}
		ui = app({name: 'drill', repo: 'local'}, columns, rows);
		try {
			let frame = await waitForText(ui.lastFrame, 'Press enter to start');
			checkFrame(frame, columns, rows);
			for (const step of ['Check the repository', 'Pick a random file', 'Restore it', 'Prove it', 'Human checklist', 'Report']) expect(frame).toContain(step);
			await golden('drill', ui.lastFrame, columns, rows);
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, 'pick another', 120_000);
			checkFrame(frame, columns, rows, ['Picked', 'enter restore it']);
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, /y\/n/, 120_000);
			checkFrame(frame, columns, rows, ['Human checklist']);
			// The footer says which keys answer.
			expect(frame.split('\n').at(-1)).toMatch(/y yes\s+n no/);
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
