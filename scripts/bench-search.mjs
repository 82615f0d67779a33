#!/usr/bin/env node
// Builds scripts/bench-search.ts with esbuild and runs it (with --expose-gc for a steady RSS figure).
import {build} from 'esbuild';
import {spawnSync} from 'node:child_process';

await build({entryPoints: ['scripts/bench-search.ts'], outfile: 'build/bench-search.js', bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning'});
const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', 'build/bench-search.js'], {stdio: 'inherit', env: process.env});
process.exit(r.status ?? 1);
