// ESLint for resto (flat config). `npm test` runs it before the tests (scripts/check.mjs); so does CI.
// Project rules ESLint cannot express (views never import restic/, file names, readme keys) stay in scripts/lint.mjs.
import js from '@eslint/js';
import {defineConfig} from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
	{ignores: ['build/', 'node_modules/', 'coverage/', 'test/fixtures/']},
	{linterOptions: {reportUnusedDisableDirectives: 'error'}},
	js.configs.recommended,
	tseslint.configs.recommended,
	{
		rules: {
			// `let running; onShutdown(() => running…); running = task.run()`: a closure reads it before the one assignment.
			'prefer-const': ['error', {ignoreReadBeforeAssign: true}],
		},
	},
	{
		files: ['**/*.{ts,tsx}'],
		plugins: {'react-hooks': reactHooks},
		rules: {
			'react-hooks/rules-of-hooks': 'error',
			'react-hooks/exhaustive-deps': 'error',
			// `_name` marks a parameter a signature needs but the body does not use.
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_'}],
		},
	},
	{
		files: ['**/*.{js,mjs}'],
		languageOptions: {globals: globals.node},
	},
);
