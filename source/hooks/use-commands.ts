import type {Key} from 'ink';
import {useContext, useLayoutEffect, useRef} from 'react';
import {AppContext} from '../app-context.js';
import {ScreenActive} from './use-body-size.js';
import type {CommandId, Scope} from '../keymap/commands.js';
import {handlersKey, type Handlers} from '../keymap/registry.js';

/**
 * Register this component's command handlers with the app's single input handler.
 * Handlers may change every render; the registration stays put. Layout effects register within the
 * same commit that draws the screen, so a key typed right after a frame appears is never lost.
 */
export function useCommands(scopes: readonly Scope[], handlers: Handlers, options: {modal?: boolean; onText?: (input: string, key: Key) => boolean; active?: boolean; hints?: Partial<Record<CommandId, string>>} = {}): void {
	const {registry} = useContext(AppContext);
	const handlersRef = useRef(handlers);
	handlersRef.current = handlers;
	const textRef = useRef(options.onText);
	textRef.current = options.onText;
	const regRef = useRef<ReturnType<typeof registry.register> | undefined>(undefined);
	const screenActive = useContext(ScreenActive);
	const active = options.active !== false && screenActive;
	const keys = handlersKey(handlers);
	const hintsKey = JSON.stringify(options.hints ?? {});

	const proxy = (): Handlers => {
		const out: Handlers = {};
		for (const id of Object.keys(handlersRef.current) as CommandId[]) {
			const h = handlersRef.current[id];
			out[id] =
				typeof h === 'function'
					? () => {
							const current = handlersRef.current[id];
							if (typeof current === 'function') current();
						}
					: h;
		}
		return out;
	};

	useLayoutEffect(() => {
		if (!active) return undefined;
		const reg = registry.register({
			scopes,
			handlers: proxy(),
			modal: options.modal ?? false,
			hints: options.hints,
			onText: options.onText ? (input, key) => textRef.current?.(input, key) ?? false : undefined,
		});
		regRef.current = reg;
		return () => {
			reg.remove();
			regRef.current = undefined;
		};
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [registry, active, scopes.join(), options.modal]);

	useLayoutEffect(() => {
		regRef.current?.update({
			handlers: proxy(),
			hints: options.hints,
			onText: options.onText ? (input, key) => textRef.current?.(input, key) ?? false : undefined,
		});
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [keys, hintsKey, Boolean(options.onText)]);
}
