#!/usr/bin/env node
// Time from `resto` starting to its first frame on a real pseudo-terminal (util-linux `script`),
// over a real repository, plus the process's peak RSS. Prints JSON.
import {spawn, execFileSync} from 'node:child_process';
import {mkdtempSync, writeFileSync, mkdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const runs = Number(process.env.RUNS ?? 10);
const dir = mkdtempSync(path.join(os.tmpdir(), 'resto-bench-startup-'));
const repo = path.join(dir, 'repo');
const pass = path.join(dir, 'pass');
writeFileSync(pass, 'bench\n', {mode: 0o600});
const env = {...process.env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD_FILE: pass, XDG_CONFIG_HOME: path.join(dir, 'cfg'), TERM: 'xterm-256color', COLUMNS: '100', LINES: '30'};
execFileSync('restic', ['init'], {env, stdio: 'ignore'});
mkdirSync(path.join(dir, 'src'));
writeFileSync(path.join(dir, 'src', 'f.txt'), 'x');
execFileSync('restic', ['backup', path.join(dir, 'src')], {env, stdio: 'ignore'});

function once(marker) {
	return new Promise((resolve, reject) => {
		const started = process.hrtime.bigint();
		const child = spawn('script', ['-qfec', `stty cols 100 rows 30; exec ${process.execPath} build/cli.js`, '/dev/null'], {env, stdio: ['pipe', 'pipe', 'ignore']});
		let seen = '';
		let first;
		let done = false;
		child.stdin.on('error', () => {});
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`no frame with ${marker}: ${seen.slice(-300)}`));
		}, 20_000);
		child.stdout.on('data', chunk => {
			seen += chunk.toString();
			if (first === undefined && seen.includes('resto')) first = Number(process.hrtime.bigint() - started) / 1e6;
			if (!done && seen.includes(marker)) {
				done = true;
				const ready = Number(process.hrtime.bigint() - started) / 1e6;
				child.stdin.write('q');
				clearTimeout(timer);
				child.on('exit', () => resolve({first, ready}));
			}
		});
	});
}

const pct = (values, p) => {
	const s = [...values].sort((a, b) => a - b);
	return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]);
};
const firsts = [];
const readies = [];
for (let i = 0; i < runs; i++) {
	const r = await once('just now');
	firsts.push(r.first);
	readies.push(r.ready);
}
const rss = execFileSync('/usr/bin/env', ['bash', '-c', `command -v /usr/bin/time >/dev/null && /usr/bin/time -f %M ${process.execPath} build/cli.js --version 2>&1 >/dev/null | tail -1 || echo 0`], {env})
	.toString()
	.trim();
rmSync(dir, {recursive: true, force: true});
console.log(
	JSON.stringify(
		{
			benchmark: 'startup',
			runs,
			firstFrameMs: {p50: pct(firsts, 50), p95: pct(firsts, 95), max: Math.round(Math.max(...firsts))},
			reposReadyMs: {p50: pct(readies, 50), p95: pct(readies, 95), max: Math.round(Math.max(...readies))},
			versionCommandMaxRssKb: Number(rss) || null,
			machine: {cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version},
		},
		null,
		2,
	),
);
