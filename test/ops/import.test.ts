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

/** resticprofile's TOML as its docs write it: a default profile, children inheriting it, a base profile. */
const resticprofileToml = `version = "1"

[global]
  default-command = "snapshots"
  initialize = false
  priority = "low"
  restic-mystery = 1

[default]
  repository = "local:/backup"
  password-file = "key"
  lock = "/tmp/resticprofile-default.lock"

[documents]
  inherit = "default"

  [documents.backup]
    source = [ "~/Documents" ]
    exclude = [ "*.tmp", "~/Documents/.cache" ]
    tag = [ "documents" ]
    schedule = "*:00,30"
    schedule-permission = "user"
    verbose = true

  [documents.retention]
    after-backup = true
    keep-last = 10
    keep-within = "30d"
    keep-tag = [ "forever" ]

[photos]
  inherit = "documents"
  [photos.backup]
    source = [ "~/Pictures" ]
  [photos.retention]
    keep-last = 3

[root]
  inherit = "missing"
  repository = "local:/backup"
  password-file = "root-key"
  [root.backup]
    source = [ "/" ]
    exclude-file = [ "excludes" ]
    exclude-caches = true
    one-file-system = true
    schedule = [ "daily", "weekly" ]

[base]
  password-file = "nas-key"
  [base.env]
    tmpdir = "/var/tmp"
  [base.backup]
    exclude-caches = true
    exclude-if-present = ".nobackup"

[offsite]
  inherit = "base"
  repository = "sftp:backup@nas:/srv/restic"
  [offsite.backup]
    source = [ "/srv" ]
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

	test('resticprofile TOML: profiles, inherit (a base profile and a chain), sources, excludes, keep-*, schedule', () => {
		const r = importText('profiles.toml', resticprofileToml);
		expect(r.format).toBe('resticprofile');
		expect(r.repositories).toEqual([
			{name: 'default', repository: '/backup', passwordFile: 'key'},
			{name: 'documents', repository: '/backup', passwordFile: 'key', retention: {keepLast: 10, keepWithin: '30d', keepTags: [['forever']]}},
			{name: 'photos', repository: '/backup', passwordFile: 'key', retention: {keepLast: 3, keepWithin: '30d', keepTags: [['forever']]}},
			{name: 'root', repository: '/backup', passwordFile: 'root-key'},
			{name: 'offsite', repository: 'sftp:backup@nas:/srv/restic', passwordFile: 'nas-key', env: {TMPDIR: '/var/tmp'}},
		]);
		const sets = Object.fromEntries(r.backupSets.map(x => [x.name, x]));
		expect(Object.keys(sets)).toEqual(['documents', 'photos', 'root', 'offsite']);
		expect(sets.documents).toMatchObject({repository: 'documents', paths: ['~/Documents'], exclude: ['*.tmp', '~/Documents/.cache'], tags: ['documents'], lowPriority: true, schedule: {calendar: '*:00,30'}});
		// photos inherits documents (and so default): its own source, the parent's excludes and schedule.
		expect(sets.photos).toMatchObject({repository: 'photos', paths: ['~/Pictures'], exclude: ['*.tmp', '~/Documents/.cache'], schedule: {calendar: '*:00,30'}});
		expect(sets.root).toMatchObject({paths: ['/'], excludeCaches: true, schedule: {calendar: 'daily'}});
		// The base profile without a repository: inherited, its keys live on in offsite.
		expect(sets.offsite).toMatchObject({repository: 'offsite', paths: ['/srv'], excludeCaches: true, excludeIfPresent: ['.nobackup']});
		expect(r.understood).toContain('base (base profile: inherited, not imported by itself)');
		expect(r.understood).toContain('photos.inherit');
		expect(r.notUnderstood.sort()).toEqual(['documents.backup.verbose', 'global.restic-mystery', 'photos.backup.verbose', 'root.backup.exclude-file', 'root.backup.one-file-system', 'root.backup.schedule[1..] (resto schedules one calendar per set)', 'root.inherit (no profile "missing")']);
	});

	test('resticprofile TOML v2 (profiles table), an inherit cycle, and a TOML syntax error with its line', () => {
		const v2 = `version = "2"\n[global]\npriority = "low"\n[profiles.a]\ninherit = "b"\nrepository = "/r/a"\n[profiles.b]\ninherit = "a"\nrepository = "/r/b"\n[profiles.b.backup]\nsource = ["/b"]\n`;
		const r = importText('p.toml', v2);
		expect(r.repositories.map(x => [x.name, x.repository])).toEqual([
			['a', '/r/a'],
			['b', '/r/b'],
		]);
		expect(r.backupSets.map(x => [x.name, x.paths])).toEqual([
			['a', ['/b']],
			['b', ['/b']],
		]);
		expect(r.notUnderstood.some(k => /^profiles\.[ab]\.inherit \(a cycle: /.test(k))).toBe(true);
		expect(() => importText('bad.toml', '[home]\nrepository = "x"\nsource = [\n')).toThrow(/bad\.toml: cannot parse TOML \(line \d+, column \d+\)/);
		// --format resticprofile on a .toml file still reads TOML; another format is refused.
		expect(importText('p.toml', v2, 'resticprofile').repositories).toHaveLength(2);
		expect(() => importText('p.toml', v2, 'autorestic')).toThrow(/TOML file is a resticprofile configuration/);
	});

	test('cron conversion', () => {
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

	test('a resticprofile TOML file: preview with understood and not understood keys, then a valid config', () => {
		const file = path.join(xdg, 'profiles.toml');
		writeFileSync(file, resticprofileToml);
		const fresh = path.join(xdg, 'from-toml.yaml');
		const dry = resto(xdg, ['import', file, '--dry-run'], {RESTO_CONFIG: fresh});
		expect(dry.status).toBe(0);
		expect(dry.stdout).toMatch(/name: photos/);
		expect(dry.stderr).toMatch(/not understood, not imported \(7\):\n/);
		expect(dry.stderr).toMatch(/^ {2}root\.backup\.one-file-system$/m);
		expect(dry.stderr).toMatch(/understood \(\d+\): global\.priority, default\.repository/);
		expect(() => statSync(fresh)).toThrow();
		const r = resto(xdg, ['import', file, '--json'], {RESTO_CONFIG: fresh});
		expect(r.status).toBe(0);
		const parsed = parseConfig(readFileSync(fresh, 'utf8'), fresh);
		expect(parsed.repositories.map(x => x.name)).toEqual(['default', 'documents', 'photos', 'root', 'offsite']);
		expect(parsed.backupSets.find(x => x.name === 'photos')).toMatchObject({paths: [expect.stringMatching(/\/Pictures$/)], schedule: {calendar: '*:00,30'}});
		rmSync(fresh);
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
