/** `resto` with no command: the full-screen TUI. */
import {render} from 'ink';
import {App} from '../app.js';
import {crashMessage} from '../components/error-boundary.js';
import {withDemo, type Config} from '../config/config.js';
import {registerDemo} from '../demo/demo-registry.js';
import {RepoRegistry} from '../model/repo-registry.js';
import {createAppStore} from '../store/app-store.js';
import {watchConfig} from '../tasks/config-watch.js';
import {ResticCli} from '../restic/client.js';
import {stopAllRestic} from '../restic/run.js';
import {loadTheme, ThemeError} from '../theme/load.js';
import {printError, printInfo} from '../util/cli-output.js';
import {escapeForTerminal} from '../util/escape.js';
import {onShutdown} from '../util/signals.js';
import {guard, loadConfigOrExit, ExitError} from './common.js';
import type {CommandContext} from './context.js';
import {offerDemo} from './demo-offer.js';
import {defineCommand} from './spec.js';

export const spec = defineCommand({
	name: 'tui',
	summary: 'the full-screen TUI on your configured repositories (or the demo repository)',
	usage: [''],
	description: 'Needs an interactive terminal of at least 60×15. With nothing configured it offers to create the demo repository. In scripts use the subcommands.',
	options: {},
});

const enterAltScreen = '\x1b[?1049h\x1b[H';
const leaveAltScreen = '\x1b[?1049l';

export async function run(ctx: CommandContext<typeof spec>): Promise<number> {
	if (!process.stdin.isTTY || !process.stdout.isTTY) {
		printError('the resto TUI needs an interactive terminal (stdin and stdout must be a TTY). In scripts use a subcommand: resto repos --json, resto snapshots --json, resto search QUERY --json, resto backup, resto drill --json (see resto --help).');
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
		// Everything resto draws, the demo offer and its spinner included, goes on the alternate screen:
		// quitting leaves the terminal as it was, with no frozen frames in the scrollback.
		process.stdout.write(enterAltScreen);
		let onAltScreen = true;
		const restore = () => {
			if (!onAltScreen) return;
			onAltScreen = false;
			process.stdout.write(leaveAltScreen);
		};
		const unregister = onShutdown(restore);
		try {
			if (config.repositories.length === 0) {
				const demo = await offerDemo(theme);
				if (!demo) {
					restore();
					printInfo('No repository configured. Use yours with RESTIC_REPOSITORY=… RESTIC_PASSWORD_FILE=… resto, or write ~/.config/resto/config.yaml (see the readme).');
					return 0;
				}
				registerDemo(demo.dir);
				config = withDemo(config);
				// The offer's last frame stays where it was drawn: start the UI on a clean screen.
				process.stdout.write('\x1b[2J\x1b[H');
			}
		} catch (error) {
			restore();
			unregister();
			throw error;
		}
		const started = Date.now();
		const clientFor = (repo: Config['repositories'][number]) => new ResticCli(repo.access);
		const repos = new RepoRegistry(config.repositories, clientFor);
		const store = createAppStore();
		// Without a config file (zero-config, demo) there is nothing to follow.
		const unwatch = config.source === 'file' && config.file ? watchConfig(config.file, repos, {onError: text => store.dispatch({type: 'notice', text, level: 'error'})}) : () => {};
		// A bug (in rendering, or thrown from a timer or handler) ends the UI with a message on the normal
		// screen, not a stack trace over the alternate one; restic is stopped on the way out.
		let crashed: string | undefined;
		const crash = (error: unknown, where?: string) => {
			if (crashed !== undefined) return;
			crashed = crashMessage(error, where);
			instance.unmount();
		};
		const onUncaught = (error: unknown) => crash(error);
		process.on('uncaughtException', onUncaught);
		// What stopping the tasks on quit had to say (a restore cut off, where its marker is) would vanish
		// with the alternate screen: it is printed on the normal screen afterwards.
		let quitAt: number | undefined;
		const unsubscribeQuit = store.subscribe(() => {
			if (quitAt === undefined && store.getState().quitting) quitAt = store.getState().notices.at(-1)?.seq ?? 0;
		});
		const instance = render(<App config={config} theme={theme} clientFor={clientFor} repos={repos} store={store} registerShutdown={onShutdown} onCrash={crash} />, {exitOnCtrlC: false, patchConsole: true});
		if (process.env.RESTO_TIMING) printInfo(`first frame after ${Date.now() - started} ms`);
		try {
			await instance.waitUntilExit();
		} finally {
			process.off('uncaughtException', onUncaught);
			unwatch();
			repos.dispose();
			await stopAllRestic();
			restore();
			unregister();
			unsubscribeQuit();
		}
		if (quitAt !== undefined) {
			for (const notice of store.getState().notices) if (notice.seq > quitAt && notice.level !== 'info') printInfo(escapeForTerminal(notice.text));
		}
		if (crashed !== undefined) {
			printError(crashed);
			return 1;
		}
		return 0;
	});
}
