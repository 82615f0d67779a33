#!/usr/bin/env node
// Bundle source/cli.tsx into one ESM file: startup is ~5x faster than loading hundreds of modules.
import {build} from 'esbuild';
import {chmodSync, existsSync} from 'node:fs';
import path from 'node:path';

const started = Date.now();
const missing = [];
// While features are developed in parallel, a missing source module must not break every other
// command: it builds into a module that fails loudly when used, and the build says so.
const missingModules = {
	name: 'missing-modules',
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
		b.onResolve({filter: /^\.\.?\//}, args => {
			const base = path.resolve(args.resolveDir, args.path.replace(/\.js$/, ''));
			if (args.kind === 'entry-point' || existsSync(path.resolve(args.resolveDir, args.path)) || ['.ts', '.tsx', '.js'].some(ext => existsSync(base + ext))) return undefined;
			missing.push(path.relative(process.cwd(), base));
			return {path: base, namespace: 'missing'};
		});
		b.onLoad({filter: /.*/, namespace: 'missing'}, args => ({
			contents: `const message = ${JSON.stringify(`this build of resto lacks ${path.relative(process.cwd(), args.path)}`)};\nmodule.exports = new Proxy({}, {get: (_t, key) => key === '__esModule' ? false : async () => { throw new Error(message); }});`,
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
	plugins: [missingModules],
});
if (missing.length > 0) console.error(`build: missing modules (commands using them will fail): ${[...new Set(missing)].join(', ')}`);
chmodSync('build/cli.js', 0o755);
if (process.env.RESTO_BUILD_VERBOSE) console.error(`built in ${Date.now() - started} ms`);
