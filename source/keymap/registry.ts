/**
 * The live stack of command handlers. Screens and overlays register what they handle; the app's one
 * useInput resolves a key against the scopes of the stack (top first) and calls the top-most handler.
 * A modal registration (confirm dialog, help) hides everything below it except nothing: only its scope.
 */
import type {Key} from 'ink';
import {commandSpecs, resolveKey, type CommandId, type CommandSpec, type Scope} from './commands.js';

export type Handlers = Partial<Record<CommandId, () => void>>;

export interface Registration {
	id: number;
	scopes: readonly Scope[];
	handlers: Handlers;
	modal: boolean;
	/** Text capture for a focused text field: return true when the key was consumed. */
	onText?: (input: string, key: Key) => boolean;
}

type Listener = () => void;

/** A stack of registrations with change notification (for the footer). */
export class CommandRegistry {
	private stack: Registration[] = [];
	private listeners = new Set<Listener>();
	private nextId = 1;
	private version = 0;

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
				const handlersChanged = patch.handlers !== undefined && Object.keys(patch.handlers).sort().join() !== Object.keys(found.handlers).sort().join();
				Object.assign(found, patch);
				if (scopesChanged || modalChanged || textChanged || handlersChanged) this.changed();
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
			if (handler) {
				handler();
				return spec;
			}
		}
		return undefined;
	}

	/** Commands shown in the footer for the current stack (those with a handler, or global ones). */
	footer(): CommandSpec[] {
		const scopes = this.scopes();
		const active = this.active();
		const handled = (id: string) => active.some(r => r.handlers[id as CommandId]);
		return commandSpecs.filter(c => 'footer' in c && c.footer && scopes.includes(c.scope) && handled(c.id));
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
