/**
 * The app's one useInput: every keypress of a chunk, in order, resolved against the command registry.
 * Only a focused text field takes a run of printable characters (a paste) whole; see keymap/match.ts.
 */
import {useInput} from 'ink';
import {useMemo} from 'react';
import {unstable_NormalPriority as normalPriority, unstable_scheduleCallback as scheduleCallback} from 'scheduler';
import {isTextInput, KeyQueue, keyName, type KeyPress} from '../keymap/match.js';
import type {CommandRegistry} from '../keymap/registry.js';

/**
 * Run `next` after React has committed what the last key changed. React schedules that render as a
 * scheduler task from a microtask queued during the handler; a task queued from a later microtask runs
 * after it, so the next key sees the screen (and bindings) the previous one opened.
 */
function afterCommit(next: () => void): void {
	queueMicrotask(() => scheduleCallback(normalPriority, next));
}

/** Apply one keypress: text to the focused field, anything else as a command. */
function handleKey(registry: CommandRegistry, {input, key}: KeyPress): 'text' | 'key' {
	const capture = registry.textCapture();
	const edit = isTextInput(input, key) || key.backspace || key.delete || (key.ctrl && (input === 'w' || input === 'u'));
	if (capture && edit && capture(input, key)) return 'text';
	const name = keyName(input, key);
	if (name) registry.dispatch(name);
	return 'key';
}

/** Install the app's single input handler. */
export function useKeyInput(registry: CommandRegistry): void {
	const queue = useMemo(
		() =>
			new KeyQueue(
				press => handleKey(registry, press),
				() => Boolean(registry.textCapture()),
				afterCommit,
			),
		[registry],
	);
	useInput((input, key) => queue.push(input, key));
}
