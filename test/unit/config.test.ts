import {writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {tempDir} from '../helpers/temp.js';
import {ConfigError, loadConfig, parseConfig, repositoryFromEnv, resolveRepo} from '../../source/config/config.js';

const good = `repositories:
  - name: usb
    repository: /media/usb/restic
    passwordFile: ~/.config/resto/usb.pass
  - name: b2
    repository: b2:bucket:/restic
    passwordCommand: pass show restic/b2
    env: {B2_ACCOUNT_ID: abc}
backupSets:
  - name: home
    repository: usb
    paths: [~/]
    exclude: [~/.cache]
    excludeCaches: true
    excludeIfPresent: .resticexclude
    tags: [home]
    lowPriority: true
drill: {months: 6}
theme: ansi
`;

describe('config', () => {
	test('a valid config loads with ~ expanded and defaults filled', () => {
		const config = parseConfig(good, 'config.yaml');
		expect(config.repositories.map(r => r.name)).toEqual(['usb', 'b2']);
		expect(config.repositories[0]!.access.passwordFile).toBe(path.join(os.homedir(), '.config/resto/usb.pass'));
		expect(config.repositories[1]!.access.passwordCommand).toBe('pass show restic/b2');
		expect(config.backupSets[0]!.paths).toEqual([os.homedir()]);
		expect(config.backupSets[0]!.excludeIfPresent).toEqual(['.resticexclude']);
		expect(config.drill.months).toBe(6);
		expect(config.theme).toBe('ansi');
	});

	test.each([
		['unknown key', good.replace('theme: ansi', 'theem: ansi'), /config\.yaml:19: theem: unknown key "theem"/],
		['unknown nested key', good.replace('    tags: [home]', '    tagz: [home]'), /config\.yaml:16: backupSets\[0\]\.tagz: unknown key/],
		['wrong type', good.replace('months: 6', 'months: six'), /config\.yaml:18: drill\.months:/],
		['missing field', good.replace('    repository: /media/usb/restic\n', ''), /config\.yaml:2: repositories\[0\]\.repository:/],
		['unknown repository in a set', good.replace('    repository: usb\n', '    repository: usbb\n'), /backupSets\[0\]\.repository: no repository named "usbb"/],
		['invalid YAML', 'repositories:\n  - name: [unclosed\n', /config\.yaml:\d+: invalid YAML/],
		['two password sources', good.replace('    passwordFile: ~/.config/resto/usb.pass', '    passwordFile: a\n    password: b'), /only one of passwordFile/],
	])('%s gives file, line and field', (_name, text, message) => {
		expect(() => parseConfig(text, 'config.yaml')).toThrow(ConfigError);
		expect(() => parseConfig(text, 'config.yaml')).toThrow(message);
	});

	test('zero-config from RESTIC_* and --repo resolution', () => {
		expect(repositoryFromEnv({})).toBeUndefined();
		const env = {RESTIC_REPOSITORY: '/r', RESTIC_PASSWORD_FILE: '/p'};
		expect(repositoryFromEnv(env)?.access).toEqual({repository: '/r', passwordFile: '/p'});
		const dir = tempDir('resto-cfg-');
		const config = loadConfig({file: path.join(dir, 'none.yaml'), env, demo: false});
		expect(config.source).toBe('env');
		// Named after its location: two zero-config repositories are never both "default".
		expect(config.repositories[0]!.name).toBe('/r');
		expect(repositoryFromEnv({RESTIC_REPOSITORY: 'rest:https://u:secret@h/', RESTIC_PASSWORD: 'x'})?.name).toBe('rest:https://u:***@h/');
		const file = path.join(dir, 'c.yaml');
		writeFileSync(file, good);
		const fromFile = loadConfig({file, env: {}, demo: false});
		expect(resolveRepo(fromFile, 'b2')?.access.repository).toBe('b2:bucket:/restic');
		expect(resolveRepo(fromFile, 'nosuch', {})).toBeUndefined();
		expect(resolveRepo(fromFile, 'rest:http://127.0.0.1:1/', {RESTIC_PASSWORD: 'x'})?.access).toEqual({repository: 'rest:http://127.0.0.1:1/', password: 'x'});
	});
});
