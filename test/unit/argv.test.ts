import {describe, expect, test} from 'vitest';
import * as argv from '../../source/restic/argv.js';

const id = 'a'.repeat(64);

describe('argv builders', () => {
	test('user paths go after -- or as --flag=value, never as flags', () => {
		expect(argv.findArgv(['-leading*'])).toEqual(['find', '--json', '--no-lock', '--', '-leading*']);
		expect(argv.backupArgv({paths: ['-x', '/home'], exclude: ['--evil'], tags: ['t'], host: 'h'})).toEqual(['backup', '--json', '--exclude=--evil', '--tag=t', '--host=h', '--', '-x', '/home']);
		expect(argv.dumpArgv(id, '-notes.txt')).toEqual(['dump', '--no-lock', '--', id, '-notes.txt']);
		expect(argv.restoreArgv(id, {target: '-t', include: ['/-x']})).toEqual(['restore', '--no-lock', '--target=-t', '--include=/-x', '--', id]);
		expect(argv.lsArgv(id, {dir: '/--help'})).toEqual(['ls', '--json', '--no-lock', '--', id, '/--help']);
	});

	test('snapshot ids are validated', () => {
		expect(() => argv.lsArgv('--help')).toThrow(/not a snapshot id/);
		expect(() => argv.dumpArgv('zzzzzzzz', '/x')).toThrow();
		expect(argv.lsArgv('latest')).toContain('latest');
		expect(argv.isSnapshotId('deadbeef')).toBe(true);
		expect(argv.isSnapshotId('DEADBEEF')).toBe(false);
	});

	test('snapshots, stats, check, locks', () => {
		expect(argv.snapshotsArgv({hosts: ['a'], tags: ['x'], latest: 1})).toEqual(['snapshots', '--json', '--no-lock', '--host=a', '--tag=x', '--latest=1']);
		expect(argv.statsArgv({mode: 'restore-size', snapshots: [id]})).toEqual(['stats', '--json', '--no-lock', '--mode=restore-size', '--', id]);
		expect(argv.checkArgv({readDataSubset: '5%'})).toEqual(['check', '--read-data-subset=5%']);
		expect(argv.checkArgv({readDataSubset: '1/20'})).toEqual(['check', '--read-data-subset=1/20']);
		expect(() => argv.checkArgv({readDataSubset: '--foo'})).toThrow();
		expect(argv.catLockArgv('b'.repeat(64))).toEqual(['cat', 'lock', '--no-lock', '--', 'b'.repeat(64)]);
		expect(() => argv.catLockArgv('x')).toThrow();
		expect(argv.unlockArgv()).toEqual(['unlock']);
		expect(argv.backupArgv({paths: ['/a'], dryRun: true})).toEqual(['backup', '--json', '--verbose', '--dry-run', '--', '/a']);
	});

	test('no builder ever carries a password', () => {
		const all = [argv.snapshotsArgv(), argv.catConfigArgv(), argv.versionArgv(), argv.initArgv(), argv.listLocksArgv()].flat();
		expect(all.join(' ')).not.toMatch(/password/i);
	});
});
