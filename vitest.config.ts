import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
		testTimeout: 60_000,
		hookTimeout: 120_000,
		globalSetup: ['test/helpers/global-setup.ts'],
		setupFiles: ['test/helpers/setup-file.ts'],
		pool: 'forks',
		maxWorkers: 2,
		reporters: ['default'],
	},
});
