/** Config files that are hostile or careless: an alias bomb, 300 repositories, files others can read. */
import {spawnSync} from 'node:child_process';
import {chmodSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {ConfigError, loadConfig, parseConfig, permissionWarning, shellWord} from '../../source/config/config.js';
import {cliPath} from '../e2e/tmux.js';
import {tempDir} from '../helpers/restic.js';

let dir: string;
beforeAll(() => {
	dir = tempDir('resto-config-safety-');
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');

function resto(args: string[], env: Record<string, string>) {
	const base: NodeJS.ProcessEnv = {PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg'), XDG_CACHE_HOME: path.join(dir, 'cache'), ...env};
	return spawnSync(process.execPath, [cliPath, ...args], {env: base, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000});
}

describe('a YAML alias bomb', () => {
	test('parseConfig: a ConfigError naming the file and the line of the first alias, quickly', () => {
		const started = Date.now();
		const error = (() => {
			try {
				parseConfig(`repositories: []\n${bomb}\n`, '/etc/resto/bomb.yaml');
			} catch (e) {
				return e;
			}
		})();
		expect(Date.now() - started).toBeLessThan(2000);
		expect(error).toBeInstanceOf(ConfigError);
		expect((error as ConfigError).file).toBe('/etc/resto/bomb.yaml');
		expect((error as ConfigError).line).toBe(3);
		expect((error as Error).message).toBe('/etc/resto/bomb.yaml:3: invalid YAML: its aliases expand too many times (more than 100: an alias bomb?); not loaded');
	});

	test('`resto repos`: exit 1 with the file named on stderr, no stack trace', () => {
		const file = path.join(dir, 'bomb.yaml');
		writeFileSync(file, `${bomb}\n`, {mode: 0o600});
		const r = resto(['repos'], {RESTO_CONFIG: file});
		expect(r.status).toBe(1);
		expect(r.stderr).toContain(`invalid config: ${file}:2: invalid YAML: its aliases expand too many times`);
		expect(r.stderr).not.toMatch(/ReferenceError|at .*\.js:\d+/);
		expect(r.stdout).toBe('');
	});

	test('a few ordinary anchors and aliases still work', () => {
		const config = parseConfig('repositories:\n  - {name: a, repository: /r/a, env: &env {B2_ACCOUNT_ID: id}}\n  - {name: b, repository: /r/b, env: *env}\n', 'f.yaml');
		expect(config.repositories.map(r => r.access.env)).toEqual([{B2_ACCOUNT_ID: 'id'}, {B2_ACCOUNT_ID: 'id'}]);
	});
});

describe('a config of 300 repositories', () => {
	test('loads in well under a second of CPU, every repository and backup set intact', () => {
		const lines = ['repositories:'];
		for (let i = 0; i < 300; i++) lines.push(`  - name: repo-${i}`, `    repository: rest:http://127.0.0.1:${8000 + i}/r${i}`, `    passwordFile: ${path.join(dir, 'pw')}`, '    env: {RESTIC_COMPRESSION: auto}');
		lines.push('backupSets:');
		for (let i = 0; i < 300; i++) lines.push(`  - {name: set-${i}, repository: repo-${i}, paths: [/home/u${i}], exclude: [/home/u${i}/.cache]}`);
		const file = path.join(dir, 'many.yaml');
		writeFileSync(file, `${lines.join('\n')}\n`, {mode: 0o600});
		writeFileSync(path.join(dir, 'pw'), 'pw\n', {mode: 0o600});
		// CPU time, not wall time: the test machine is shared, and the work is one thread's.
		const started = process.cpuUsage();
		const config = loadConfig({file});
		const used = process.cpuUsage(started);
		const ms = (used.user + used.system) / 1000;
		expect(config.repositories).toHaveLength(300);
		expect(config.backupSets).toHaveLength(300);
		expect(config.repositories[299]).toEqual({name: 'repo-299', access: {repository: 'rest:http://127.0.0.1:8299/r299', passwordFile: path.join(dir, 'pw'), env: {RESTIC_COMPRESSION: 'auto'}}});
		expect(config.warnings).toEqual([]);
		expect(ms).toBeLessThan(1000);
	});

	test('a duplicate name at the end of 300 is still reported with its line', () => {
		const lines = ['repositories:'];
		for (let i = 0; i < 300; i++) lines.push(`  - {name: r${i === 299 ? 0 : i}, repository: /r/${i}}`);
		expect(() => parseConfig(lines.join('\n'), 'many.yaml')).toThrow('many.yaml:301: repositories[299].name: duplicate repository name "r0"');
	});
});

describe('config and password files that others can read', () => {
	test('one warning per file with the chmod that fixes it; none for 0600 files', () => {
		const sub = path.join(dir, 'perm');
		mkdirSync(sub, {recursive: true});
		const config = path.join(sub, 'config.yaml');
		const pw = path.join(sub, 'usb pass');
		const ok = path.join(sub, 'ok.pass');
		writeFileSync(pw, 'secret\n');
		writeFileSync(ok, 'secret\n', {mode: 0o600});
		chmodSync(pw, 0o640);
		const text = `repositories:\n  - {name: usb, repository: /r/usb, passwordFile: "${pw}"}\n  - {name: usb2, repository: /r/usb2, passwordFile: "${pw}"}\n  - {name: fine, repository: /r/fine, passwordFile: ${ok}}\n`;
		writeFileSync(config, text);
		chmodSync(config, 0o644);
		// A config holding only paths and names gives nothing away when read: only the password file is reported.
		expect(loadConfig({file: config}).warnings).toEqual([`${pw} is readable by its group (mode 0640): run \`chmod 600 '${pw}'\` (it holds the password of repository usb)`]);
		// With backend credentials in it, reading it matters.
		writeFileSync(config, `${text}  - {name: s3, repository: "s3:https://s3.example.com/b", env: {AWS_SECRET_ACCESS_KEY: k}}\n`);
		const loaded = loadConfig({file: config});
		expect(loaded.warnings).toEqual([`${config} is readable by others (mode 0644): run \`chmod 600 ${config}\` (it holds passwords or backend credentials)`, `${pw} is readable by its group (mode 0640): run \`chmod 600 '${pw}'\` (it holds the password of repository usb)`]);
		// A repository URL with user:password@ is a secret in the file too.
		writeFileSync(config, 'repositories:\n  - {name: nas, repository: "rest:https://u:pw@nas.example/"}\n');
		expect(loadConfig({file: config}).warnings).toEqual([`${config} is readable by others (mode 0644): run \`chmod 600 ${config}\` (it holds passwords or backend credentials)`]);
		chmodSync(config, 0o600);
		chmodSync(pw, 0o600);
		expect(loadConfig({file: config}).warnings).toEqual([]);
	});

	test('writable by others is said too; shell words are quoted safely', () => {
		const f = path.join(dir, 'w.pass');
		writeFileSync(f, 'x');
		chmodSync(f, 0o622);
		expect(permissionWarning(f, 'a password')).toBe(`${f} is writable by others (mode 0622): run \`chmod 600 ${f}\` (it holds a password)`);
		expect(shellWord("/tmp/it's mine")).toBe(`'/tmp/it'\\''s mine'`);
		expect(shellWord('/plain/path-1.pass')).toBe('/plain/path-1.pass');
	});

	test('commands print each warning once on stderr (RESTIC_PASSWORD_FILE too)', () => {
		const config = path.join(dir, 'cli.yaml');
		const pw = path.join(dir, 'env.pass');
		writeFileSync(pw, 'secret\n');
		chmodSync(pw, 0o644);
		writeFileSync(config, 'repositories: []\n');
		chmodSync(config, 0o666);
		const r = resto(['repos', '--json'], {RESTO_CONFIG: config, RESTIC_REPOSITORY: path.join(dir, 'no-repo'), RESTIC_PASSWORD_FILE: pw});
		const stderr = r.stderr;
		expect(stderr.split(`run \`chmod 600 ${config}\``).length - 1).toBe(1);
		expect(stderr).toContain(`${config} is readable and writable by others (mode 0666): run \`chmod 600 ${config}\` (it holds the commands resto runs for passwords and hooks)`);
		expect(stderr.split(`run \`chmod 600 ${pw}\``).length - 1).toBe(1);
		expect(r.stdout).not.toContain('chmod');
	});
});
