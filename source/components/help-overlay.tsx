import {Box, Text} from 'ink';
import {useContext, useState} from 'react';
import {AppContext} from '../app-context.js';
import {useCommands} from '../hooks/use-commands.js';
import {commandSpecs, keyLabel, type CommandSpec, type Scope} from '../keymap/commands.js';
import {roleStyle, useTheme} from '../theme/styles.js';
import {moveCursor} from './list.js';

/** The `?` overlay: every key of the active scopes, generated from the keymap table. */
export function HelpOverlay({scopes, onClose, width, height}: {scopes: readonly Scope[]; onClose: () => void; width: number; height: number}) {
	const theme = useTheme();
	useContext(AppContext);
	const relevant = commandSpecs.filter(c => scopes.includes(c.scope));
	const lines: Array<{spec?: CommandSpec; heading?: string}> = [];
	let last = '';
	for (const spec of relevant) {
		if (spec.category !== last) {
			lines.push({heading: spec.category});
			last = spec.category;
		}
		lines.push({spec});
	}
	const [top, setTop] = useState(0);
	const page = Math.max(1, height - 2);
	useCommands(
		['help', 'list'],
		{
			'help.close': onClose,
			'list.down': () => setTop(t => moveCursor(t, Math.max(1, lines.length - page + 1), 'down', page)),
			'list.up': () => setTop(t => Math.max(0, t - 1)),
			'list.pageDown': () => setTop(t => moveCursor(t, Math.max(1, lines.length - page + 1), 'pageDown', page)),
			'list.pageUp': () => setTop(t => Math.max(0, t - page)),
		},
		{modal: true},
	);
	const visible = lines.slice(top, top + page);
	const keyWidth = Math.min(22, Math.max(10, Math.floor(width / 3)));
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text {...roleStyle(theme, 'title')} bold>
				Keys {lines.length > page ? `(${top + 1}–${Math.min(lines.length, top + page)} of ${lines.length}, j/k to scroll)` : ''}
			</Text>
			{visible.map((line, i) =>
				line.heading ? (
					<Text key={i} {...roleStyle(theme, 'accent')} bold>
						{line.heading}
					</Text>
				) : (
					<Box key={i}>
						<Box width={keyWidth} flexShrink={0}>
							<Text {...roleStyle(theme, 'key')} wrap="truncate-end">
								{'  '}
								{line.spec!.keys.map(keyLabel).join(' ')}
							</Text>
						</Box>
						<Text wrap="truncate-end">{line.spec!.description}</Text>
					</Box>
				),
			)}
			<Text {...roleStyle(theme, 'text.muted')} wrap="truncate-end">
				Letters typed in a text field are text: esc leaves the field.
			</Text>
		</Box>
	);
}
