/**
 * The root: providers, the route stack, the ONE useInput, header/status/footer layout, the help
 * overlay and the confirm dialog. Screens render in the body and register their commands.
 */
import {Box, Text, useApp, useInput} from 'ink';
import {useCallback, useEffect, useMemo, useRef, useState, type ReactNode} from 'react';
import {BodySize, ScreenActive} from './hooks/use-body-size.js';
import {AppContext, type AppServices} from './app-context.js';
import {ConfirmDialog} from './components/confirm-dialog.js';
import {HelpOverlay} from './components/help-overlay.js';
import {KeyHints} from './components/key-hints.js';
import type {Config, Repository} from './config/config.js';
import {useCommands} from './hooks/use-commands.js';
import {useStore} from './hooks/use-store.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {isTextInput, keyName} from './keymap/match.js';
import {CommandRegistry} from './keymap/registry.js';
import type {ResticClient} from './restic/client.js';
import {onBackendRetry} from './restic/run.js';
import type {Route} from './screens/routes.js';
import {renderRoute, routeLabel} from './screens/screen-map.js';
import {createAppStore, type AppStore} from './store/app-store.js';
import {roleStyle} from './theme/styles.js';
import type {Theme} from './theme/tokens.js';
import {escapeForTerminal} from './util/escape.js';

/** The smallest terminal resto draws its UI in; below it says so instead of breaking the layout. */
export const minSize = {columns: 60, rows: 15};


export interface AppProps {
	config: Config;
	theme: Theme;
	clientFor: (repo: Repository) => ResticClient;
	initialRoute?: Route;
	store?: AppStore;
	/** Called once the user quits and tasks were stopped. */
	onExit?: () => void;
	/**
	 * Lets the caller stop every tracked task (cancel, then wait for it to finish its cleanup: the drill's
	 * temporary restore, a backup's post-hook) when resto ends on a signal. Returns an unregister function.
	 */
	registerShutdown?: (stopTasks: () => Promise<void>) => () => void;
}

/** How long a signal waits for tasks to finish their cleanup before resto exits anyway. */
const shutdownTaskGraceMs = 10_000;

interface RunningTask {
	label: string | (() => string);
	cancel: () => Promise<void> | void;
}

/** A status line for the task bar: the label of each running task. */
function TaskLine({tasks}: {tasks: Map<number, RunningTask>}) {
	const [, setTick] = useState(0);
	useEffect(() => {
		if (tasks.size === 0) return undefined;
		const t = setInterval(() => setTick(n => n + 1), 500);
		return () => clearInterval(t);
	}, [tasks.size]);
	if (tasks.size === 0) return null;
	return <Text wrap="truncate-end">{[...tasks.values()].map(t => escapeForTerminal(typeof t.label === 'function' ? t.label() : t.label)).join(' · ')}</Text>;
}

function GlobalCommands({onQuit, onHelp, onBack, onRepos, onDrills}: {onQuit: () => void; onHelp: () => void; onBack: () => void; onRepos: () => void; onDrills: () => void}) {
	useCommands([], {'app.quit': onQuit, 'app.help': onHelp, 'app.back': onBack, 'app.repos': onRepos, 'app.drills': onDrills});
	return null;
}

export function App({config, theme, clientFor, initialRoute, store: givenStore, onExit, registerShutdown}: AppProps) {
	const {exit} = useApp();
	const size = useTerminalSize();
	const store = useMemo(() => givenStore ?? createAppStore(), [givenStore]);
	const registry = useMemo(() => new CommandRegistry(), []);
	const [stack, setStack] = useState<Route[]>([initialRoute ?? {name: 'repos'}]);
	const [help, setHelp] = useState(false);
	const [question, setQuestion] = useState<{text: string; dangerous?: boolean; resolve: (yes: boolean) => void} | undefined>();
	const tasksRef = useRef(new Map<number, RunningTask>());
	const [taskCount, setTaskCount] = useState(0);
	const nextTask = useRef(1);
	const quitting = useRef(false);
	const notice = useStore(store, s => s.notice);
	useEffect(() => {
		// Told once, at start: a config or password file that others can read, with the chmod that fixes it.
		const warnings = config.warnings ?? [];
		if (warnings.length > 0) store.dispatch({type: 'notice', level: 'warn', text: warnings.length === 1 ? warnings[0]! : `${warnings[0]} (and ${warnings.length - 1} more such file${warnings.length > 2 ? 's' : ''}: see resto repos)`});
	}, [config, store]);

	const clients = useRef(new Map<string, ResticClient>());
	const clientForCached = useCallback(
		(repo: Repository) => {
			let c = clients.current.get(repo.name);
			if (!c) {
				c = clientFor(repo);
				clients.current.set(repo.name, c);
			}
			return c;
		},
		[clientFor],
	);

	const confirm = useCallback(
		(text: string, options: {dangerous?: boolean} = {}) =>
			new Promise<boolean>(resolve => {
				setQuestion({text, dangerous: options.dangerous, resolve});
			}),
		[],
	);

	const doQuit = useCallback(async () => {
		if (quitting.current) return;
		const tasks = [...tasksRef.current.values()];
		if (tasks.length > 0) {
			const yes = await confirm(`${tasks.map(t => (typeof t.label === 'function' ? t.label() : t.label)).join(', ')} still running. Stop ${tasks.length > 1 ? 'them' : 'it'} (restic is interrupted cleanly) and quit?`, {dangerous: true});
			if (!yes) return;
		}
		quitting.current = true;
		store.dispatch({type: 'notice', text: tasks.length > 0 ? 'Stopping restic…' : 'Bye'});
		await Promise.allSettled(tasks.map(t => t.cancel()));
		onExit?.();
		exit();
	}, [confirm, exit, onExit, store]);

	// restic retrying a dead backend is silent for up to the stall timeout: say so at the bottom.
	useEffect(() => {
		let last = 0;
		return onBackendRetry(retry => {
			if (retry.at - last < 1000) return;
			last = retry.at;
			const limit = retry.stallLimitMs > 0 ? `, stopped after ${Math.round(retry.stallLimitMs / 1000)} s` : '';
			store.dispatch({type: 'notice', level: 'warn', text: `backend not answering (${retry.cause}): restic retrying for ${Math.round(retry.retryingForMs / 1000)} s${limit}`});
		});
	}, [store]);

	// SIGHUP/SIGTERM/SIGINT end resto without a confirmation: restic is stopped first (signals.ts), then
	// each task gets to finish its own cleanup, which an immediate process.exit would cut short.
	useEffect(() => {
		if (!registerShutdown) return undefined;
		return registerShutdown(async () => {
			const tasks = [...tasksRef.current.values()];
			if (tasks.length === 0) return;
			const grace = new Promise<void>(resolve => setTimeout(resolve, shutdownTaskGraceMs).unref());
			await Promise.race([Promise.allSettled(tasks.map(t => t.cancel())), grace]);
		});
	}, [registerShutdown]);

	const services: AppServices = useMemo(
		() => ({
			config,
			store,
			registry,
			theme,
			nav: {
				push: route => setStack(s => [...s, route]),
				pop: () => setStack(s => (s.length > 1 ? s.slice(0, -1) : s)),
				replace: route => setStack(s => [...s.slice(0, -1), route]),
				quit: () => void doQuit(),
			},
			clientFor: clientForCached,
			repo: name => config.repositories.find(r => r.name === name),
			confirm,
			trackTask: (label, cancel) => {
				const id = nextTask.current++;
				tasksRef.current.set(id, {label, cancel});
				setTaskCount(tasksRef.current.size);
				return () => {
					tasksRef.current.delete(id);
					setTaskCount(tasksRef.current.size);
				};
			},
		}),
		[config, store, registry, theme, doQuit, clientForCached, confirm],
	);

	useInput((input, key) => {
		const name = keyName(input, key);
		if (process.env.RESTO_DEBUG_KEYS) console.error("KEY", JSON.stringify(input), name, registry.scopes(), registry.active().map(r => Object.keys(r.handlers)));
		const capture = registry.textCapture();
		if (capture && (isTextInput(input, key) || key.backspace || key.delete || (key.ctrl && (input === 'w' || input === 'u')))) {
			if (capture(input, key)) return;
		}
		if (name) registry.dispatch(name);
	});

	// Notices fade after a few seconds.
	useEffect(() => {
		if (!notice) return undefined;
		const t = setTimeout(() => store.dispatch({type: 'notice-clear'}), 6000);
		return () => clearTimeout(t);
	}, [notice, store]);

	const route = stack.at(-1)!;
	const tooSmall = size.columns < minSize.columns || size.rows < minSize.rows;
	const bodyHeight = Math.max(1, size.rows - 3);
	const width = size.columns;

	// Screens stay mounted while the window is too small (hidden, without keys): unmounting them would
	// abort a running drill, stop indexing and lose the search query just because the window shrank for
	// a moment. Hidden, they are laid out at the minimum size, never at whatever tiny size the window has.
	const active = (i: number) => !tooSmall && i === stack.length - 1;
	const screenSize = {width: Math.max(width, minSize.columns), height: Math.max(bodyHeight, minSize.rows - 3)};
	const body: ReactNode = (
		<>
			{tooSmall ? (
				<Box flexDirection="column">
					<Text wrap="wrap" {...roleStyle(theme, 'status.warn')}>
						Terminal too small: {size.columns}×{size.rows}.
					</Text>
					<Text wrap="wrap">
						resto needs at least {minSize.columns}×{minSize.rows}. Enlarge the window, or use a subcommand (resto --help). q quits.
					</Text>
				</Box>
			) : null}
			<BodySize.Provider value={screenSize}>
				{/* Screens below the top stay mounted (hidden, without keys) so going back keeps their state. */}
				{stack.map((r, i) => (
					<ScreenActive.Provider key={`${i}:${r.name}`} value={active(i)}>
						<Box display={active(i) ? 'flex' : 'none'} flexDirection="column" height={screenSize.height}>
							{renderRoute(r)}
						</Box>
					</ScreenActive.Provider>
				))}
			</BodySize.Provider>
		</>
	);

	const crumbs = stack.map(routeLabel).filter(Boolean);
	return (
		<AppContext.Provider value={services}>
			<BodySize.Provider value={{width, height: bodyHeight}}>
				<GlobalCommands
					onQuit={() => void doQuit()}
					onHelp={() => setHelp(true)}
					onBack={() => setStack(s => (s.length > 1 ? s.slice(0, -1) : s))}
					onRepos={() => setStack([{name: 'repos'}])}
					onDrills={() => setStack(s => [...s, {name: 'drills'}])}
				/>
				<Box flexDirection="column" width={width} height={size.rows}>
					<Box height={1} width={width} overflow="hidden">
						<Text wrap="truncate-start">
							<Text {...roleStyle(theme, 'title')} bold>
								resto
							</Text>
							<Text {...roleStyle(theme, 'text.muted')}>{crumbs.length > 0 ? ` › ${crumbs.map(c => escapeForTerminal(c)).join(' › ')}` : ''}</Text>
						</Text>
					</Box>
					<Box height={bodyHeight} width={width} flexDirection="column" overflow="hidden">
						<Box display={help || question ? 'none' : 'flex'} flexDirection="column" height={bodyHeight}>
							{body}
						</Box>
						{help && !question ? <HelpOverlay scopes={registry.scopes()} onClose={() => setHelp(false)} width={width} height={bodyHeight} /> : null}
						{question ? (
							<ConfirmDialog
								question={question.text}
								dangerous={question.dangerous}
								width={width}
								onAnswer={yes => {
									question.resolve(yes);
									setQuestion(undefined);
								}}
							/>
						) : null}
					</Box>
					<Box height={1} width={width} overflow="hidden">
						{notice ? (
							<Text wrap="truncate-end" {...roleStyle(theme, notice.level === 'error' ? 'status.error' : notice.level === 'warn' ? 'status.warn' : 'status.ok')}>
								{escapeForTerminal(notice.text)}
							</Text>
						) : taskCount > 0 ? (
							<TaskLine tasks={tasksRef.current} />
						) : (
							<Text> </Text>
						)}
					</Box>
					<KeyHints width={width} />
				</Box>
			</BodySize.Provider>
		</AppContext.Provider>
	);
}
