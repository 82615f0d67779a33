#!/usr/bin/env node
// Project rules neither the type checker nor ESLint sees (shared/design.md): no default exports,
// views never touch restic/execa/fs/child_process, restic/ and index/ never import React,
// file names kebab-case, and the readme's key list matches the keymap. (`any` is ESLint's
// @typescript-eslint/no-explicit-any, which reads code, not the word in a comment.)
import {execFileSync} from 'node:child_process';
import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';

const problems = [];
function walk(dir) {
	return readdirSync(dir).flatMap(name => {
		const p = path.join(dir, name);
		return statSync(p).isDirectory() ? walk(p) : [p];
	});
}
for (const file of walk('source').filter(f => /\.(ts|tsx)$/.test(f))) {
	const text = readFileSync(file, 'utf8');
	const rel = file.replaceAll(path.sep, '/');
	if (!/^[a-z0-9-]+(\.[a-z]+)+$/.test(path.basename(file))) problems.push(`${rel}: file name is not kebab-case`);
	if (/^export default /m.test(text)) problems.push(`${rel}: default export`);
	const imports = [...text.matchAll(/^import [^;]*? from '([^']+)'/gm)].map(m => m[1]);
	// Views (screens/<name>/<name>-screen.tsx and components/) render; their hooks (use-<name>-screen.ts)
	// and tasks do the work. A view never reaches restic/, the disk or a child process, not even through
	// a dynamic import. `import type` from restic/ is allowed: types (Snapshot, LsNode) are erased at
	// compile time and are what a view displays; they carry no way to run anything.
	if (/^source\/screens\/.+-screen\.tsx$|^source\/components\//.test(rel)) {
		const forbidden = /(^|\/)restic\/|^execa$|^(node:)?(fs|fs\/promises|child_process)$/;
		const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
		for (const m of code.matchAll(/^import\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)'/gm)) {
			const typeOnly = Boolean(m[1]) || /^\{\s*(type\s+[\w$]+\s*,?\s*)+\}$/.test(m[2].trim());
			if (forbidden.test(m[3]) && !typeOnly) problems.push(`${rel}: a view imports ${m[3]} (move the work into its use-…-screen hook or a task)`);
		}
		for (const m of code.matchAll(/^import\s+'([^']+)'/gm)) if (forbidden.test(m[1])) problems.push(`${rel}: a view imports ${m[1]}`);
		for (const m of code.matchAll(/\b(?:import|require)\(\s*'([^']+)'\s*\)/g)) if (forbidden.test(m[1])) problems.push(`${rel}: a view loads ${m[1]}`);
	}
	// Every screen is a view plus its state hook.
	if (/^source\/screens\/([a-z-]+)\/\1-screen\.tsx$/.test(rel)) {
		const hook = rel.replace(/([a-z-]+)-screen\.tsx$/, 'use-$1-screen.ts');
		try {
			statSync(hook);
		} catch {
			problems.push(`${rel}: no ${path.basename(hook)} beside it (a screen is a view plus its use-…-screen hook)`);
		}
	}
	if (/^source\/(restic|index|drill|backup|tasks|store)\//.test(rel)) {
		for (const i of imports) if (i === 'react' || i === 'ink') problems.push(`${rel}: imports ${i} outside the views`);
	}
}
try {
	execFileSync(process.execPath, ['scripts/readme-keys.mjs', '--check'], {stdio: 'pipe'});
} catch {
	problems.push('readme.md key list is out of date (node scripts/readme-keys.mjs)');
}
for (const p of problems) console.error(p);
console.error(problems.length === 0 ? 'lint: ok' : `lint: ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
