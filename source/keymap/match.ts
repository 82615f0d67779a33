/** Turn Ink's (input, key) pair into one key name as used in the keymap table. */
import type {Key} from 'ink';

/** The keymap name of a keypress: "enter", "ctrl+c", "G", "/", "pagedown"… or undefined. */
export function keyName(input: string, key: Key): string | undefined {
	if (key.upArrow) return 'up';
	if (key.downArrow) return 'down';
	if (key.leftArrow) return 'left';
	if (key.rightArrow) return 'right';
	if (key.pageUp) return 'pageup';
	if (key.pageDown) return 'pagedown';
	if (key.home) return 'home';
	if (key.end) return 'end';
	if (key.return) return 'enter';
	if (key.escape) return 'escape';
	if (key.tab) return key.shift ? 'shift+tab' : 'tab';
	// Terminals send DEL (0x7f) for Backspace; Ink reports it as `delete`.
	if (key.backspace || key.delete) return 'backspace';
	if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
	if (input === ' ') return 'space';
	if (input.length === 1) return input;
	return undefined;
}

/** True when the keypress is text for a text field (printable, no ctrl/meta). */
export function isTextInput(input: string, key: Key): boolean {
	if (key.ctrl || key.meta || key.return || key.escape || key.tab) return false;
	if (key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return false;
	// eslint-disable-next-line no-control-regex
	return input.length > 0 && !/[\u0000-\u001f\u007f]/.test(input);
}
