#!/usr/bin/env node
// The same data backed up by bare `restic backup --json` and by `resto backup --json`, alternating,
// each into a fresh repository. Prints JSON: median wall times, the overhead ratio, resto's CPU and RSS.
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const mb = Number(process.env.MB ?? 300);
const runs = Number(process.env.RUNS ?? 3);
const dir = mkdtempSync(path.join(os.tmpdir(), 'resto-bench-backup-'));
const src = path.join(dir, 'data');
mkdirSync(src);
const chunk = Buffer.alloc(1 << 20);
for (let i = 0; i < mb; i++) {
	for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, j);
	writeFileSync(path.join(src, `f${i}.bin`), chunk);
}
for (let i = 0; i < 5000; i++) writeFileSync(path.join(src, `small-${i}.txt`), String(i));
const pass = path.join(dir, 'pass');
writeFileSync(pass, 'bench\n');
const fresh = i => {
	const repo = path.join(dir, `repo-${i}`);
	execFileSync('restic', ['init'], {env: {...process.env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD_FILE: pass}, stdio: 'ignore'});
	return repo;
};
const timed = (cmd, args, env) => {
	const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], {env: {...process.env, ...env}, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30});
	if (r.status !== 0) throw new Error(r.stderr);
	const [wall, user, sys, rss] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
	return {wall, cpu: user + sys, rssKb: rss};
};
const restic = [];
const resto = [];
for (let i = 0; i < runs; i++) {
	const a = fresh(`a${i}`);
	restic.push(timed('restic', ['backup', '--json', src], {RESTIC_REPOSITORY: a, RESTIC_PASSWORD_FILE: pass}));
	const b = fresh(`b${i}`);
	resto.push(timed(process.execPath, ['build/cli.js', 'backup', '--json', '--repo', b, src], {RESTIC_PASSWORD_FILE: pass, XDG_STATE_HOME: path.join(dir, 'state')}));
}
rmSync(dir, {recursive: true, force: true});
const median = v => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
const rw = median(restic.map(r => r.wall));
const ow = median(resto.map(r => r.wall));
console.log(JSON.stringify({benchmark: 'backup-overhead', dataMB: mb, smallFiles: 5000, runs, resticWallS: rw, restoWallS: ow, overheadPercent: Math.round(((ow - rw) / rw) * 1000) / 10, note: 'resto wall includes node start-up and, on restic 0.14, the lookup of the full snapshot id; resto CPU/RSS include restic (a child of resto)', restoTotalCpuS: median(resto.map(r => r.cpu)), resticCpuS: median(restic.map(r => r.cpu)), restoMaxRssKb: median(resto.map(r => r.rssKb)), machine: {cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version}}, null, 2));
