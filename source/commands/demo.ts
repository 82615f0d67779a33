/** `resto demo [DIR]`: create (or reuse) the demo repository and say how to open it. */
import path from 'node:path';
import {ensureDemoRepository, demoDirectory} from '../demo/demo.js';
import {registerDemo, removeDemo} from '../demo/demo-registry.js';
import {printInfo} from '../util/cli-output.js';
import {guard} from './common.js';
import type {CommandContext} from './context.js';
import {commonOptions, defineCommand, option} from './spec.js';

export const spec = defineCommand({
	name: 'demo',
	summary: 'create a demo repository with snapshots of a realistic small home',
	usage: ['demo [DIR] [--json]', 'demo --remove'],
	description: 'Creates (or reuses) a demo repository in DIR (default: resto\'s data directory) and prints how to open it. Every command lists it (as "demo") until `resto demo --remove`.',
	options: {json: commonOptions.json, remove: option({type: 'boolean', description: 'remove the demo repository resto created'})},
	maxArgs: 1,
});

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	return guard(async () => {
		if (ctx.options.remove) {
			const removed = removeDemo();
			printInfo(removed ? `Removed the demo repository in ${removed}; resto no longer lists it.` : 'No demo repository to remove.');
			return 0;
		}
		const dir = path.resolve(ctx.args[0] ?? demoDirectory());
		const started = Date.now();
		const demo = await ensureDemoRepository(dir, {onProgress: m => printInfo(`  ${m}`)});
		// Every subcommand and the TUI list it from now on (as "demo"), until `resto demo --remove`.
		registerDemo(demo.dir);
		printInfo(
			`${demo.created ? 'Created' : 'Reusing'} the demo repository (${demo.snapshots} snapshots${demo.created ? `, ${((Date.now() - started) / 1000).toFixed(1)} s` : ''}):
  repository     ${demo.repository}
  password file  ${demo.passwordFile}
  backed-up home ${path.join(dir, 'home', 'alice')}

resto lists it as "demo" from now on (resto, resto repos, resto snapshots --repo demo, …).
Remove it with: resto demo --remove`,
		);
		if (ctx.options.json) process.stdout.write(`${JSON.stringify(demo)}\n`);
		return 0;
	});
}
