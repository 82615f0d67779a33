/**
 * The live stack of command handlers. Screens and overlays register what they handle; the app's one
 * useInput resolves a key against the scopes of the stack (top first) and calls the top-most handler.
 * A modal registration (confirm dialog, help) hides everything below it except nothing: only its scope.
 */
import type {Key} from 'ink';
import {commandSpecs, resolveKey, type CommandId, type CommandSpec, type Scope} from './commands.js';

/**
 * What a registration does for a command: run a function, or refuse and say why (k9s/lazygit show a
 * disabled key's reason instead of doing nothing silently).
 */
export type Handler = (() => void) | {disabled: string};
export type Handlers = Partial<Record<CommandId, Handler>>;

/** A footer entry: the command, the label this screen gives it, and why it is disabled (if it is). */
export interface FooterItem {
	spec: CommandSpec;
	hint: string | undefined;
	disabled?: string;
}

export interface Registration {
	id: number;
	scopes: readonly Scope[];
	handlers: Handlers;
	modal: boolean;
	/** Text capture for a focused text field: return true when the key was consumed. */
	onText?: (input: string, key: Key) => boolean;
	/** Footer labels this registration gives commands it handles differently (Esc "leave field"). */
	hints?: Partial<Record<CommandId, string>>;
}

type Listener = () => void;

/** A stack of registrations with change notification (for the footer). */
export class CommandRegistry {
	private stack: Registration[] = [];
	private listeners = new Set<Listener>();
	private nextId = 1;
	private version = 0;

	/** Told when a key runs a disabled command (the app shows the reason). */
	onDisabled: ((spec: CommandSpec, reason: string) => void) | undefined;

	/** Add a registration on top. Returns a function that removes it. */
	register(entry: Omit<Registration, 'id'>): {id: number; update: (e: Partial<Omit<Registration, 'id'>>) => void; remove: () => void} {
		const id = this.nextId++;
		this.stack.push({...entry, id});
		this.changed();
		return {
			id,
			update: patch => {
				const found = this.stack.find(r => r.id === id);
				if (!found) return;
				const scopesChanged = patch.scopes !== undefined && patch.scopes.join() !== found.scopes.join();
				const modalChanged = patch.modal !== undefined && patch.modal !== found.modal;
				const textChanged = 'onText' in patch && Boolean(patch.onText) !== Boolean(found.onText);
				const handlersChanged = patch.handlers !== undefined && handlersKey(patch.handlers) !== handlersKey(found.handlers);
				const hintsChanged = 'hints' in patch && JSON.stringify(patch.hints ?? {}) !== JSON.stringify(found.hints ?? {});
				Object.assign(found, patch);
				if (scopesChanged || modalChanged || textChanged || handlersChanged || hintsChanged) this.changed();
			},
			remove: () => {
				this.stack = this.stack.filter(r => r.id !== id);
				this.changed();
			},
		};
	}

	/** Registrations that currently receive keys, top first (stops below the first modal). */
	active(): Registration[] {
		const out: Registration[] = [];
		for (let i = this.stack.length - 1; i >= 0; i--) {
			const r = this.stack[i]!;
			out.push(r);
			if (r.modal) break;
		}
		return out;
	}

	/** Scopes in resolution order, plus "global" unless a modal is on top. */
	scopes(): Scope[] {
		const active = this.active();
		const scopes = active.flatMap(r => r.scopes);
		if (!active.some(r => r.modal)) scopes.push('global');
		return [...new Set(scopes)];
	}

	/** The text capture of the top registration, if it has one. */
	textCapture(): Registration['onText'] {
		return this.active()[0]?.onText;
	}

	/** Resolve a key name to a command whose handler exists, and run it. Returns the command or undefined. */
	dispatch(key: string): CommandSpec | undefined {
		const scopes = this.scopes();
		const spec = resolveKey(key, scopes);
		if (!spec) return undefined;
		for (const r of this.active()) {
			const handler = r.handlers[spec.id as CommandId];
			if (!handler) continue;
			if (typeof handler === 'function') handler();
			else this.onDisabled?.(spec, handler.disabled);
			return spec;
		}
		return undefined;
	}

	/** Commands shown in the footer for the current stack: those some active registration handles. */
	footer(): FooterItem[] {
		const scopes = this.scopes();
		const active = this.active();
		const out: FooterItem[] = [];
		for (const spec of commandSpecs) {
			if (!('footer' in spec && spec.footer) || !scopes.includes(spec.scope)) continue;
			// A key that an earlier scope takes (Esc dismissing a message before it goes back) is not offered twice.
			if (resolveKey(spec.keys[0]!, scopes) !== spec) continue;
			const owner = active.find(r => r.handlers[spec.id as CommandId]);
			if (!owner) continue;
			const handler = owner.handlers[spec.id as CommandId]!;
			const hint = active.find(r => r.hints?.[spec.id as CommandId])?.hints?.[spec.id as CommandId] ?? ('hint' in spec ? spec.hint : undefined);
			out.push({spec, hint, disabled: typeof handler === 'function' ? undefined : handler.disabled});
		}
		return out;
	}

	/** Why a command is disabled right now, if a registration says so (for the help overlay). */
	disabledReason(id: CommandId): string | undefined {
		const handler = this.active().find(r => r.handlers[id])?.handlers[id];
		return handler && typeof handler !== 'function' ? handler.disabled : undefined;
	}

	subscribe = (listener: Listener): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	getVersion = (): number => this.version;

	private changed(): void {
		this.version++;
		for (const l of this.listeners) l();
	}
}

/** A string that changes when the set of handled commands or a disabled reason changes. */
export function handlersKey(handlers: Handlers): string {
	return Object.entries(handlers)
		.map(([id, h]) => (typeof h === 'function' || h === undefined ? id : `${id}!${h.disabled}`))
		.sort()
		.join();
}
