#!/usr/bin/env node
// The static checks `npm test` runs before any test (and `npm run check` alone): the bundle builds, types, the
// project rules of scripts/lint.mjs, ESLint, and Prettier's format check. Each prints what failed and the command
// that shows it.
import {spawnSync} from 'node:child_process';
import {pathToFileURL} from 'node:url';

/** The checks, in the order they run. */
export const checks = [
	{name: 'build', command: [process.execPath, 'scripts/build.mjs'], fix: 'node scripts/build.mjs'},
	{name: 'tsc', command: ['npx', 'tsc', '--noEmit', '-p', 'tsconfig.json'], fix: 'npx tsc --noEmit -p tsconfig.json'},
	{name: 'project rules', command: [process.execPath, 'scripts/lint.mjs'], fix: 'node scripts/lint.mjs'},
	{name: 'eslint', command: ['npx', 'eslint', '--max-warnings', '0', '.'], fix: 'npx eslint . (npx eslint --fix . for the fixable ones)'},
	{name: 'prettier', command: ['npx', 'prettier', '--check', '--log-level', 'warn', '.'], fix: 'npm run format (prettier --write .)'},
];

/** Run the checks (all, or those named; all of them, so one run shows every problem); returns the names of those that failed. */
export function runChecks(names = checks.map(c => c.name)) {
	const failed = [];
	for (const check of checks.filter(c => names.includes(c.name))) {
		const started = Date.now();
		const [command, ...args] = check.command;
		const result = spawnSync(command, args, {stdio: ['ignore', 'inherit', 'inherit']});
		const seconds = ((Date.now() - started) / 1000).toFixed(1);
		if (result.status === 0) console.log(`check ${check.name}: ok (${seconds} s)`);
		else {
			console.log(`check ${check.name}: FAILED (${seconds} s) — see above, or run: ${check.fix}`);
			failed.push(check.name);
		}
	}
	return failed;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const failed = runChecks();
	if (failed.length > 0) console.log(`checks failed: ${failed.join(', ')}`);
	process.exit(failed.length === 0 ? 0 : 1);
}
