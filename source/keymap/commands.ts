/**
 * The one keymap table. Key handling (app.tsx), the footer hints, the `?` overlay and the readme's
 * key list are all generated from it; test/keymap checks that no key means two things in one scope stack.
 */

/** Where a binding applies. A screen's active scopes are: its overlays, the screen, "list" if it has a list, "global". */
export type Scope = 'global' | 'list' | 'repos' | 'snapshots' | 'tree' | 'file' | 'search' | 'versions' | 'backup' | 'drill' | 'drills' | 'retention' | 'status' | 'union' | 'plan' | 'snapdiff' | 'du' | 'restore' | 'notice' | 'help' | 'confirm' | 'input' | 'newset';

/** One command: what it does, where, and which keys run it. */
export interface CommandSpec {
	id: string;
	keys: readonly string[];
	description: string;
	category: 'Navigation' | 'Repositories' | 'Snapshots' | 'Files' | 'Search' | 'Backup' | 'Drill' | 'Operations' | 'Recovery' | 'General';
	scope: Scope;
	/** Shown in the footer hints. */
	footer?: boolean;
	/** One or two words for the footer. */
	hint?: string;
	/** Changes data or stops work: runs only after a confirmation. */
	dangerous?: boolean;
}

export const commandSpecs = [
	// General
	// Only while an error is in the status line: Esc closes it first (the next Esc goes back).
	{id: 'notice.dismiss', hint: 'dismiss', keys: ['escape'], description: 'Dismiss the message in the status line', category: 'General', scope: 'notice', footer: true},
	{id: 'app.quit', hint: 'quit', keys: ['q', 'ctrl+c'], description: 'Quit (asks first while a task runs)', category: 'General', scope: 'global', footer: true},
	{id: 'app.help', hint: 'help', keys: ['?'], description: 'Show all keys', category: 'General', scope: 'global', footer: true},
	{id: 'app.back', hint: 'back', keys: ['escape'], description: 'Back / close', category: 'General', scope: 'global', footer: true},
	{id: 'app.repos', keys: ['R'], description: 'Go to repositories', category: 'General', scope: 'global'},
	{id: 'app.drills', keys: ['H'], description: 'Drill history', category: 'General', scope: 'global'},
	{id: 'app.plan', keys: ['P'], description: 'Restore plan of the marked items (any screen)', category: 'Recovery', scope: 'global'},
	{id: 'app.clearMarks', keys: ['X'], description: 'Clear all marks (asks first)', category: 'Recovery', scope: 'global'},
	// Lists
	{id: 'list.up', keys: ['up', 'k'], description: 'Move up', category: 'Navigation', scope: 'list'},
	{id: 'list.down', keys: ['down', 'j'], description: 'Move down', category: 'Navigation', scope: 'list'},
	{id: 'list.pageUp', keys: ['pageup', 'ctrl+b', 'ctrl+u'], description: 'Page up', category: 'Navigation', scope: 'list'},
	{id: 'list.pageDown', keys: ['pagedown', 'ctrl+f', 'ctrl+d'], description: 'Page down', category: 'Navigation', scope: 'list'},
	{id: 'list.top', keys: ['home', 'g'], description: 'First item', category: 'Navigation', scope: 'list'},
	{id: 'list.bottom', keys: ['end', 'G'], description: 'Last item', category: 'Navigation', scope: 'list'},
	// Repositories
	{id: 'repos.open', hint: 'snapshots', keys: ['enter', 'right', 'l'], description: 'Open snapshots', category: 'Repositories', scope: 'repos', footer: true},
	{id: 'repos.search', hint: 'search', keys: ['s', '/'], description: 'Search files in all snapshots', category: 'Repositories', scope: 'repos', footer: true},
	{id: 'repos.backup', hint: 'backup', keys: ['b'], description: 'Back up', category: 'Repositories', scope: 'repos', footer: true},
	{id: 'repos.drill', hint: 'drill', keys: ['d'], description: 'Restore drill', category: 'Repositories', scope: 'repos', footer: true},
	{id: 'repos.refresh', keys: ['r', 'ctrl+r'], description: 'Refresh status', category: 'Repositories', scope: 'repos'},
	{id: 'repos.status', hint: '3-2-1', keys: ['o'], description: 'Schedules, copies and 3-2-1 status', category: 'Repositories', scope: 'repos', footer: true},
	{id: 'repos.union', keys: ['a'], description: 'Every file of every snapshot (deleted ones as ghosts)', category: 'Repositories', scope: 'repos'},
	{id: 'repos.unlock', keys: ['u'], description: 'Remove stale locks (asks first)', category: 'Repositories', scope: 'repos', dangerous: true},
	// Snapshots
	{id: 'snapshots.open', hint: 'browse', keys: ['enter', 'right', 'l'], description: 'Browse snapshot', category: 'Snapshots', scope: 'snapshots', footer: true},
	{id: 'snapshots.filter', hint: 'filter', keys: ['/'], description: 'Filter (fuzzy)', category: 'Snapshots', scope: 'snapshots', footer: true},
	{id: 'snapshots.group', hint: 'group', keys: ['h'], description: 'Group by host on/off', category: 'Snapshots', scope: 'snapshots', footer: true},
	{id: 'snapshots.sort', keys: ['o'], description: 'Sort newest/oldest first', category: 'Snapshots', scope: 'snapshots'},
	{id: 'snapshots.search', hint: 'search', keys: ['s'], description: 'Search files', category: 'Snapshots', scope: 'snapshots', footer: true},
	{id: 'snapshots.refresh', keys: ['r', 'ctrl+r'], description: 'Reload snapshots', category: 'Snapshots', scope: 'snapshots'},
	{id: 'snapshots.retention', hint: 'retention', keys: ['f'], description: 'Retention: which snapshots a forget policy keeps', category: 'Snapshots', scope: 'snapshots', footer: true},
	{id: 'snapshots.diff', hint: 'diff', keys: ['D'], description: 'What changed since the previous snapshot of this host', category: 'Snapshots', scope: 'snapshots', footer: true},
	{id: 'snapshots.live', hint: 'vs disk', keys: ['L'], description: 'What changed on disk since this snapshot (live files)', category: 'Snapshots', scope: 'snapshots', footer: true},
	{id: 'snapshots.du', keys: ['S'], description: 'Disk usage of this snapshot (largest folders)', category: 'Snapshots', scope: 'snapshots'},
	{id: 'snapshots.union', hint: 'all files', keys: ['u'], description: 'Every file of every snapshot (deleted ones as ghosts)', category: 'Snapshots', scope: 'snapshots', footer: true},
	// Tree
	{id: 'tree.open', hint: 'open', keys: ['enter', 'right', 'l'], description: 'Open directory / file', category: 'Files', scope: 'tree', footer: true},
	{id: 'tree.parent', hint: 'up', keys: ['left', 'h', 'backspace'], description: 'Parent directory', category: 'Files', scope: 'tree', footer: true},
	{id: 'tree.filter', hint: 'filter', keys: ['/'], description: 'Filter this directory', category: 'Files', scope: 'tree', footer: true},
	{id: 'tree.restore', hint: 'restore', keys: ['r'], description: 'Restore selected file or folder', category: 'Files', scope: 'tree', footer: true},
	{id: 'tree.mark', hint: 'mark', keys: ['space'], description: 'Mark / unmark for a restore plan (this snapshot)', category: 'Files', scope: 'tree', footer: true},
	{id: 'tree.versions', keys: ['v'], description: 'Version timeline of the selected path', category: 'Files', scope: 'tree'},
	// File detail
	{id: 'file.restore', hint: 'restore', keys: ['r'], description: 'Restore this file', category: 'Files', scope: 'file', footer: true},
	{id: 'file.hex', hint: 'hex', keys: ['x'], description: 'Text / hex view', category: 'Files', scope: 'file', footer: true},
	{id: 'file.wrap', hint: 'wrap', keys: ['w'], description: 'Wrap long lines / scroll sideways', category: 'Files', scope: 'file', footer: true},
	{id: 'file.left', keys: ['left', 'h'], description: 'Scroll left (lines not wrapped)', category: 'Files', scope: 'file'},
	{id: 'file.right', keys: ['right', 'l'], description: 'Scroll right (lines not wrapped)', category: 'Files', scope: 'file'},
	{id: 'file.more', hint: 'load more', keys: ['m'], description: 'Load more of the file', category: 'Files', scope: 'file', footer: true},
	// Search
	{id: 'search.open', hint: 'versions', keys: ['enter'], description: 'Show versions / open', category: 'Search', scope: 'search', footer: true},
	{id: 'search.next', keys: ['down', 'ctrl+n', 'j'], description: 'Next result / version (j outside the query field)', category: 'Search', scope: 'search'},
	{id: 'search.prev', keys: ['up', 'ctrl+p', 'k'], description: 'Previous result / version (k outside the query field)', category: 'Search', scope: 'search'},
	{id: 'search.focus', hint: 'pane', keys: ['tab'], description: 'Switch pane: query → versions → query', category: 'Search', scope: 'search', footer: true},
	{id: 'search.edit', hint: 'edit query', keys: ['/'], description: 'Back into the query field', category: 'Search', scope: 'search', footer: true},
	{id: 'search.restore', hint: 'restore', keys: ['ctrl+o'], description: 'Restore selected version (file or folder)', category: 'Search', scope: 'search', footer: true},
	{id: 'search.mark', hint: 'mark', keys: ['space'], description: 'Mark / unmark for a restore plan (outside the query field: the newest version, or the version picked)', category: 'Search', scope: 'search', footer: true},
	{id: 'search.diff', keys: ['ctrl+e'], description: 'Diff with previous version', category: 'Search', scope: 'search'},
	{id: 'search.mode', keys: ['ctrl+g'], description: 'Index / restic find mode', category: 'Search', scope: 'search'},
	{id: 'search.machine', hint: 'hide deps', keys: ['ctrl+t'], description: 'Hide / show machine-made trees (node_modules, caches…)', category: 'Search', scope: 'search'},
	// Backup
	{id: 'backup.start', hint: 'start', keys: ['enter'], description: 'Start backup', category: 'Backup', scope: 'backup', footer: true},
	{id: 'backup.dryRun', hint: 'dry run', keys: ['n'], description: 'Dry run', category: 'Backup', scope: 'backup', footer: true},
	{id: 'backup.newSet', hint: 'new set', keys: ['a'], description: 'Create a backup set (saved to the config)', category: 'Backup', scope: 'backup', footer: true},
	{id: 'newset.next', hint: 'next field', keys: ['tab', 'down'], description: 'Next field of the new backup set', category: 'Backup', scope: 'newset', footer: true},
	{id: 'newset.prev', keys: ['shift+tab', 'up'], description: 'Previous field', category: 'Backup', scope: 'newset'},
	{id: 'newset.save', hint: 'save', keys: ['enter'], description: 'Save the backup set to the config', category: 'Backup', scope: 'newset', footer: true},
	{id: 'newset.cancel', hint: 'cancel', keys: ['escape'], description: 'Close the form, save nothing', category: 'Backup', scope: 'newset', footer: true},
	{id: 'backup.cancel', hint: 'cancel', keys: ['c'], description: 'Cancel the running backup (asks first)', category: 'Backup', scope: 'backup', footer: true, dangerous: true},
	// Drill
	{id: 'drill.next', hint: 'continue', keys: ['enter'], description: 'Run / continue', category: 'Drill', scope: 'drill', footer: true},
	{id: 'drill.reroll', hint: 're-roll', keys: ['r'], description: 'Pick another file', category: 'Drill', scope: 'drill', footer: true},
	{id: 'drill.skip', keys: ['s'], description: 'Skip this step (where safe)', category: 'Drill', scope: 'drill'},
	{id: 'drill.older', hint: 'older snapshots', keys: ['o'], description: 'Drill an older snapshot when none is recent', category: 'Drill', scope: 'drill', footer: true},
	{id: 'drill.yes', hint: 'yes', keys: ['y'], description: 'Answer yes (checklist question)', category: 'Drill', scope: 'drill', footer: true},
	{id: 'drill.no', hint: 'no', keys: ['n'], description: 'Answer no (checklist question)', category: 'Drill', scope: 'drill', footer: true},
	{id: 'drills.open', hint: 'open', keys: ['enter'], description: 'Open report', category: 'Drill', scope: 'drills', footer: true},
	// Union tree and restore plans
	{id: 'union.open', hint: 'open', keys: ['enter', 'right', 'l'], description: 'Open folder / file', category: 'Recovery', scope: 'union', footer: true},
	{id: 'union.parent', hint: 'up', keys: ['left', 'h', 'backspace'], description: 'Parent folder', category: 'Recovery', scope: 'union', footer: true},
	{id: 'union.mark', hint: 'mark', keys: ['space'], description: 'Mark / unmark for restore (as last seen)', category: 'Recovery', scope: 'union', footer: true},
	{id: 'union.restore', keys: ['r'], description: 'Restore this file or folder as last seen', category: 'Recovery', scope: 'union'},
	{id: 'union.plan', hint: 'plan', keys: ['p'], description: 'Restore plan of the marked items', category: 'Recovery', scope: 'union', footer: true},
	{id: 'union.deleted', hint: 'deleted', keys: ['d'], description: 'Deleted files only on/off', category: 'Recovery', scope: 'union', footer: true},
	{id: 'union.changed', keys: ['c'], description: 'Changed in the last 1/7/30/365 days / any time', category: 'Recovery', scope: 'union'},
	{id: 'union.host', keys: ['o'], description: 'One host / all hosts', category: 'Recovery', scope: 'union'},
	{id: 'union.versions', keys: ['v'], description: 'Versions of this name (search)', category: 'Recovery', scope: 'union'},
	{id: 'versions.open', hint: 'preview', keys: ['enter', 'right', 'l'], description: 'Preview this version', category: 'Recovery', scope: 'versions', footer: true},
	{id: 'versions.mark', hint: 'mark', keys: ['space'], description: 'Mark / unmark this version for a restore plan', category: 'Recovery', scope: 'versions', footer: true},
	{id: 'versions.diff', hint: 'diff', keys: ['d', 'ctrl+e'], description: 'Diff with the previous version', category: 'Recovery', scope: 'versions', footer: true},
	{id: 'versions.restore', hint: 'restore', keys: ['r', 'ctrl+o'], description: 'Restore this version (file or folder)', category: 'Recovery', scope: 'versions', footer: true},
	{id: 'plan.run', hint: 'restore all', keys: ['enter'], description: 'Restore every item (asks first)', category: 'Recovery', scope: 'plan', footer: true},
	{id: 'plan.remove', hint: 'remove', keys: ['x', 'delete'], description: 'Remove the item from the plan', category: 'Recovery', scope: 'plan', footer: true},
	{id: 'plan.overwrite', hint: 'overwrite', keys: ['o'], description: 'Replace existing files on/off', category: 'Recovery', scope: 'plan', footer: true},
	{id: 'snapdiff.open', hint: 'open / diff', keys: ['enter', 'right', 'l'], description: 'Open folder / text diff of a changed file', category: 'Recovery', scope: 'snapdiff', footer: true},
	{id: 'snapdiff.parent', hint: 'up', keys: ['left', 'h', 'backspace'], description: 'Parent folder', category: 'Recovery', scope: 'snapdiff', footer: true},
	{id: 'du.open', hint: 'open', keys: ['enter', 'right', 'l'], description: 'Open folder', category: 'Recovery', scope: 'du', footer: true},
	{id: 'du.parent', hint: 'up', keys: ['left', 'h', 'backspace'], description: 'Parent folder', category: 'Recovery', scope: 'du', footer: true},
	// Restore dialog
	{id: 'restore.run', hint: 'restore', keys: ['enter'], description: 'Restore into the folder shown', category: 'Files', scope: 'restore', footer: true},
	{id: 'restore.edit', hint: 'edit target', keys: ['e'], description: 'Edit the target folder', category: 'Files', scope: 'restore', footer: true},
	{id: 'restore.original', hint: 'original place', keys: ['o'], description: 'Restore to the original location (lists what it replaces, asks first)', category: 'Files', scope: 'restore', footer: true},
	// Overlays
	{id: 'retention.edit', hint: 'policy', keys: ['e'], description: 'Edit the policy (restic --keep-* flags)', category: 'Operations', scope: 'retention', footer: true},
	{id: 'retention.apply', hint: 'apply', keys: ['x'], description: 'Forget the removed snapshots (type the repository name)', category: 'Operations', scope: 'retention', footer: true, dangerous: true},
	{id: 'status.schedule', hint: 'schedule', keys: ['i'], description: 'Show and install the systemd timer of the set', category: 'Operations', scope: 'status', footer: true},
	{id: 'status.copy', hint: 'copy', keys: ['c'], description: "Run the copies of the set's repository", category: 'Operations', scope: 'status', footer: true},
	{id: 'status.cancel', keys: ['ctrl+x'], description: 'Cancel the running copy', category: 'Operations', scope: 'status'},
	{id: 'status.refresh', keys: ['r', 'ctrl+r'], description: 'Refresh', category: 'Operations', scope: 'status'},
	{id: 'confirm.yes', hint: 'yes', keys: ['y', 'enter'], description: 'Confirm', category: 'General', scope: 'confirm', footer: true},
	{id: 'confirm.no', hint: 'no', keys: ['n', 'escape', 'q'], description: 'Cancel', category: 'General', scope: 'confirm', footer: true},
	{id: 'help.close', hint: 'close', keys: ['escape', '?', 'q'], description: 'Close help', category: 'General', scope: 'help', footer: true},
	{id: 'input.submit', hint: 'apply', keys: ['enter'], description: 'Apply', category: 'General', scope: 'input', footer: true},
	{id: 'input.cancel', hint: 'clear', keys: ['escape'], description: 'Clear and leave the field', category: 'General', scope: 'input', footer: true},
	{id: 'app.notices', hint: 'messages', keys: ['!'], description: 'Messages since resto started (errors, warnings, info)', category: 'General', scope: 'global', footer: true},
] as const satisfies readonly CommandSpec[];

/** Every command id. */
export type CommandId = (typeof commandSpecs)[number]['id'];

const byId = new Map<string, CommandSpec>(commandSpecs.map(c => [c.id, c]));

/** The spec of a command id. */
export function commandSpec(id: CommandId): CommandSpec {
	return byId.get(id)!;
}

/** Human label of a key name, for hints ("enter" → "⏎", "ctrl+c" → "^C"). */
export function keyLabel(key: string): string {
	const labels: Record<string, string> = {
		enter: 'enter',
		escape: 'esc',
		up: '↑',
		down: '↓',
		left: '←',
		right: '→',
		pageup: 'PgUp',
		pagedown: 'PgDn',
		home: 'Home',
		end: 'End',
		tab: 'tab',
		backspace: 'bksp',
		delete: 'del',
		space: 'space',
	};
	if (labels[key]) return labels[key]!;
	if (key.startsWith('ctrl+')) return `^${key.slice(5).toUpperCase()}`;
	return key;
}

/** Resolve a key to a command in the first scope (in order) that binds it. */
export function resolveKey(key: string, scopes: readonly Scope[]): CommandSpec | undefined {
	for (const scope of scopes) {
		for (const spec of commandSpecs) {
			if (spec.scope === scope && (spec.keys as readonly string[]).includes(key)) return spec;
		}
	}
	return undefined;
}

/** Keys that mean two commands within one scope stack, e.g. [['repos', 'list', 'global']]. */
export function findConflicts(stack: readonly Scope[]): Array<{key: string; commands: string[]}> {
	const seen = new Map<string, string[]>();
	for (const spec of commandSpecs) {
		if (!stack.includes(spec.scope)) continue;
		for (const key of spec.keys) seen.set(key, [...(seen.get(key) ?? []), spec.id]);
	}
	return [...seen.entries()].filter(([, ids]) => ids.length > 1).map(([key, commands]) => ({key, commands}));
}

/** Scope stacks that occur in the app (used by the conflict test and the help overlay). */
export const scopeStacks: ReadonlyArray<readonly Scope[]> = [
	['repos', 'list', 'global'],
	['snapshots', 'list', 'global'],
	['tree', 'list', 'global'],
	['file', 'list', 'global'],
	['search', 'global'],
	['versions', 'list', 'global'],
	['backup', 'list', 'global'],
	['drill', 'global'],
	['drills', 'list', 'global'],
	['retention', 'list', 'global'],
	['status', 'list', 'global'],
	['union', 'list', 'global'],
	['plan', 'list', 'global'],
	['snapdiff', 'list', 'global'],
	['du', 'list', 'global'],
	['restore', 'list', 'global'],
	['help'],
	['confirm'],
	['input'],
	['newset'],
];
