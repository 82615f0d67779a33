import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import {selectionStyle, useTheme} from '../theme/styles.js';

/** Keep the cursor visible: the first row index to render for a window of `height` rows. */
export function windowStart(cursor: number, height: number, count: number): number {
	if (count <= height) return 0;
	const half = Math.floor(height / 2);
	return Math.max(0, Math.min(cursor - half, count - height));
}

export interface ListProps<T> {
	items: readonly T[];
	cursor: number;
	height: number;
	width: number;
	render: (item: T, selected: boolean, index: number) => ReactNode;
	empty?: ReactNode;
}

/** A windowed list: only the visible rows are rendered, whatever the list's length. */
export function List<T>({items, cursor, height, width, render, empty}: ListProps<T>) {
	const theme = useTheme();
	if (items.length === 0) return <Box height={height}>{typeof empty === 'string' || empty === undefined ? <Text dimColor>{empty ?? 'Nothing here.'}</Text> : empty}</Box>;
	const start = windowStart(cursor, height, items.length);
	const visible = items.slice(start, start + height);
	const sel = selectionStyle(theme);
	// A one-column gutter: `›` marks the selected row (the highlight alone is lost on TERM=dumb, in
	// captures and to screen readers); `↑`/`↓` say there are more rows above or below the window.
	return (
		<Box flexDirection="column" height={height} width={width}>
			{visible.map((item, i) => {
				const index = start + i;
				const selected = index === cursor;
				return (
					<Box key={index} width={width} height={1} overflow="hidden">
						<Text>{selected ? '›' : i === 0 && start > 0 ? '↑' : i === visible.length - 1 && start + visible.length < items.length ? '↓' : ' '}</Text>
						<Box width={width - 1} height={1} overflow="hidden">
							{selected ? (
								<Text {...sel} wrap="truncate-end">
									{render(item, true, index)}
								</Text>
							) : (
								<Text wrap="truncate-end">{render(item, false, index)}</Text>
							)}
						</Box>
					</Box>
				);
			})}
		</Box>
	);
}

/** Move a cursor by a list command; clamps to the list. */
export function moveCursor(cursor: number, count: number, command: 'up' | 'down' | 'pageUp' | 'pageDown' | 'top' | 'bottom', page: number): number {
	if (count === 0) return 0;
	const next = command === 'up' ? cursor - 1 : command === 'down' ? cursor + 1 : command === 'pageUp' ? cursor - page : command === 'pageDown' ? cursor + page : command === 'top' ? 0 : count - 1;
	return Math.max(0, Math.min(count - 1, next));
}

/** The standard list.* command handlers for a cursor setter (one place for every list screen). */
export function listHandlers(move: (command: 'up' | 'down' | 'pageUp' | 'pageDown' | 'top' | 'bottom') => void): {
	'list.up': () => void;
	'list.down': () => void;
	'list.pageUp': () => void;
	'list.pageDown': () => void;
	'list.top': () => void;
	'list.bottom': () => void;
} {
	return {
		'list.up': () => move('up'),
		'list.down': () => move('down'),
		'list.pageUp': () => move('pageUp'),
		'list.pageDown': () => move('pageDown'),
		'list.top': () => move('top'),
		'list.bottom': () => move('bottom'),
	};
}
