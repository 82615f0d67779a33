/** The semantic roles every theme provides. Views use these, never color names. */
export const roleNames = ['text.primary', 'text.muted', 'text.inverse', 'accent', 'border.focused', 'border.muted', 'selection.bg', 'selection.fg', 'status.ok', 'status.warn', 'status.error', 'progress.done', 'progress.todo', 'match', 'key', 'title'] as const;

export type Role = (typeof roleNames)[number];

/** A resolved theme: each role is an Ink color string, or undefined for "no color". */
export interface Theme {
	name: string;
	colors: Record<Role, string | undefined>;
	/** True when no colors are used at all: selection must then use inverse/bold. */
	monochrome: boolean;
}
