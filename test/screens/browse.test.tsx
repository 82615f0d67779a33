import path from 'node:path';
import {writeFileSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import type {Config} from '../../source/config/config.js';
import {ResticCli} from '../../source/restic/client.js';
import {loadTheme} from '../../source/theme/load.js';
import {keys, renderAt, tick, waitForText, waitForFrame} from '../helpers/ink.js';
import {makeRepo, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let src: string;
let config: Config;

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'home');
	writeTree(src, {
		'docs/letter.txt': 'Dear restic,\nthank you.\n',
		'docs/notes/todo.md': '- back up\n',
		'photos/img.jpg': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3, 4, 5]),
	});
	writeFileSync(path.join(src, 'docs', 'evil-\x1b]0;pwned\x07-\x1b[31mred.txt'), 'x\n');
	repo.backup([src], {host: 'laptop', tags: ['home']});
	writeTree(src, {'docs/letter.txt': 'Dear restic,\nthank you again.\n'});
	repo.backup([src], {host: 'desktop'});
	config = {repositories: [{name: 'local', access: repo.access}], backupSets: [], drill: {months: 3, files: 1}, source: 'file'};
});

afterAll(() => repo.cleanup());

function app(columns = 80, rows = 24) {
	return renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} />, columns, rows);
}

describe('browse journey at 80×24', () => {
	test('repositories → snapshots → tree → file preview, with escaped names', async () => {
		const ui = app();
		try {
			let frame = await waitForText(ui.lastFrame, /ok\s+2/);
			expect(frame).toContain('local');
			expect(frame).toContain('2 snapshots');
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, 'laptop');
			expect(frame).toContain('desktop');
			expect(frame).toContain('newest first');
			// Group by host, then back.
			ui.stdin.write('h');
			await waitForText(ui.lastFrame, 'grouped by host');
			ui.stdin.write('h');
			await waitForFrame(ui.lastFrame, f => !f.includes('grouped by host'));
			// Filter fuzzy by host.
			ui.stdin.write('/');
			await tick();
			for (const ch of 'lapt') ui.stdin.write(ch);
			frame = await waitForText(ui.lastFrame, '1 match');
			ui.stdin.write(keys.enter);
			await tick();
			ui.stdin.write(keys.enter);
			// The tree opens at the deepest single-child directory: the backed-up home.
			frame = await waitForText(ui.lastFrame, /entries listed/);
			frame = await waitForText(ui.lastFrame, 'docs/');
			expect(frame).toContain('photos/');
			ui.stdin.write(keys.enter);
			frame = await waitForText(ui.lastFrame, 'letter.txt');
			expect(frame).toContain('notes/');
			// The hostile name is shown escaped; no raw ESC reaches the frame.
			expect(frame).toContain('\\e]0;pwned\\a');
			expect(frame).not.toContain('\x1b]0;');
			// Move to letter.txt and see its preview.
			ui.stdin.write('G');
			await tick();
			while (!/›?\s*letter\.txt/.test(ui.lastFrame() ?? '')) await tick();
			frame = await waitForFrame(ui.lastFrame, f => f.includes('Dear restic,'));
			expect(frame).toContain('thank you.');
			// Open the file screen, toggle hex.
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, ' · wrapped');
			ui.stdin.write('x');
			frame = await waitForText(ui.lastFrame, '000000  44 65 61 72');
			for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
			// Back out to the tree and up one directory.
			ui.stdin.write(keys.escape);
			await waitForText(ui.lastFrame, 'entries listed');
			ui.stdin.write(keys.left);
			await waitForText(ui.lastFrame, 'photos/');
		} finally {
			ui.unmount();
		}
	});

	test('help overlay lists keys from the keymap, q quits', async () => {
		const ui = app();
		try {
			await waitForText(ui.lastFrame, 'local');
			ui.stdin.write('?');
			const frame = await waitForText(ui.lastFrame, 'Keys');
			expect(frame).toContain('Open snapshots');
			expect(frame).toContain('Quit');
			ui.stdin.write(keys.escape);
			await waitForFrame(ui.lastFrame, f => !f.includes('esc leaves the field'));
			ui.stdin.write('q');
			await ui.instance.waitUntilExit();
		} finally {
			ui.unmount();
		}
	});

	test('a terminal below the minimum shows a clear message, and recovers on resize', async () => {
		const ui = app(40, 12);
		try {
			await waitForText(ui.lastFrame, 'Terminal too small: 40×12');
			ui.stdout.resize(80, 24);
			await waitForText(ui.lastFrame, 'LOCATION');
		} finally {
			ui.unmount();
		}
	});

	test('one broken repository does not block the others', async () => {
		const broken: Config = {
			...config,
			repositories: [{name: 'gone', access: {repository: path.join(repo.root, 'missing'), passwordFile: repo.passwordFile}}, {name: 'badpass', access: {repository: repo.repoPath, password: 'nope'}}, ...config.repositories],
		};
		const ui = renderAt(<App config={broken} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} />, 100, 24);
		try {
			const frame = await waitForFrame(ui.lastFrame, f => f.includes('not found') && f.includes('wrong password') && /ok\s+2/.test(f));
			expect(frame).toContain('No restic repository at');
		} finally {
			ui.unmount();
		}
	});
});
