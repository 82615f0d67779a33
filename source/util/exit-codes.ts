/**
 * resto's exit codes: the one table every command, the help text and the readme use. They follow restic
 * (0.17+) where the two overlap, so a script written for restic reads resto the same way. restic 0.14 exits 1
 * for most failures; the restic layer classifies its stderr into a kind and `exitCodeForKind` maps the kind here.
 * The same failure exits with the same code in text and `--json` modes.
 */
import type {ResticErrorKind} from '../restic/errors.js';

/** Exit codes of the resto CLI. */
export const exitCodes = {
	ok: 0,
	failure: 1,
	usage: 2,
	incomplete: 3,
	noRepo: 10,
	locked: 11,
	wrongPassword: 12,
	canceled: 130,
	closedPipe: 141,
} as const;

/** One exit code, in the order the help and the readme list them. */
export interface ExitCodeRow {
	code: number;
	name: keyof typeof exitCodes;
	meaning: string;
}

/** What each code means, for `resto --help` and the readme (a test keeps the readme's table equal to this). */
export const exitCodeTable: readonly ExitCodeRow[] = [
	{code: exitCodes.ok, name: 'ok', meaning: 'success (a search that matched nothing is a success too, in text and `--json` modes)'},
	{code: exitCodes.failure, name: 'failure', meaning: 'failure: restic or the backend failed, a drill failed, invalid config, any repository in `resto repos` is unhealthy'},
	{code: exitCodes.usage, name: 'usage', meaning: 'usage error: unknown command or option, an option the command does not take, a bad option value'},
	{code: exitCodes.incomplete, name: 'incomplete', meaning: 'backup incomplete: the snapshot was saved but some files could not be read or some paths did not exist'},
	{code: exitCodes.noRepo, name: 'noRepo', meaning: 'repository does not exist'},
	{code: exitCodes.locked, name: 'locked', meaning: 'repository is locked by another process'},
	{code: exitCodes.wrongPassword, name: 'wrongPassword', meaning: 'wrong password (or none given)'},
	{code: exitCodes.canceled, name: 'canceled', meaning: 'canceled (Ctrl-C / SIGINT)'},
	{code: exitCodes.closedPipe, name: 'closedPipe', meaning: 'output closed early (piped into `head -1`): resto stops quietly, like a program ended by SIGPIPE'},
];

/** The exit code for a classified restic failure. */
export function exitCodeForKind(kind: ResticErrorKind): number {
	switch (kind) {
		case 'no-repo':
			return exitCodes.noRepo;
		case 'locked':
			return exitCodes.locked;
		case 'wrong-password':
		case 'no-password':
			return exitCodes.wrongPassword;
		case 'canceled':
			return exitCodes.canceled;
		case 'partial':
			return exitCodes.incomplete;
		default:
			return exitCodes.failure;
	}
}

/** The table as Markdown, exactly as readme.md carries it. */
export function exitCodeMarkdown(): string {
	return ['| Code | Meaning |', '| ---: | --- |', ...exitCodeTable.map(r => `| ${r.code} | ${r.meaning} |`)].join('\n');
}
