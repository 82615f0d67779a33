/** `resto demo [DIR]`: create (or reuse) the demo repository and say how to open it. */
import path from 'node:path';
import {ensureDemoRepository, demoDirectory} from '../demo/demo.js';
import {printInfo} from '../util/cli-output.js';
import {guard} from './common.js';
import type {CommandContext} from './context.js';

export async function run(ctx: CommandContext): Promise<number> {
	return guard(async () => {
		const dir = path.resolve(ctx.args[0] ?? demoDirectory());
		const started = Date.now();
		const demo = await ensureDemoRepository(dir, {onProgress: m => printInfo(`  ${m}`)});
		printInfo(
			`${demo.created ? 'Created' : 'Reusing'} the demo repository (${demo.snapshots} snapshots${demo.created ? `, ${((Date.now() - started) / 1000).toFixed(1)} s` : ''}):
  repository     ${demo.repository}
  password file  ${demo.passwordFile}
  backed-up home ${path.join(dir, 'home', 'alice')}

Open it:
  RESTIC_REPOSITORY=${demo.repository} RESTIC_PASSWORD_FILE=${demo.passwordFile} resto

or add it to ~/.config/resto/config.yaml:
  repositories:
    - name: demo
      repository: ${demo.repository}
      passwordFile: ${demo.passwordFile}`,
		);
		if (ctx.options.json) process.stdout.write(`${JSON.stringify(demo)}\n`);
		return 0;
	});
}
