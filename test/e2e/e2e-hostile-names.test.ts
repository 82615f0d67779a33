import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {hostileSequences, writeHostileTree} from '../helpers/hostile.js';
import {makeRepo, type TestRepo} from '../helpers/restic.js';
import {Terminal} from './tmux.js';

let repo: TestRepo;
let src: string;
let deepFile: string;

beforeAll(() => {
	repo = makeRepo();
	src = path.join(repo.root, 'hostile');
	({deepFile} = writeHostileTree(src));
	repo.backup([src]);
});
afterAll(() => repo.cleanup());

describe('e2e: hostile file names in the tree browser', () => {
	test('every name is listed escaped, previewed, and no raw escape sequence from a name reaches the terminal', async () => {
		const t = await Terminal.start({env: {RESTIC_REPOSITORY: repo.repoPath, RESTIC_PASSWORD_FILE: repo.passwordFile, XDG_CONFIG_HOME: path.join(repo.root, 'cfg')}, columns: 100, rows: 40});
		try {
			await t.waitFor(/ok\s+1/);
			t.keys('Enter');
			await t.waitFor('1 snapshot ·');
			t.keys('Enter');
			let screen = await t.waitFor('entries listed');
			for (const visible of ['new\\nline.txt', 'tab\\there.txt', 'ansi-\\e[31mred\\e[0m.txt', 'title-\\e]0;pwned\\a.txt', 'clip-\\e]52;c;aGFja2Vk\\a.txt', '-leading-dash.txt', '--help', 'emoji-😀-🎉.txt', 'rtl-\\u{202e}evil\\u{202c}']) {
				expect(screen).toContain(visible);
			}
			expect(screen).toContain('invalid-\ufffd\ufffd.bin');
			// Walk the whole directory so every name is selected and previewed once.
			for (let i = 0; i < 16; i++) {
				t.keys('j');
				await new Promise(r => setTimeout(r, 150));
			}
			// The 4000-character path: open deep/ and go down the chain.
			t.keys('g');
			await new Promise(r => setTimeout(r, 100));
			t.keys('Enter');
			for (let depth = 0; depth < 20; depth++) {
				screen = await t.waitFor(`${String(depth).padStart(2, '0')}-ddd`);
				t.keys('Enter');
			}
			screen = await t.waitFor('deep-file.txt');
			await t.waitFor('deep content');
			expect(screen.split('\n').every(l => [...l].length <= 100)).toBe(true);
			t.keys('q');
			await t.waitFor(() => t.exitStatus() !== undefined, 10_000);
		} finally {
			t.close();
		}
		const raw = t.raw().toString('latin1');
		for (const seq of hostileSequences) expect(raw.includes(Buffer.from(seq).toString('latin1')), JSON.stringify(seq)).toBe(false);
		expect(deepFile.length).toBeGreaterThan(4000);
	}, 90_000);
});
