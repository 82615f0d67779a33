import {readFileSync, readdirSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {describe, expect, test} from 'vitest';
import {loadTheme, resolveTheme, ThemeError, builtinThemes} from '../../source/theme/load.js';
import {roleNames} from '../../source/theme/tokens.js';

const themesDir = fileURLToPath(new URL('../../themes/', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/themes/${name}`, import.meta.url));

describe('themes', () => {
	test('the JSON schema and the loader agree on the roles', () => {
		const schema = JSON.parse(readFileSync(`${themesDir}theme.schema.json`, 'utf8')) as {properties: {roles: {properties: Record<string, unknown>}}};
		expect(Object.keys(schema.properties.roles.properties).sort()).toEqual([...roleNames].sort());
	});

	test('every theme file in themes/ is built in, valid and complete', () => {
		const files = readdirSync(themesDir).filter(f => f.endsWith('.json') && f !== 'theme.schema.json');
		expect(files.map(f => f.replace('.json', '')).sort()).toEqual(Object.keys(builtinThemes).sort());
		for (const file of files) {
			const theme = resolveTheme(JSON.parse(readFileSync(`${themesDir}${file}`, 'utf8')), file);
			expect(theme.name).toBe(file.replace('.json', ''));
		}
		expect(loadTheme('ansi', {}).colors.accent).toBe('cyan');
		expect(loadTheme('default-light', {}).colors['status.error']).toBe('#cf222e');
	});

	test('NO_COLOR and TERM=dumb give a monochrome theme', () => {
		expect(loadTheme('default-dark', {NO_COLOR: '1'}).monochrome).toBe(true);
		expect(loadTheme(undefined, {TERM: 'dumb'}).monochrome).toBe(true);
		expect(loadTheme('default-dark', {NO_COLOR: ''}).monochrome).toBe(false);
		expect(loadTheme('no-color', {}).monochrome).toBe(true);
	});

	test('a custom file resolves palette references and falls back for missing roles', () => {
		const theme = loadTheme(fixture('good.json'), {});
		expect(theme.colors.accent).toBe('#112233');
		expect(theme.colors['status.ok']).toBe('greenBright');
		expect(theme.colors['status.error']).toBe(loadTheme('default-dark', {}).colors['status.error']);
	});

	test('a bad theme names the file and the key', () => {
		expect(() => loadTheme(fixture('bad-color.json'), {})).toThrow(ThemeError);
		expect(() => loadTheme(fixture('bad-color.json'), {})).toThrow(/bad-color\.json \(roles\.accent\): "notacolor"/);
		expect(() => loadTheme(fixture('unknown-role.json'), {})).toThrow(/unknown-role\.json \(roles\.acent\): unknown key/);
		expect(() => loadTheme('nope', {})).toThrow(/no such theme/);
		expect(() => loadTheme('/nonexistent/theme.json', {})).toThrow(/cannot read/);
	});
});
