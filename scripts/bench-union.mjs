#!/usr/bin/env node
// Builds scripts/bench-union.ts with esbuild and runs it (with --expose-gc for a steady RSS figure).
import {build} from 'esbuild';
import {spawnSync} from 'node:child_process';

await build({entryPoints: ['scripts/bench-union.ts'], outfile: 'build/bench-union.js', bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning'});
const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', 'build/bench-union.js'], {stdio: 'inherit', env: process.env});
process.exit(r.status ?? 1);
