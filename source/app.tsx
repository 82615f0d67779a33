/**
 * The root, a thin shell: the error boundary, the providers (services in AppContext), the app-wide
 * commands, the ONE input hook and the layout. State lives in the store (navigation, tasks, notices)
 * and in the repository models; see hooks/use-app-services.ts and components/app-layout.tsx.
 */
import {useContext, useEffect, useLayoutEffect, useRef} from 'react';
import {AppContext} from './app-context.js';
import {AppLayout} from './components/app-layout.js';
import {ErrorBoundary} from './components/error-boundary.js';
import {useAppServices, type AppServicesOptions} from './hooks/use-app-services.js';
import {useCommands} from './hooks/use-commands.js';
import {useKeyInput} from './hooks/use-key-input.js';
import {useObservable, useStore} from './hooks/use-store.js';
import {keyLabel} from './keymap/commands.js';
import {currentRoute} from './store/app-store.js';
import {clearAllMarks, markCounts} from './union/marks.js';

export {minSize} from './components/app-layout.js';

export interface AppProps extends AppServicesOptions {
	/** A bug stopped the UI: restore the terminal and say so (the boundary has rendered the message). */
	onCrash?: (error: unknown, where: string | undefined) => void;
}

/** Commands that work on every screen. Esc is bound only where there is somewhere to go back to. */
function GlobalCommands() {
	const services = useContext(AppContext);
	const {store, nav, registry} = services;
	const canGoBack = useStore(store, s => s.routes.length > 1);
	const onNotices = useStore(store, s => s.routes.at(-1)?.name === 'notices');
	const route = useStore(store, currentRoute);
	const counts = useObservable(markCounts);
	const total = [...counts.values()].reduce((a, b) => a + b, 0);
	// The plan of the repository on screen when it has marks, else of the (first) one that has.
	const routeRepo = 'repo' in route ? route.repo : undefined;
	const planRepo = routeRepo && counts.has(routeRepo) ? routeRepo : [...counts.keys()][0];
	useCommands([], {
		'app.quit': nav.quit,
		'app.help': () => store.dispatch({type: 'help', open: true}),
		...(canGoBack ? {'app.back': nav.pop} : {}),
		'app.repos': () => store.dispatch({type: 'nav-reset', route: {name: 'repos'}}),
		'app.drills': () => nav.push({name: 'drills'}),
		'app.notices': onNotices ? {disabled: 'the messages are shown'} : () => nav.push({name: 'notices'}),
		'app.plan':
			route.name === 'plan' ? {disabled: 'the restore plan is open'} : planRepo ? () => nav.push({name: 'plan', repo: planRepo}) : routeRepo ? () => nav.push({name: 'plan', repo: routeRepo}) : {disabled: 'nothing marked: mark files with space (all-files tree, search, a snapshot, a timeline)'},
		'app.clearMarks':
			total > 0
				? () => {
						void services.confirm(`Clear ${total} mark${total === 1 ? '' : 's'}?`).then(yes => {
							if (!yes) return;
							const n = clearAllMarks();
							store.dispatch({type: 'notice', text: `${n} mark${n === 1 ? '' : 's'} cleared.`});
						});
					}
				: {disabled: 'nothing marked'},
	});
	// While an error stays in the status line, Esc dismisses it before it goes back. This registration
	// sits below every screen's (registered first, its scopes changed in place, never re-registered on
	// top), so a screen's own keys and a focused text field still come first.
	const sticky = useStore(store, s => (s.notice?.sticky ? s.notice.seq : undefined));
	const dismissal = useRef<ReturnType<typeof registry.register> | undefined>(undefined);
	useLayoutEffect(() => {
		const reg = registry.register({scopes: [], handlers: {}, modal: false});
		dismissal.current = reg;
		return () => {
			reg.remove();
			dismissal.current = undefined;
		};
	}, [registry]);
	useLayoutEffect(() => {
		dismissal.current?.update(sticky === undefined ? {scopes: [], handlers: {}} : {scopes: ['notice'], handlers: {'notice.dismiss': () => store.dispatch({type: 'notice-expire', seq: sticky})}});
	}, [sticky, store]);
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
