#!/usr/bin/env node
// Time from `resto` starting to its first real frame (the repositories screen with its footer) on a real
// pseudo-terminal (util-linux `script`), over a real repository; and the same for a bundled Ink "hello",
// the floor any Ink app pays, run in turn with resto so a loaded machine slows both alike. Each run also
// reports the process's own CPU time (user + system, from /proc, restic children not counted) and peak RSS at
// that moment. Prints JSON.
//
//   node scripts/bench-startup.mjs            (after node scripts/build.mjs; RUNS=10 by default)
import {spawn, execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, writeFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {build} from 'esbuild';

const runs = Number(process.env.RUNS ?? 10);
const readyRuns = Number(process.env.READY_RUNS ?? 3);
const cli = path.resolve('build/cli.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'resto-bench-startup-'));
const repo = path.join(dir, 'repo');
const pass = path.join(dir, 'pass');
writeFileSync(pass, 'bench\n', {mode: 0o600});
// A home of its own: no config, demo or index of the user's leaks into the figures.
const env = {
	...process.env,
	HOME: dir,
	XDG_CONFIG_HOME: path.join(dir, 'cfg'),
	XDG_CACHE_HOME: path.join(dir, 'cache'),
	XDG_STATE_HOME: path.join(dir, 'state'),
	XDG_DATA_HOME: path.join(dir, 'data'),
	RESTIC_REPOSITORY: repo,
	RESTIC_PASSWORD_FILE: pass,
	TERM: 'xterm-256color',
	LANG: 'C.UTF-8',
};
delete env.RESTO_CONFIG;
delete env.RESTIC_PASSWORD;
delete env.RESTIC_PASSWORD_COMMAND;
execFileSync('restic', ['init'], {env, stdio: 'ignore'});
mkdirSync(path.join(dir, 'src'));
writeFileSync(path.join(dir, 'src', 'f.txt'), 'x');
execFileSync('restic', ['backup', path.join(dir, 'src')], {env, stdio: 'ignore'});

// The floor: an Ink hello bundled the way resto is (one ESM file, production React).
const hello = path.join(dir, 'hello.mjs');
writeFileSync(path.join(dir, 'hello.jsx'), "import React from 'react';\nimport {render, Text, useInput, useApp} from 'ink';\nfunction Hello() {\n\tconst {exit} = useApp();\n\tuseInput(() => exit());\n\treturn <Text>hello q quit</Text>;\n}\nrender(<Hello />);\n");
await build({
	entryPoints: [path.join(dir, 'hello.jsx')],
	outfile: hello,
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	jsx: 'automatic',
	nodePaths: [path.resolve('node_modules')],
	define: {'process.env.NODE_ENV': '"production"'},
	plugins: [
		{
			name: 'empty-devtools',
			// As in scripts/build.mjs: Ink loads its devtools only with DEV=true.
			setup(b) {
				b.onResolve({filter: /^react-devtools-core$/}, () => ({path: 'react-devtools-core', namespace: 'empty'}));
				b.onLoad({filter: /.*/, namespace: 'empty'}, () => ({contents: 'export default {connectToDevTools() {}};', loader: 'js'}));
			},
		},
	],
	banner: {js: "import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);"},
	logLevel: 'error',
});

// eslint-disable-next-line no-control-regex
const stripAnsi = s => s.replace(/\u001B(?:\[[\d;?]*[ -/]*[@-~]|\][^\u0007]*\u0007|[()][\dA-Z]|[=>78])/g, '');

/** The node process below `pid` (script → time → node), from /proc. */
function nodeBelow(pid) {
	const queue = [pid];
	while (queue.length > 0) {
		const p = queue.shift();
		try {
			if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'node') return p;
			queue.push(...readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number));
		} catch {
			// Gone already.
		}
	}
	return undefined;
}

/** CPU time (user + system, ms; children not counted) and peak RSS (kB) of a live process so far. */
function usage(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const ticks = Number(fields[11]) + Number(fields[12]);
		const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return {cpuMs: ticks * 10, rssKb: Number(hwm?.[1])};
	} catch {
		return {};
	}
}

/**
 * Start `node FILE` in a pty; `firstFrame` when the screen shows every marker of `frame`, `ready` when it
 * shows `ready` (if given); then send q and wait for the exit and /usr/bin/time's figures.
 */
function once(file, frame, ready) {
	return new Promise((resolve, reject) => {
		const timeFile = path.join(dir, 'time.txt');
		rmSync(timeFile, {force: true});
		const started = process.hrtime.bigint();
		const command = `stty cols 100 rows 30; exec /usr/bin/time -f '%M' -o '${timeFile}' '${process.execPath}' '${file}'`;
		const child = spawn('script', ['-qfec', command, '/dev/null'], {env, cwd: dir, stdio: ['pipe', 'pipe', 'ignore']});
		let seen = '';
		let first;
		let readyAt;
		let atFirst = {};
		let quit = false;
		child.stdin.on('error', () => {});
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`no frame: ${seen.slice(-400)}`));
		}, 30_000);
		const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
		child.stdout.on('data', chunk => {
			seen += stripAnsi(chunk.toString());
			if (first === undefined && frame.every(m => seen.includes(m))) {
				first = ms();
				atFirst = usage(nodeBelow(child.pid));
			}
			if (readyAt === undefined && first !== undefined && ready && seen.includes(ready)) readyAt = ms();
			if (!quit && first !== undefined && (!ready || readyAt !== undefined)) {
				quit = true;
				child.stdin.write('q');
			}
		});
		child.on('exit', () => {
			clearTimeout(timer);
			// Peak RSS of the whole run, from /usr/bin/time (the last line; restic children are not in it).
			const rss = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
			resolve({first, ready: readyAt, cpuMs: atFirst.cpuMs, rssKb: atFirst.rssKb, peakRssKb: rss});
		});
	});
}

const pct = (values, p) => {
	const s = values.filter(v => v !== undefined).sort((a, b) => a - b);
	return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]);
};
const figures = values => ({p50: pct(values, 50), p95: pct(values, 95), max: Math.round(Math.max(...values))});

const resto = [];
const floor = [];
// Warm-up of each (the file cache), not counted.
await once(cli, ['resto › repositories', 'q quit']);
await once(hello, ['hello q quit']);
for (let i = 0; i < runs; i++) {
	resto.push(await once(cli, ['resto › repositories', 'q quit']));
	floor.push(await once(hello, ['hello q quit']));
}
const readies = [];
for (let i = 0; i < readyRuns; i++) readies.push(await once(cli, ['resto › repositories', 'q quit'], '1 snapshot'));
rmSync(dir, {recursive: true, force: true});
console.log(
	JSON.stringify(
		{
			benchmark: 'startup',
			runs,
			firstFrameMs: figures(resto.map(r => r.first)),
			cpuToFirstFrameMs: figures(resto.map(r => r.cpuMs)),
			rssAtFirstFrameKb: figures(resto.map(r => r.rssKb)),
			inkHello: {firstFrameMs: figures(floor.map(r => r.first)), cpuMs: figures(floor.map(r => r.cpuMs)), rssKb: figures(floor.map(r => r.rssKb))},
			// Per pair, resto's first frame over the hello's: holds when the machine's speed drifts.
			ratioToInkHelloPercent: figures(resto.map((r, i) => (r.first / floor[i].first) * 100)),
			reposReadyMs: figures(readies.map(r => r.ready)),
			peakRssWhenReadyKb: figures(readies.map(r => r.peakRssKb)),
			// build/cli.js and its chunks (the TUI loads some of them).
			bundleBytes: [cli, ...(existsSync('build/chunks') ? readdirSync('build/chunks') : []).filter(f => f.endsWith('.js')).map(f => path.join('build/chunks', f))].reduce((sum, f) => sum + statSync(f).size, 0),
			loadAverage: os.loadavg().map(v => Math.round(v * 10) / 10),
			machine: {cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version},
		},
		null,
		2,
	),
);
