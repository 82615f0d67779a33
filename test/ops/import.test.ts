import {readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {parseConfig} from '../../source/config/config.js';
import {cronToCalendar, importText} from '../../source/ops/import.js';
import {tempDir} from '../helpers/restic.js';
import {resto} from './helpers.js';

const resticprofile = `version: "1"
global:
  priority: low
  default-command: snapshots
  mystery-global: 1
home:
  repository: "local:/media/usb/restic"
  password-file: key.txt
  initialize: true
  one-file-system: true
  retention:
    after-backup: true
    keep-last: 4
    keep-yearly: 4
    keep-tag: [important]
    prune: true
  backup:
    source: [/home/ann]
    exclude: ["/home/ann/.cache"]
    exclude-caches: true
    tag: [home]
    schedule: "Sun 03:00"
    run-after-fail: "mail -s failed root"
    check-before: true
`;

const autorestic = `version: 2
global:
  forget:
    keep-daily: 7
locations:
  home:
    from: /home/ann
    to: [usb, b2]
    cron: '0 3 * * 0'
    options:
      backup:
        tag: [home]
        exclude: ['*.tmp']
        one-file-system: true
      forget:
        keep-weekly: 4
    hooks:
      before: ['echo start']
      success: ['echo ok']
backends:
  usb:
    type: local
    path: /media/usb/restic
    key: sentinel-AUTORESTIC-key
  b2:
    type: b2
    path: 'bucket:/restic'
    key: sentinel-B2-key
    env:
      b2_account_id: abc
    requireKey: true
`;

const backrest = JSON.stringify({
	modno: 3,
	version: 4,
	instance: 'laptop',
	repos: [
		{
			id: 'local',
			uri: '/srv/restic',
			password: 'sentinel-BACKREST-pw',
			env: ['FOO=bar'],
			flags: ['--limit-upload=100'],
			prunePolicy: {schedule: {maxFrequencyDays: 30}},
			guid: 'x',
		},
	],
	plans: [
		{
			id: 'docs',
			repo: 'local',
			paths: ['/home/ann/docs'],
			excludes: ['*.iso'],
			schedule: {cron: '30 2 * * *', clock: 'CLOCK_LOCAL'},
			retention: {policyTimeBucketed: {daily: 7, weekly: 4, yearly: 1}},
			hooks: [
				{
					conditions: ['CONDITION_SNAPSHOT_ERROR'],
					actionCommand: {command: 'mail'},
				},
			],
			backup_flags: ['--one-file-system'],
		},
	],
	auth: {disabled: true},
});

describe('import (pure)', () => {
	test('resticprofile YAML: understood and not understood keys', () => {
		const r = importText('profiles.yaml', resticprofile);
		expect(r.format).toBe('resticprofile');
		expect(r.repositories).toEqual([
			{
				name: 'home',
				repository: '/media/usb/restic',
				passwordFile: 'key.txt',
				retention: {keepLast: 4, keepYearly: 4, keepTags: [['important']]},
			},
		]);
		expect(r.backupSets[0]).toMatchObject({
			name: 'home',
			paths: ['/home/ann'],
			exclude: ['/home/ann/.cache'],
			excludeCaches: true,
			tags: ['home'],
			lowPriority: true,
			schedule: {calendar: 'Sun 03:00', onFailure: 'mail -s failed root'},
		});
		expect(r.notUnderstood.sort()).toEqual(['global.mystery-global', 'home.backup.check-before', 'home.one-file-system', 'home.retention.prune']);
	});

	test('autorestic: backends → repositories (keys to password files), one set per backend', () => {
		const r = importText('.autorestic.yml', autorestic);
		expect(r.format).toBe('autorestic');
		expect(r.repositories.map(x => [x.name, x.repository, x.passwordFile])).toEqual([
			['usb', '/media/usb/restic', 'usb.pass'],
			['b2', 'b2:bucket:/restic', 'b2.pass'],
		]);
		expect(r.repositories[1]!.env).toEqual({B2_ACCOUNT_ID: 'abc'});
		expect(r.backupSets.map(s => [s.name, s.repository])).toEqual([
			['home', 'usb'],
			['home-b2', 'b2'],
		]);
		expect(r.backupSets[0]!.schedule).toEqual({
			calendar: 'Sun *-*-* 03:00:00',
		});
		expect(r.backupSets[0]!.retention).toEqual({keepWeekly: 4});
		expect(r.passwords.map(p => p.value)).toEqual(['sentinel-AUTORESTIC-key', 'sentinel-B2-key']);
		expect(r.notUnderstood.sort()).toEqual(['backends.b2.requireKey', 'locations.home.hooks.success', 'locations.home.options.backup.one-file-system']);
	});

	test('Backrest config.json', () => {
		const r = importText('config.json', backrest);
		expect(r.format).toBe('backrest');
		expect(r.repositories[0]).toMatchObject({
			name: 'local',
			repository: '/srv/restic',
			passwordFile: 'local.pass',
			env: {FOO: 'bar'},
		});
		expect(r.backupSets[0]).toMatchObject({
			name: 'docs',
			repository: 'local',
			paths: ['/home/ann/docs'],
			exclude: ['*.iso'],
			schedule: {calendar: '*-*-* 02:30:00'},
			retention: {keepDaily: 7, keepWeekly: 4, keepYearly: 1},
		});
		expect(r.notUnderstood.sort()).toEqual(['plans[0].backup_flags (--one-file-system: add them to the set by hand)', 'plans[0].hooks (1 Backrest hook(s): resto has pre/post commands and an onFailure command)', 'repos[0].flags', 'repos[0].prunePolicy']);
	});

	test('TOML is reported as needing a parser; cron conversion', () => {
		expect(() => importText('profiles.toml', '[home]\nrepository = "x"\n')).toThrow(/TOML needs a TOML parser/);
		expect(cronToCalendar('*/15 * * * *')).toBe('*-*-* *:0/15:00');
		expect(cronToCalendar('0 3 * * 1-5')).toBe('Mon..Fri *-*-* 03:00:00');
		expect(cronToCalendar('@daily')).toBeUndefined();
	});
});

describe('resto import (built CLI)', () => {
	let xdg: string;
	let config: string;
	beforeAll(() => {
		xdg = tempDir('resto-import-');
		config = path.join(xdg, 'resto.yaml');
	});
	afterAll(() => rmSync(xdg, {recursive: true, force: true}));

	test('--dry-run previews, lists unknown keys, writes nothing and never shows an inline password', () => {
		const file = path.join(xdg, '.autorestic.yml');
		writeFileSync(file, autorestic);
		const r = resto(xdg, ['import', file, '--dry-run'], {
			RESTO_CONFIG: config,
		});
		expect(r.status).toBe(0);
		expect(r.stdout).toMatch(/name: home-b2/);
		expect(r.stderr).toMatch(/not understood, not imported \(3\):\n {2}backends.b2.requireKey/);
		expect(r.stdout + r.stderr).not.toMatch(/sentinel-/);
		expect(() => statSync(config)).toThrow();
	});

	test('import into an existing config: entries appended, comments kept, valid, password files 0600; a second import collides', () => {
		writeFileSync(config, '# my resto config\ntheme: ansi\nrepositories:\n  - name: old\n    repository: /srv/old\n');
		const file = path.join(xdg, 'config.json');
		writeFileSync(file, backrest);
		const r = resto(xdg, ['import', file, '--json'], {RESTO_CONFIG: config});
		expect(r.status).toBe(0);
		const text = readFileSync(config, 'utf8');
		expect(text).toMatch(/^# my resto config/);
		const parsed = parseConfig(text, config);
		expect(parsed.repositories.map(x => x.name)).toEqual(['old', 'local']);
		expect(parsed.backupSets[0]!.schedule).toEqual({
			calendar: '*-*-* 02:30:00',
		});
		const pass = path.join(xdg, 'local.pass');
		expect(readFileSync(pass, 'utf8')).toBe('sentinel-BACKREST-pw\n');
		expect(statSync(pass).mode & 0o777).toBe(0o600);
		expect(text).not.toContain('sentinel-');
		const again = resto(xdg, ['import', file], {RESTO_CONFIG: config});
		expect(again.status).toBe(1);
		expect(again.stderr).toMatch(/already has a repository named "local"/);
	});
});
