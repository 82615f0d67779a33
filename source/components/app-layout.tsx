/**
 * The frame around the screens: breadcrumbs, the body (the route stack, lower screens kept mounted and
 * hidden), the help overlay or confirm dialog, the status line (notice or running tasks) and the key
 * hints. Reads the app store; holds no state of its own.
 */
import {Box, Text} from 'ink';
import {useContext, type ReactNode} from 'react';
import {AppContext} from '../app-context.js';
import {BodySize, ScreenActive} from '../hooks/use-body-size.js';
import {useObservable, useStore} from '../hooks/use-store.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {renderRoute, routeLabel} from '../screens/screen-map.js';
import {roleStyle} from '../theme/styles.js';
import {markCounts} from '../union/marks.js';
import {escapeForTerminal} from '../util/escape.js';
import {ConfirmDialog} from './confirm-dialog.js';
import {HelpOverlay} from './help-overlay.js';
import {KeyHints} from './key-hints.js';
import {Paragraph} from './paragraph.js';

/** The smallest terminal resto draws its UI in; below it says so instead of breaking the layout. */
export const minSize = {columns: 60, rows: 15};

/** The status line: the notice, else the running tasks. */
function StatusLine({width}: {width: number}) {
	const {store, theme} = useContext(AppContext);
	const notice = useStore(store, s => s.notice);
	const tasks = useStore(store, s => s.tasks);
	return (
		<Box height={1} width={width} overflow="hidden">
			{notice ? (
				<Text wrap="truncate-end" {...roleStyle(theme, notice.level === 'error' ? 'status.error' : notice.level === 'warn' ? 'status.warn' : 'status.ok')}>
					{escapeForTerminal(notice.text)}
				</Text>
			) : tasks.length > 0 ? (
				<Text wrap="truncate-end">{tasks.map(t => escapeForTerminal(t.label)).join(' · ')}</Text>
			) : (
				<Text> </Text>
			)}
		</Box>
	);
}

export function AppLayout() {
	const {store, theme, registry} = useContext(AppContext);
	const size = useTerminalSize();
	const stack = useStore(store, s => s.routes);
	const help = useStore(store, s => s.help);
	const question = useStore(store, s => s.question);
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
					<Paragraph {...roleStyle(theme, 'status.warn')}>
						Terminal too small: {size.columns}×{size.rows}.
					</Paragraph>
					<Paragraph>
						resto needs at least {minSize.columns}×{minSize.rows}. Enlarge the window, or use a subcommand (resto --help). q quits.
					</Paragraph>
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
	// Marks are kept across screens: every screen says how many there are and how to use them.
	const counts = useObservable(markCounts);
	const marked = [...counts.values()].reduce((a, b) => a + b, 0);
	const markText = marked ? ` ● ${marked} marked${counts.size > 1 ? ` in ${counts.size} repos` : ''} · P plan · X clear` : '';
	return (
		<BodySize.Provider value={{width, height: bodyHeight}}>
			<Box flexDirection="column" width={width} height={size.rows}>
				<Box height={1} width={width} overflow="hidden">
					{/* The name stays; a long trail of screens loses its oldest crumbs first (the current screen stays). */}
					<Box flexShrink={0}>
						<Text {...roleStyle(theme, 'title')} bold>
							resto
						</Text>
					</Box>
					<Box flexGrow={1} flexShrink={1} height={1} overflow="hidden">
						<Text wrap="truncate-start" {...roleStyle(theme, 'text.muted')}>
							{crumbs.length > 0 ? ` › ${crumbs.map(c => escapeForTerminal(c)).join(' › ')}` : ''}
						</Text>
					</Box>
					{markText ? (
						<Box flexShrink={0}>
							<Text {...roleStyle(theme, 'accent')}>{markText}</Text>
						</Box>
					) : null}
				</Box>
				<Box height={bodyHeight} width={width} flexDirection="column" overflow="hidden">
					<Box display={help || question ? 'none' : 'flex'} flexDirection="column" height={bodyHeight}>
						{body}
					</Box>
					{help && !question ? <HelpOverlay scopes={registry.scopes()} onClose={() => store.dispatch({type: 'help', open: false})} width={width} height={bodyHeight} /> : null}
					{question ? (
						<ConfirmDialog
							question={question.text}
							dangerous={question.dangerous}
							width={width}
							onAnswer={yes => {
								store.dispatch({type: 'confirm-done'});
								question.resolve(yes);
							}}
						/>
					) : null}
				</Box>
				<StatusLine width={width} />
				<KeyHints width={width} />
			</Box>
		</BodySize.Provider>
	);
}
