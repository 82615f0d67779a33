import {Text, Transform} from 'ink';
import type {ComponentProps} from 'react';

// eslint-disable-next-line no-control-regex
const wrapSpace = /^((?:\u001B\[[\d;]*m)*) (?=\S)/;

/**
 * Ink cuts a line at a space when it wraps and leaves that space at the start of the next line
 * (wrap-ansi with trim off), so every wrapped line of prose began one column in. A line's leading
 * single space is dropped; indentation (two or more spaces) stays.
 */
export function dropWrapSpace(line: string, index: number): string {
	return index === 0 ? line : line.replace(wrapSpace, '$1');
}

/** Text that wraps at word boundaries, with no stray space at the start of its wrapped lines. */
export function Paragraph(props: Omit<ComponentProps<typeof Text>, 'wrap'>) {
	return (
		<Transform transform={dropWrapSpace}>
			<Text {...props} wrap="wrap" />
		</Transform>
	);
}
