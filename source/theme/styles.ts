/** Token → Ink props. Views call these; they never name a color. */
import {useContext} from 'react';
import {AppContext} from '../app-context.js';
import type {Role, Theme} from './tokens.js';

export interface TextStyle {
	color?: string;
	backgroundColor?: string;
	bold?: boolean;
	dimColor?: boolean;
	inverse?: boolean;
	underline?: boolean;
}

/** Style for a role (foreground). In monochrome, muted text uses Ink's dim attribute. */
export function roleStyle(theme: Theme, role: Role): TextStyle {
	const color = theme.colors[role];
	if (color) return {color};
	if (theme.monochrome && role === 'text.muted') return {dimColor: true};
	if (theme.monochrome && (role === 'title' || role === 'key' || role === 'status.error')) return {bold: true};
	if (theme.monochrome && role === 'match') return {underline: true};
	return {};
}

/** Style of a selected row: theme colors, or inverse when monochrome. */
export function selectionStyle(theme: Theme): TextStyle {
	const bg = theme.colors['selection.bg'];
	if (!bg) return {inverse: true};
	return {backgroundColor: bg, color: theme.colors['selection.fg'], bold: true};
}

/** The theme from context. */
export function useTheme(): Theme {
	return useContext(AppContext).theme;
}
