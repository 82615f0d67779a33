/**
 * The root, a thin shell: the error boundary, the providers (services in AppContext), the app-wide
 * commands, the ONE input hook and the layout. State lives in the store (navigation, tasks, notices)
 * and in the repository models; see hooks/use-app-services.ts and components/app-layout.tsx.
 */
import type {Config, Repository} from './config/config.js';
import {useContext, useEffect} from 'react';
import {AppContext} from './app-context.js';
import {AppLayout} from './components/app-layout.js';
import {ErrorBoundary} from './components/error-boundary.js';
import {useAppServices} from './hooks/use-app-services.js';
import {useCommands} from './hooks/use-commands.js';
import {useKeyInput} from './hooks/use-key-input.js';
import {useStore} from './hooks/use-store.js';
import {keyLabel} from './keymap/commands.js';
import type {RepoRegistry} from './model/repo-registry.js';
import type {ResticClient} from './restic/client.js';
import type {Route} from './screens/routes.js';
import type {AppStore} from './store/app-store.js';
import type {Theme} from './theme/tokens.js';

export {minSize} from './components/app-layout.js';

export interface AppProps {
	config: Config;
	theme: Theme;
	clientFor: (repo: Repository) => ResticClient;
	initialRoute?: Route;
	store?: AppStore;
	/** The repository models (built from config and clientFor when not given). */
	repos?: RepoRegistry;
	/** Called once the user quits and tasks were stopped. */
	onExit?: () => void;
	/**
	 * Lets the caller stop every tracked task (cancel, then wait for it to finish its cleanup: the drill's
	 * temporary restore, a backup's post-hook) when resto ends on a signal. Returns an unregister function.
	 */
	registerShutdown?: (stopTasks: () => Promise<void>) => () => void;
	/** A bug stopped the UI: restore the terminal and say so (the boundary has rendered the message). */
	onCrash?: (error: unknown, where: string | undefined) => void;
}

/** Commands that work on every screen. Esc is bound only where there is somewhere to go back to. */
function GlobalCommands() {
	const {store, nav, registry} = useContext(AppContext);
	const canGoBack = useStore(store, s => s.routes.length > 1);
	useCommands([], {
		'app.quit': nav.quit,
		'app.help': () => store.dispatch({type: 'help', open: true}),
		...(canGoBack ? {'app.back': nav.pop} : {}),
		'app.repos': () => store.dispatch({type: 'nav-reset', route: {name: 'repos'}}),
		'app.drills': () => nav.push({name: 'drills'}),
	});
	// A disabled key says why instead of doing nothing.
	useEffect(() => {
		registry.onDisabled = (spec, reason) => store.dispatch({type: 'notice', level: 'warn', text: `${keyLabel(spec.keys[0]!)} (${spec.description.replace(/\s*\(.*\)$/, '').toLowerCase()}): ${reason}`});
		return () => {
			registry.onDisabled = undefined;
		};
	}, [registry, store]);
	return null;
}

function Shell(props: AppProps) {
	const services = useAppServices(props);
	// Several keys can arrive in one read (`jjj`, a paste): each is handled in turn (hooks/use-key-input.ts).
	useKeyInput(services.registry);
	return (
		<AppContext.Provider value={services}>
			<GlobalCommands />
			<AppLayout />
		</AppContext.Provider>
	);
}

export function App(props: AppProps) {
	return (
		<ErrorBoundary onCrash={props.onCrash}>
			<Shell {...props} />
		</ErrorBoundary>
	);
}
