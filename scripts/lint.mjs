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
	if (/^source\/(screens|components)\//.test(rel)) {
		for (const i of imports) if (/\/restic\/(run|client)\.js$|^execa$|^node:(fs|child_process)$/.test(i) && !/import type/.test(text.split(i)[0].split('\n').pop() ?? '')) problems.push(`${rel}: a view imports ${i}`);
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
