/**
 * The app's one input handler: every keypress of a chunk, in order, resolved against the command registry.
 * Only a focused text field takes a run of printable characters (a paste) whole; see keymap/match.ts.
 *
 * It listens to Ink's raw input events (what Ink's input parser cut from stdin: a run of text, one escape
 * sequence, or ESC ESC) instead of useInput. useInput has already parsed each event into one key, and
 * ESC ESC (`tmux send-keys Escape Escape`, two Esc presses in one read) becomes a single meta+escape,
 * indistinguishable from one Esc. resto's own splitter sees the bytes and makes two presses of it.
 */
import {useStdin} from 'ink';
import {useEffect, useMemo} from 'react';
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
	const {setRawMode, isRawModeSupported, internal_eventEmitter: events} = useStdin();
	const queue = useMemo(
		() =>
			new KeyQueue(
				press => handleKey(registry, press),
				() => Boolean(registry.textCapture()),
				afterCommit,
			),
		[registry],
	);
	useEffect(() => {
		if (!isRawModeSupported) return;
		setRawMode(true);
		return () => setRawMode(false);
	}, [isRawModeSupported, setRawMode]);
	useEffect(() => {
		const onInput = (chunk: string) => queue.pushRaw(chunk);
		events.on('input', onInput);
		return () => {
			events.off('input', onInput);
		};
	}, [events, queue]);
}
