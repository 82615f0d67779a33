/** `resto` with no command: the full-screen TUI. */
import {render} from 'ink';
import {App} from '../app.js';
import type {Config} from '../config/config.js';
import {ResticCli} from '../restic/client.js';
import {stopAllRestic} from '../restic/run.js';
import {loadTheme, ThemeError} from '../theme/load.js';
import {printError, printInfo} from '../util/cli-output.js';
import {onShutdown} from '../util/signals.js';
import {guard, loadConfigOrExit, ExitError} from './common.js';
import type {CommandContext} from './context.js';
import {offerDemo} from './demo-offer.js';

const enterAltScreen = '\x1b[?1049h\x1b[H';
const leaveAltScreen = '\x1b[?1049l';

export async function run(ctx: CommandContext): Promise<number> {
	if (!process.stdin.isTTY || !process.stdout.isTTY) {
		printError(
			'the resto TUI needs an interactive terminal (stdin and stdout must be a TTY). In scripts use a subcommand: resto repos --json, resto snapshots --json, resto search QUERY --json, resto backup, resto drill --json (see resto --help).',
		);
		return 2;
	}
	return guard(async () => {
		let config: Config = loadConfigOrExit({warn: false});
		let theme;
		try {
			theme = loadTheme(ctx.options.theme ?? config.theme);
		} catch (error) {
			if (error instanceof ThemeError) throw new ExitError(1, error.message);
			throw error;
		}
		if (config.repositories.length === 0) {
			const demo = await offerDemo(theme);
			if (!demo) return 0;
			config = {...config, repositories: [{name: 'demo', access: {repository: demo.repository, passwordFile: demo.passwordFile}}]};
		}
		process.stdout.write(enterAltScreen);
		const restore = () => {
			process.stdout.write(leaveAltScreen);
		};
		const unregister = onShutdown(restore);
		const started = Date.now();
		const instance = render(<App config={config} theme={theme} clientFor={repo => new ResticCli(repo.access)} registerShutdown={onShutdown} />, {exitOnCtrlC: false, patchConsole: true});
		if (process.env.RESTO_TIMING) printInfo(`first frame after ${Date.now() - started} ms`);
		try {
			await instance.waitUntilExit();
		} finally {
			await stopAllRestic();
			restore();
			unregister();
		}
		return 0;
	});
}
