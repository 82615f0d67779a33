/** A first backup set: suggested from the (demo) home, saved into config.yaml keeping what is there, run as a dry run. */
import {lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import {NewSetError, defaultExcludes, formatListField, parseListField, saveBackupSet, suggestedSet} from '../../source/backup/new-set.js';
import {parseConfig, type Config} from '../../source/config/config.js';
import {registerDemo} from '../../source/demo/demo-registry.js';
import {ResticCli} from '../../source/restic/client.js';
import {loadTheme} from '../../source/theme/load.js';
import {keys, renderAt, waitForText} from '../helpers/ink.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let demo: TestRepo;
let dir: string;
let demoHome: string;
const saved = {state: process.env.XDG_STATE_HOME};

beforeAll(() => {
	dir = tempDir('resto-new-set-');
	process.env.XDG_STATE_HOME = path.join(dir, 'state');
	// A demo directory laid out as `resto demo` makes it: repo/, password, home/alice, the marker.
	mkdirSync(path.join(dir, 'demo'), {mode: 0o700});
	demo = makeRepo({root: path.join(dir, 'demo')});
	demoHome = path.join(demo.root, 'home', 'alice');
	writeTree(demoHome, {'notes/todo.md': 'buy milk\n', 'photos/a.jpg': 'jpeg', '.cache/big.bin': 'cache'});
	writeFileSync(path.join(demo.root, '.resto-demo'), 'created by resto demo\n');
	registerDemo(demo.root);
});
afterAll(() => {
	demo?.cleanup();
	rmSync(dir, {recursive: true, force: true});
	if (saved.state === undefined) delete process.env.XDG_STATE_HOME;
	else process.env.XDG_STATE_HOME = saved.state;
});

const configWith = (file: string): Config => ({repositories: [{name: 'demo', access: demo.access}], backupSets: [], drill: {months: 3, files: 1}, source: 'file', file});

describe('suggestion', () => {
	test('the demo repository gets the demo home, any other repository the user home; never the current directory', () => {
		const onDemo = suggestedSet(configWith('x'), {name: 'demo', access: demo.access});
		expect(onDemo.paths).toEqual([demoHome]);
		expect(onDemo.exclude).toContain(path.join(demoHome, '.cache'));
		expect(onDemo.excludeCaches).toBe(true);
		const other = suggestedSet(configWith('x'), {name: 'nas', access: {repository: '/srv/restic'}});
		expect(other.paths).toEqual(['~']);
		expect(other.exclude).toEqual(defaultExcludes(os.homedir()));
		expect(other.exclude).toEqual(expect.arrayContaining(['~/.cache', '~/.local/share/Trash', '**/node_modules', '**/__pycache__', '*.tmp']));
		expect([...onDemo.paths, ...other.paths]).not.toContain(process.cwd());
		// A name no set has yet.
		expect(suggestedSet({...configWith('x'), backupSets: [{name: 'home', repository: 'demo', paths: ['/x']}]}, {name: 'demo', access: demo.access}).name).toBe('home-2');
	});

	test('list fields: commas separate, \\, is a comma in a name', () => {
		expect(parseListField('a, b/c ,, d\\,e ')).toEqual(['a', 'b/c', 'd,e']);
		expect(parseListField(formatListField(['x,y', '/z']))).toEqual(['x,y', '/z']);
	});
});

describe('saving into config.yaml', () => {
	test('comments, key order and other settings stay; the set is valid config; a taken name is refused', () => {
		const file = path.join(dir, 'keep', 'config.yaml');
		mkdirSync(path.dirname(file), {recursive: true});
		const original = `# resto settings (mine)\ntheme: ansi # colours for the old terminal\nrepositories:\n  # the USB disk\n  - name: demo\n    repository: ${demo.repoPath}\n    passwordFile: ${demo.passwordFile}\ndrill:\n  months: 6\n`;
		writeFileSync(file, original, {mode: 0o640});
		const result = saveBackupSet(file, {name: 'home', paths: [demoHome], exclude: ['**/node_modules'], excludeCaches: true}, {name: 'demo', access: demo.access});
		const text = readFileSync(file, 'utf8');
		expect(text.startsWith(original)).toBe(true);
		expect(text).toContain('# colours for the old terminal');
		expect(text).toContain('# the USB disk');
		expect(result.addedRepository).toBe(false);
		const config = parseConfig(text, file);
		expect(config.theme).toBe('ansi');
		expect(config.drill.months).toBe(6);
		expect(config.backupSets).toEqual([{name: 'home', repository: 'demo', paths: [demoHome], exclude: ['**/node_modules'], excludeCaches: true}]);
		expect(statSync(file).mode & 0o777).toBe(0o640);
		expect(() => saveBackupSet(file, {name: 'home', paths: ['/x'], exclude: [], excludeCaches: false}, {name: 'demo', access: demo.access})).toThrow(NewSetError);
		expect(() => saveBackupSet(file, {name: 'bad name', paths: ['/x'], exclude: [], excludeCaches: false}, {name: 'demo', access: demo.access})).toThrow(/does not work/);
		expect(readFileSync(file, 'utf8')).toBe(text);
	});

	test('no file yet: created 0600 with the repository (demo or environment) and the set; a broken file is not touched', () => {
		const file = path.join(dir, 'new', 'resto', 'config.yaml');
		const env = {name: '/srv/my repo', access: {repository: path.join(dir, 'env repo'), passwordCommand: 'pass show restic'}};
		const result = saveBackupSet(file, {name: 'home', paths: ['~'], exclude: ['~/.cache'], excludeCaches: true}, env);
		expect(result.addedRepository).toBe(true);
		expect(statSync(file).mode & 0o777).toBe(0o600);
		const config = parseConfig(readFileSync(file, 'utf8'), file);
		expect(config.repositories).toEqual([{name: 'env-repo', access: {repository: path.join(dir, 'env repo'), passwordCommand: 'pass show restic'}}]);
		expect(config.backupSets[0]).toMatchObject({name: 'home', repository: 'env-repo', paths: [os.homedir()], exclude: [path.join(os.homedir(), '.cache')]});
		// The app keeps the repository's name of this session.
		expect(result.set.repository).toBe('/srv/my repo');
		expect(result.snippet).toContain('backupSets:');
		// A password only in RESTIC_PASSWORD is never written into the file.
		expect(() => saveBackupSet(path.join(dir, 'pw', 'config.yaml'), {name: 'home', paths: ['~'], exclude: [], excludeCaches: true}, {name: 'x', access: {repository: '/r', password: 'secret'}})).toThrow(/RESTIC_PASSWORD/);
		expect(lstatSync(path.join(dir, 'pw'), {throwIfNoEntry: false})).toBeUndefined();
		const broken = path.join(dir, 'broken.yaml');
		writeFileSync(broken, 'repositories: [\n');
		expect(() => saveBackupSet(broken, {name: 'home', paths: ['~'], exclude: [], excludeCaches: true}, {name: 'demo', access: demo.access})).toThrow(/does not parse/);
		expect(readFileSync(broken, 'utf8')).toBe('repositories: [\n');
	});

	test('a symlinked config (dotfiles) is written where it points; the link stays', () => {
		const real = path.join(dir, 'dotfiles', 'resto.yaml');
		mkdirSync(path.dirname(real), {recursive: true});
		writeFileSync(real, '# from my dotfiles\n', {mode: 0o600});
		const link = path.join(dir, 'link', 'config.yaml');
		mkdirSync(path.dirname(link), {recursive: true});
		symlinkSync(real, link);
		saveBackupSet(link, {name: 'home', paths: [demoHome], exclude: [], excludeCaches: true}, {name: 'demo', access: demo.access});
		expect(readlinkSync(link)).toBe(real);
		expect(readFileSync(real, 'utf8')).toMatch(/^# from my dotfiles\n[\s\S]*name: home/);
	});
});

describe('backup screen with no set configured', () => {
	test('opens the form on the demo home, saves the set, then a dry run of it writes nothing', async () => {
		const file = path.join(dir, 'tui', 'config.yaml');
		mkdirSync(path.dirname(file), {recursive: true});
		writeFileSync(file, `# my config\nrepositories:\n  - name: demo\n    repository: ${demo.repoPath}\n    passwordFile: ${demo.passwordFile}\n`, {mode: 0o600});
		const ui = renderAt(<App config={configWith(file)} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} initialRoute={{name: 'backup', repo: 'demo'}} />, 80, 24);
		try {
			const frame = await waitForText(ui.lastFrame, 'New backup set for demo');
			expect(frame).toContain(demoHome);
			expect(frame).toContain('[x] skip folders with a CACHEDIR.TAG');
			expect(frame).not.toContain('this directory');
			expect(frame).toMatch(/tab next field\s+enter save\s+esc cancel/);
			// Down to the excludes, add one in the same burst; then save.
			ui.stdin.write(`${keys.tab}, *.bak`);
			await waitForText(ui.lastFrame, '*.swp, *.bak');
			ui.stdin.write(keys.enter);
			await waitForText(ui.lastFrame, 'Saved backup set "home"');
			const text = readFileSync(file, 'utf8');
			expect(text.startsWith('# my config\n')).toBe(true);
			expect(parseConfig(text, file).backupSets[0]).toMatchObject({name: 'home', repository: 'demo', paths: [demoHome], excludeCaches: true, exclude: expect.arrayContaining(['*.bak', path.join(demoHome, '.cache')])});
			ui.stdin.write('n');
			const done = await waitForText(ui.lastFrame, /Dry run: done/, 60_000);
			expect(done).toMatch(/would back up 2 files/);
			expect(done).not.toContain('big.bin');
			expect(JSON.parse(demo.restic(['snapshots', '--json']))).toEqual([]);
		} finally {
			ui.unmount();
		}
	}, 90_000);
});
