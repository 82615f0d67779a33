#!/usr/bin/env node
// `resto search` (cached index) against `restic find` on a real repository of ~200k files and 5 snapshots.
// Prints JSON with both wall times (median of RUNS) and the ratio. Needs build/cli.js (npm run build).
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {build} from 'esbuild';

const files = Number(process.env.FILES ?? 200_000);
const runs = Number(process.env.RUNS ?? 5);
const dir = mkdtempSync(path.join(os.tmpdir(), 'resto-bench-find-'));
const src = path.join(dir, 'home');
const env = {...process.env, RESTIC_REPOSITORY: path.join(dir, 'repo'), RESTIC_PASSWORD_FILE: path.join(dir, 'pass'), XDG_CACHE_HOME: path.join(dir, 'cache'), RESTIC_CACHE_DIR: path.join(dir, 'restic-cache')};
writeFileSync(env.RESTIC_PASSWORD_FILE, 'bench\n');
execFileSync('restic', ['init'], {env, stdio: 'ignore'});
let n = 0;
for (let a = 0; n < files; a++) {
	for (let b = 0; b < 50 && n < files; b++) {
		const d = path.join(src, `project-${a}`, `module-${b}`, 'src');
		mkdirSync(d, {recursive: true});
		for (let c = 0; c < 100 && n < files; c++, n++) writeFileSync(path.join(d, `file-${c}-${(a * 7919 + b * 104729 + c) % 100000}.txt`), String(n));
	}
}
writeFileSync(path.join(src, 'project-3', 'invoice-2023-final.pdf'), 'pdf');
for (let s = 0; s < 5; s++) {
	writeFileSync(path.join(src, `churn-${s}.txt`), String(s));
	execFileSync('restic', ['backup', '-q', src], {env, stdio: 'ignore'});
}
const t = Date.now();
execFileSync(process.execPath, ['build/cli.js', 'index'], {env, stdio: 'ignore'});
const indexMs = Date.now() - t;
const time = (cmd, args, extraEnv = {}) => {
	const started = process.hrtime.bigint();
	const r = spawnSync(cmd, args, {env: {...env, ...extraEnv}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
	if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
	return {ms: Number(process.hrtime.bigint() - started) / 1e6, out: r.stdout};
};
const median = v => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
// The query alone, in-process, on the cached index: first on a fresh load, then warm (per keystroke).
await build({entryPoints: ['scripts/query-cache.ts'], outfile: 'build/query-cache.js', bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning'});
const repoId = JSON.parse(execFileSync('restic', ['cat', 'config'], {env, encoding: 'utf8'})).id;
const inProcess = JSON.parse(execFileSync(process.execPath, ['build/query-cache.js', repoId, path.join(env.XDG_CACHE_HOME, 'resto', 'index'), 'invoice 2023', '20'], {env, encoding: 'utf8'}));
// restic processes a cached `resto search` starts, counted by a wrapper that logs and execs restic.
const runsLog = path.join(dir, 'restic-runs.log');
const wrapper = path.join(dir, 'restic-counting');
writeFileSync(wrapper, `#!/bin/sh\necho "$1" >> '${runsLog}'\nexec restic "$@"\n`, {mode: 0o755});
const resticRuns = [];
const resto = [];
const query = [];
const restic = [];
let found;
for (let i = 0; i < runs; i++) {
	rmSync(runsLog, {force: true});
	const a = time(process.execPath, ['build/cli.js', 'search', 'invoice 2023', '--json', '--limit', '5'], {RESTIC_BIN: wrapper});
	resticRuns.push(existsSync(runsLog) ? readFileSync(runsLog, 'utf8').trim().split('\n').length : 0);
	const parsed = JSON.parse(a.out);
	found = parsed.results[0]?.path;
	query.push(parsed.ms);
	resto.push(a.ms);
	restic.push(time('restic', ['find', '--json', '*invoice*2023*']).ms);
}
rmSync(dir, {recursive: true, force: true});
console.log(
	JSON.stringify(
		{
			benchmark: 'search-vs-restic-find',
			files: n,
			snapshots: 5,
			runs,
			indexBuildMs: indexMs,
			restoSearchCommandMs: Math.round(median(resto)),
			restoQueryMs: median(query),
			resticFindMs: Math.round(median(restic)),
			ratioCommand: Math.round((median(restic) / median(resto)) * 10) / 10,
			resticProcessesPerRestoRun: resticRuns,
			loadAverage: os.loadavg().map(l => Math.round(l * 10) / 10),
			ratioQuery: Math.round(median(restic) / Math.max(1, median(query))),
			inProcess,
			ratioWarmQuery: Math.round(median(restic) / Math.max(0.1, inProcess.warmQueryMs.p50)),
			note: 'command = whole `resto search` process (node start, snapshot files listed and compared with the cache: no restic, cache load, query); query = the search itself inside that command (a fresh process: its first query); inProcess = the same query on the cached index in one process, first and then warm (as the TUI runs it on each keystroke)',
			found,
			machine: {cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version},
		},
		null,
		2,
	),
);
