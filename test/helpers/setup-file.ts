/** Runs in every test file (vitest setupFiles): its temp dirs go when the file ends, whatever happened in it. */
import {afterAll} from 'vitest';
import {removeTempDirs} from './temp.js';

// Registered before the file's own hooks, so it runs after them (vitest runs after-hooks as a stack): a
// file's afterAll can still stop its servers inside these directories first.
afterAll(() => removeTempDirs());
