import {describe, expect, test} from 'vitest';
import {commandSpecs, findConflicts, resolveKey, scopeStacks} from '../../source/keymap/commands.js';
import {CommandRegistry} from '../../source/keymap/registry.js';

describe('keymap', () => {
	test.each(scopeStacks.map(s => [s.join(' > '), s] as const))('no key means two things in %s', (_name, stack) => {
		expect(findConflicts(stack)).toEqual([]);
	});

	test('every command has keys, a description and a unique id', () => {
		const ids = new Set<string>();
		for (const c of commandSpecs) {
			expect(c.keys.length).toBeGreaterThan(0);
			expect(c.description.length).toBeGreaterThan(3);
			expect(ids.has(c.id)).toBe(false);
			ids.add(c.id);
		}
	});

	test('a conflict is detected when one is introduced', () => {
		expect(findConflicts(['repos', 'snapshots'])).not.toEqual([]);
	});

	test('registry resolves top-down, modal registrations hide the rest', () => {
		const reg = new CommandRegistry();
		const calls: string[] = [];
		reg.register({scopes: [], handlers: {'app.quit': () => calls.push('quit'), 'app.back': () => calls.push('back')}, modal: false});
		const screen = reg.register({scopes: ['repos', 'list'], handlers: {'repos.open': () => calls.push('open'), 'list.down': () => calls.push('down')}, modal: false});
		reg.dispatch('enter');
		reg.dispatch('j');
		reg.dispatch('q');
		const dialog = reg.register({scopes: ['confirm'], handlers: {'confirm.no': () => calls.push('no')}, modal: true});
		reg.dispatch('q');
		reg.dispatch('j');
		dialog.remove();
		screen.remove();
		reg.dispatch('escape');
		expect(calls).toEqual(['open', 'down', 'quit', 'no', 'back']);
		expect(resolveKey('G', ['list'])?.id).toBe('list.bottom');
	});

	test('footer shows only handled commands of the active scopes', () => {
		const reg = new CommandRegistry();
		reg.register({scopes: [], handlers: {'app.quit': () => {}}, modal: false});
		reg.register({scopes: ['repos', 'list'], handlers: {'repos.open': () => {}}, modal: false});
		const ids = reg.footer().map(c => c.spec.id);
		expect(ids).toContain('repos.open');
		expect(ids).toContain('app.quit');
		expect(ids).not.toContain('repos.backup');
	});
});
