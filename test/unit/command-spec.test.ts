import {describe, expect, test} from 'vitest';
import {defineCommand, helpText, oneOf, option, parseCommandLine, readDataSubsetProblem, UsageError, wholeNumber} from '../../source/commands/spec.js';

const spec = defineCommand({
	name: 'probe',
	summary: 'a command for the parser tests',
	usage: ['probe [--repo R] [--limit N] [--host H]... [--json] [ARG]'],
	options: {
		repo: option({type: 'string', short: 'r', value: 'R', description: 'repository'}),
		limit: option({type: 'string', value: 'N', description: 'at most N', parse: wholeNumber({min: 1, max: 500})}),
		host: option({type: 'string', multiple: true, value: 'H', description: 'host', parse: oneOf(['a', 'b'])}),
		json: option({type: 'boolean', description: 'json'}),
	},
	maxArgs: 1,
});

function usageError(argv: string[]): string {
	try {
		parseCommandLine(spec, argv);
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return (error as Error).message;
	}
	throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
	test('values are parsed and typed by the table; short, long, = and -- forms', () => {
		const p = parseCommandLine(spec, ['-r', '/srv/r', '--limit=7', '--host', 'a', '--host', 'b', '--json', '--', '--not-an-option']);
		const limit: number | undefined = p.options.limit;
		expect(limit).toBe(7);
		expect(p.options).toMatchObject({repo: '/srv/r', host: ['a', 'b'], json: true});
		expect(p.args).toEqual(['--not-an-option']);
		expect(parseCommandLine(spec, ['--theme', 'ansi', '-h']).options).toMatchObject({theme: 'ansi', help: true});
	});

	test('a string option takes the next argument even when it starts with a dash, so its parser can refuse it', () => {
		expect(usageError(['--limit', '-5'])).toBe('--limit wants a whole number from 1 to 500, not "-5"');
		expect(usageError(['--limit', '501'])).toBe('--limit wants a whole number from 1 to 500, not 501');
		expect(parseCommandLine(spec, ['--repo', '-weird-name']).options.repo).toBe('-weird-name');
	});

	test('every refusal names the option', () => {
		expect(usageError(['--bogus'])).toBe('probe does not take --bogus');
		expect(usageError(['-x'])).toBe('probe does not take -x');
		expect(usageError(['--json=1'])).toBe('probe: --json takes no value');
		expect(usageError(['--repo'])).toBe('probe: --repo needs a value (--repo R)');
		expect(usageError(['--host', 'c'])).toBe('--host must be a or b, not "c"');
		expect(usageError(['one', 'two'])).toBe('probe: unexpected argument "two"');
	});

	test('wholeNumber refuses what Number() and parseInt() accept', () => {
		const n = wholeNumber({min: 0});
		for (const bad of ['5abc', '1e3', '-5', 'abc', '', ' 5', '5 ', '0x10', '5.0', '+5', '١٢', '9007199254740993']) expect(() => n(bad, '--n'), bad).toThrow(UsageError);
		expect(n('0', '--n')).toBe(0);
		expect(n('007', '--n')).toBe(7);
		expect(n('9007199254740991', '--n')).toBe(Number.MAX_SAFE_INTEGER);
	});

	test("readDataSubsetProblem follows restic's forms", () => {
		for (const ok of ['1/1', '3/7', '0.5%', '100%', '1', '10k', '10K', '2G', '1t']) expect(readDataSubsetProblem(ok), ok).toBeUndefined();
		for (const bad of ['', 'bogus', '0/1', '2/1', '1/0', '0%', '100.1%', '%', '1.5G', '1GB', '0', '-1', '1/2/3']) expect(readDataSubsetProblem(bad), bad).toBeDefined();
	});

	test('the help lists every option with its placeholder, --help and the global --theme', () => {
		const text = helpText(spec);
		expect(text).toMatch(/^resto probe — a command for the parser tests/);
		expect(text).toMatch(/^ {2}-r, --repo R +repository$/m);
		expect(text).toMatch(/^ {6}--limit N +at most N$/m);
		expect(text).toMatch(/^ {2}-h, --help +this help$/m);
		expect(text).toContain('--theme NAME');
	});
});
