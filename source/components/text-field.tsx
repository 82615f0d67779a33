import {Text} from 'ink';
import {roleStyle, useTheme} from '../theme/styles.js';
import {escapeForTerminal} from '../util/escape.js';

/** A one-line text field view. Editing is done by the owner through useCommands' onText. */
export function TextField({label, value, focused, placeholder}: {label: string; value: string; focused: boolean; placeholder?: string}) {
	const theme = useTheme();
	return (
		<Text wrap="truncate-start">
			<Text {...roleStyle(theme, 'accent')}>{label}</Text>
			{value ? <Text>{escapeForTerminal(value)}</Text> : <Text {...roleStyle(theme, 'text.muted')}>{placeholder ?? ''}</Text>}
			{focused ? <Text inverse> </Text> : null}
		</Text>
	);
}

/** Apply a keypress to a text value: printable input appends, backspace deletes. Returns the new value or undefined when not consumed. */
export function editText(value: string, input: string, key: {backspace?: boolean; delete?: boolean; ctrl?: boolean; meta?: boolean}): string | undefined {
	if (key.backspace || key.delete) return [...value].slice(0, -1).join('');
	if (key.ctrl && input === 'w') return value.replace(/\S+\s*$/, '');
	if (key.ctrl && input === 'u') return '';
	if (key.ctrl || key.meta) return undefined;
	// eslint-disable-next-line no-control-regex
	if (input.length === 0 || /[\u0000-\u001f\u007f]/.test(input)) return undefined;
	return value + input;
}

/**
 * Apply a keypress to a text state through its setter (safe for several keys within one tick).
 * Returns true when the key was text editing.
 */
export function applyTextEdit(setValue: (update: (value: string) => string) => void, input: string, key: {backspace?: boolean; delete?: boolean; ctrl?: boolean; meta?: boolean}): boolean {
	// Whether a key edits text does not depend on the current value.
	if (editText('x', input, key) === undefined) return false;
	setValue(value => editText(value, input, key) ?? value);
	return true;
}
