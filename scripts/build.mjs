#!/usr/bin/env node
// Bundle source/cli.tsx into one ESM file: startup is ~5x faster than loading hundreds of modules.
import {build} from 'esbuild';
import {chmodSync} from 'node:fs';

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
	},
};
await build({
	entryPoints: ['source/cli.tsx'],
	outdir: 'build',
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
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
