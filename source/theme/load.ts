/**
 * Resolve and validate themes: built-in JSON files (bundled) or a user file path. Palette references
 * are resolved, missing roles fall back to default-dark, and errors name the file and the key.
 */
import {readFileSync} from 'node:fs';
import * as z from 'zod';
import ansi from '../../themes/ansi.json' with {type: 'json'};
import defaultDark from '../../themes/default-dark.json' with {type: 'json'};
import defaultLight from '../../themes/default-light.json' with {type: 'json'};
import noColor from '../../themes/no-color.json' with {type: 'json'};
import {roleNames, type Role, type Theme} from './tokens.js';

const ansiNames = new Set(['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white', 'gray', 'grey', 'blackBright', 'redBright', 'greenBright', 'yellowBright', 'blueBright', 'magentaBright', 'cyanBright', 'whiteBright']);

const colorValue = z.string().regex(/^(#[0-9a-fA-F]{6}|[a-zA-Z]+)$/, 'must be #rrggbb or a color name');
const rolesShape = Object.fromEntries(roleNames.map(r => [r, z.string().optional()])) as Record<Role, z.ZodOptional<z.ZodString>>;

/** The zod mirror of themes/theme.schema.json (a test keeps the two in step). */
export const themeFileSchema = z.strictObject({
	$schema: z.string().optional(),
	name: z.string().min(1),
	palette: z.record(z.string(), colorValue).optional(),
	roles: z.strictObject(rolesShape).optional(),
});

export type ThemeFile = z.infer<typeof themeFileSchema>;

/** Built-in theme files by name. */
export const builtinThemes: Record<string, unknown> = {
	'default-dark': defaultDark,
	'default-light': defaultLight,
	ansi,
	'no-color': noColor,
};

/** A theme error naming the file and the key. */
export class ThemeError extends Error {
	constructor(
		readonly file: string,
		readonly key: string | undefined,
		message: string,
	) {
		super(`theme ${file}${key ? ` (${key})` : ''}: ${message}`);
		this.name = 'ThemeError';
	}
}

function resolveColor(value: string, palette: Record<string, string>, file: string, key: string): string | undefined {
	if (value === 'none') return undefined;
	if (value.startsWith('#')) {
		if (!/^#[0-9a-fA-F]{6}$/.test(value)) throw new ThemeError(file, key, `invalid color "${value}"`);
		return value;
	}
	const fromPalette = palette[value];
	if (fromPalette !== undefined) return resolveColor(fromPalette, {}, file, `palette.${value}`);
	if (ansiNames.has(value)) return value;
	throw new ThemeError(file, key, `"${value}" is neither a palette entry nor a color`);
}

/** Validate and resolve theme JSON data. */
export function resolveTheme(data: unknown, file: string, fallback?: Theme): Theme {
	const parsed = themeFileSchema.safeParse(data);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		const key = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]].join('.') : issue.path.join('.');
		const message = issue.code === 'unrecognized_keys' ? `unknown key "${issue.keys[0]}"` : issue.message;
		throw new ThemeError(file, key || undefined, message);
	}
	const theme = parsed.data;
	const palette = theme.palette ?? {};
	for (const [name, value] of Object.entries(palette)) resolveColor(value, {}, file, `palette.${name}`);
	const colors = {} as Record<Role, string | undefined>;
	for (const role of roleNames) {
		const value = theme.roles?.[role];
		colors[role] = value === undefined ? fallback?.colors[role] : resolveColor(value, palette, file, `roles.${role}`);
	}
	return {name: theme.name, colors, monochrome: roleNames.every(r => colors[r] === undefined)};
}

let defaultTheme: Theme | undefined;
function getDefault(): Theme {
	defaultTheme ??= resolveTheme(defaultDark, 'default-dark.json');
	return defaultTheme;
}

/** The monochrome theme used for NO_COLOR and TERM=dumb. */
export function monochromeTheme(): Theme {
	return resolveTheme(noColor, 'no-color.json');
}

/**
 * Load a theme by built-in name or file path. NO_COLOR (any non-empty value) or TERM=dumb
 * always wins: the UI is then monochrome, as https://no-color.org asks.
 */
export function loadTheme(nameOrPath: string | undefined, env: NodeJS.ProcessEnv = process.env): Theme {
	if ((env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb') return monochromeTheme();
	const name = nameOrPath ?? 'default-dark';
	const builtin = builtinThemes[name];
	if (builtin) return resolveTheme(builtin, `${name}.json`, getDefault());
	if (!name.includes('/') && !name.endsWith('.json')) {
		throw new ThemeError(name, undefined, `no such theme; built-in themes: ${Object.keys(builtinThemes).join(', ')}, or give a path to a JSON file`);
	}
	let text: string;
	try {
		text = readFileSync(name, 'utf8');
	} catch (error) {
		throw new ThemeError(name, undefined, `cannot read: ${(error as Error).message}`);
	}
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch (error) {
		throw new ThemeError(name, undefined, `invalid JSON: ${(error as Error).message}`);
	}
	return resolveTheme(data, name, getDefault());
}
