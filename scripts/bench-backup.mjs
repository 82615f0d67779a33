#!/usr/bin/env node
// The same data backed up by bare `restic backup --json` and by `resto backup --json` (build/cli.js),
// alternating (restic first, then resto, then restic…), each into a fresh repository that is deleted
// after its run. Prints JSON: median wall times, the wall-time overhead, resto's CPU and RSS.
//
//   MB=1000 FILES=20000 RUNS=3 node scripts/bench-backup.mjs     (defaults: the issue's ~1 GB, tens of
//                                                                 thousands of files)
//
// resto's figures include its restic child (GNU time reports the process tree); restoOwnCpuS is the
// difference of the paired medians, an estimate of what node itself costs.
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const mb = Number(process.env.MB ?? 1000);
const smallFiles = Number(process.env.FILES ?? 20000);
const runs = Number(process.env.RUNS ?? 3);
const dir = mkdtempSync(path.join(os.tmpdir(), 'resto-bench-backup-'));
const src = path.join(dir, 'data');
mkdirSync(src);
// Incompressible big files (restic dedups and compresses nothing), plus many small ones spread over
// directories like a home directory.
const chunk = Buffer.alloc(1 << 20);
for (let i = 0; i < mb; i++) {
	for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, j);
	writeFileSync(path.join(src, `f${i}.bin`), chunk);
}
for (let i = 0; i < smallFiles; i++) {
	const d = path.join(src, `d${i % 200}`);
	if (i < 200) mkdirSync(d);
	writeFileSync(path.join(d, `small-${i}.txt`), `file ${i}\n`.repeat(1 + (i % 50)));
}
const pass = path.join(dir, 'pass');
writeFileSync(pass, 'bench\n');
const fresh = name => {
	const repo = path.join(dir, `repo-${name}`);
	execFileSync('restic', ['init'], {env: {...process.env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD_FILE: pass}, stdio: 'ignore'});
	return repo;
};
const timed = (cmd, args, env) => {
	const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], {env: {...process.env, ...env}, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30});
	if (r.status !== 0) throw new Error(r.stderr);
	const [wall, user, sys, rss] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
	return {wall, cpu: Math.round((user + sys) * 100) / 100, rssKb: rss};
};
const restic = [];
const resto = [];
try {
	for (let i = 0; i < runs; i++) {
		const a = fresh(`a${i}`);
		restic.push(timed('restic', ['backup', '--json', src], {RESTIC_REPOSITORY: a, RESTIC_PASSWORD_FILE: pass}));
		rmSync(a, {recursive: true, force: true});
		const b = fresh(`b${i}`);
		resto.push(timed(process.execPath, ['build/cli.js', 'backup', '--json', '--repo', b, src], {RESTIC_PASSWORD_FILE: pass, XDG_STATE_HOME: path.join(dir, 'state')}));
		rmSync(b, {recursive: true, force: true});
	}
} finally {
	rmSync(dir, {recursive: true, force: true});
}
const median = v => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
const rw = median(restic.map(r => r.wall));
const ow = median(resto.map(r => r.wall));
console.log(
	JSON.stringify(
		{
			benchmark: 'backup-overhead',
			dataMB: mb,
			smallFiles,
			runs,
			resticWallS: rw,
			restoWallS: ow,
			wallRatio: Math.round((ow / rw) * 1000) / 1000,
			overheadPercent: Math.round(((ow - rw) / rw) * 1000) / 10,
			target: 'overhead <= 3 %',
			resticRuns: restic,
			restoRuns: resto,
			restoTotalCpuS: median(resto.map(r => r.cpu)),
			resticCpuS: median(restic.map(r => r.cpu)),
			restoOwnCpuS: Math.round((median(resto.map(r => r.cpu)) - median(restic.map(r => r.cpu))) * 100) / 100,
			restoMaxRssKb: median(resto.map(r => r.rssKb)),
			resticMaxRssKb: median(restic.map(r => r.rssKb)),
			note: 'resto wall includes node start-up (≈ 0.14 s for the bundle) and the backup lock file; its CPU/RSS include restic, its child',
			machine: {cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version},
		},
		null,
		2,
	),
);
