import {chmodSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {App} from '../../source/app.js';
import {loadConfig} from '../../source/config/config.js';
import {ResticCli} from '../../source/restic/client.js';
import {loadTheme} from '../../source/theme/load.js';
import {renderAt, waitForText} from '../helpers/ink.js';
import {makeRepo, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
beforeAll(() => {
	repo = makeRepo();
});
afterAll(() => repo.cleanup());

test('the TUI tells once, in its notice line, that a password file is readable by others, with the chmod', async () => {
	chmodSync(repo.passwordFile, 0o644);
	const file = path.join(repo.root, 'config.yaml');
	writeFileSync(file, `repositories:\n  - {name: local, repository: ${repo.repoPath}, passwordFile: ${repo.passwordFile}}\n`, {mode: 0o600});
	const config = loadConfig({file});
	const ui = renderAt(<App config={config} theme={loadTheme('no-color', {})} clientFor={r => new ResticCli(r.access)} />, 200, 24);
	try {
		const frame = await waitForText(ui.lastFrame, `run \`chmod 600 ${repo.passwordFile}\``);
		expect(frame).toContain(`${repo.passwordFile} is readable by others (mode 0644)`);
		expect(frame.split('chmod 600').length - 1).toBe(1);
	} finally {
		ui.unmount();
		chmodSync(repo.passwordFile, 0o600);
	}
});
