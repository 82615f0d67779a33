#!/usr/bin/env node
// Bundle source/cli.tsx into build/cli.js plus a few chunks (build/chunks/): startup is ~5x faster than
// loading hundreds of modules. Minified, and split at the dynamic imports (each subcommand, execa and
// node:child_process), so the TUI's first frame parses and runs only what it draws
// (scripts/bench-startup.mjs measures it).
import {build} from 'esbuild';
import {chmodSync, readFileSync, rmSync} from 'node:fs';

const started = Date.now();
// Stand-ins for two packages Ink pulls in (see below).
const inkShims = {
	name: 'ink-shims',
	setup(b) {
		// Ink loads its devtools only with DEV=true; bundle an empty stand-in instead of the package.
		b.onResolve({filter: /^react-devtools-core$/}, () => ({path: 'react-devtools-core', namespace: 'empty'}));
		b.onLoad({filter: /^react-devtools-core$/, namespace: 'empty'}, () => ({contents: 'export default {connectToDevTools() {}};', loader: 'js'}));
		// Ink draws only the last frame when CI=true. resto's TUI only runs on a terminal, so a terminal
		// always gets the live UI, even in a shell (or a CI job) that has CI set.
		b.onResolve({filter: /^is-in-ci$/}, () => ({path: 'is-in-ci', namespace: 'empty'}));
		b.onLoad({filter: /^is-in-ci$/, namespace: 'empty'}, () => ({
			contents: "const check = key => key in process.env && process.env[key] !== '0' && process.env[key] !== 'false';\nexport default (check('CI') || check('CONTINUOUS_INTEGRATION')) && !process.stdout.isTTY;",
			loader: 'js',
		}));
		// yoga's wasm loader fetches its own base64 data: URL when `fetch` exists, which makes Node load
		// undici (tens of ms before the first frame). Its synchronous path decodes the same bytes.
		b.onLoad({filter: /yoga-wasm-base64-esm\.js$/}, args => {
			const source = readFileSync(args.path, 'utf8');
			const patched = source.replaceAll('"function"!=typeof fetch', 'true');
			if (patched === source) throw new Error('yoga-layout: the fetch check to patch is gone (update scripts/build.mjs)');
			return {contents: patched, loader: 'js'};
		});
	},
};
// Chunks are content-hashed: remove the previous build's so they do not pile up.
rmSync('build/chunks', {recursive: true, force: true});
await build({
	entryPoints: ['source/cli.tsx'],
	outdir: 'build',
	bundle: true,
	splitting: true,
	// RESTO_BUILD_PLAIN=1 keeps the code readable (for profiling startup).
	minify: !process.env.RESTO_BUILD_PLAIN,
	chunkNames: 'chunks/[name]-[hash]',
	platform: 'node',
	format: 'esm',
	target: 'node20',
	// Node 20 has both; without this esbuild rewrites such regex literals as `new RegExp(…)`, which
	// compiles them when the module loads: string-width's /^\p{RGI_Emoji}$/v alone took ~100 ms of
	// startup, where the literal compiles on first use.
	supported: {'regexp-set-notation': true, 'regexp-unicode-property-escapes': true},
	sourcemap: 'linked',
	define: {'process.env.NODE_ENV': '"production"'},
	banner: {
		js: "import {createRequire as __resto_cr} from 'node:module'; const require = __resto_cr(import.meta.url);",
	},
	logLevel: 'warning',
	allowOverwrite: true,
	entryNames: '[name]',
	plugins: [inkShims],
});
chmodSync('build/cli.js', 0o755);
if (process.env.RESTO_BUILD_VERBOSE) console.error(`built in ${Date.now() - started} ms`);
