/** Once per test run: the restic cache the tests share (test/helpers/restic.ts) goes when the run ends. */
import {rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function teardown(): void {
	rmSync(path.join(os.tmpdir(), 'resto-test-restic-cache'), {recursive: true, force: true});
}
