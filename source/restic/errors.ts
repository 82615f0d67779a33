/**
 * Classification of restic failures. restic 0.14 exits 1 for almost everything, so the
 * kind is read from stderr first and the exit code is only a hint (codes 10/11/12 exist from 0.17).
 */
import {redact as redactText} from '../util/redact.js';
import {exitCodeForKind} from '../util/exit-codes.js';
import {damageAdvice, describeDamage, parseDamage, type PackDamage} from './damage.js';

/** The kinds of failure a user can act on. */
export type ResticErrorKind =
	| 'not-installed'
	| 'no-repo'
	| 'unreachable'
	| 'wrong-password'
	| 'no-password'
	| 'locked'
	| 'canceled'
	| 'partial'
	| 'not-found'
	| 'invalid-id'
	/** A pack file is missing, truncated or corrupt: the repository needs repair, not a retry. */
	| 'damaged'
	| 'failed';

/** Who holds a lock, parsed from restic's lock error. */
export interface LockInfo {
	pid: number;
	host: string;
	user: string;
	exclusive: boolean;
	/** ISO-ish creation time as restic printed it (local time). */
	createdAt?: string;
	/** Age in milliseconds when restic printed it, if it said. */
	ageMs?: number;
	storageId?: string;
	/** True when restic would consider the lock stale (older than 30 minutes). */
	stale: boolean;
}

// The CLI's exit codes live in util/exit-codes.ts (one table for every command); re-exported for old imports.
export {exitCodes} from '../util/exit-codes.js';

/** An error from running restic, already redacted. */
export class ResticError extends Error {
	readonly kind: ResticErrorKind;
	readonly exitCode: number | undefined;
	readonly stderr: string;
	readonly lock: LockInfo | undefined;
	/** The damaged packs restic named (kind "damaged"). */
	readonly damage: PackDamage[];

	constructor(kind: ResticErrorKind, message: string, options: {exitCode?: number; stderr?: string; lock?: LockInfo; damage?: PackDamage[]} = {}) {
		super(message);
		this.name = 'ResticError';
		this.kind = kind;
		this.exitCode = options.exitCode;
		this.stderr = options.stderr ?? '';
		this.lock = options.lock;
		this.damage = options.damage ?? [];
	}

	/** The exit code resto's CLI should use for this error. */
	get cliExitCode(): number {
		return cliExitCodeFor(this.kind);
	}
}

/** Map an error kind to the CLI exit code (the table is util/exit-codes.ts). */
export const cliExitCodeFor = exitCodeForKind;

// eslint-disable-next-line no-control-regex
const ansiPattern = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** Remove ANSI sequences restic writes even when stderr is not a TTY. */
export function stripAnsi(text: string): string {
	return text.replace(ansiPattern, '');
}

/** A restic retry line ("Load(<data/…>) returned error, retrying after 1.2s: … connection refused"). */
export const backendRetryPattern = /returned error, retrying after|connection refused|dial tcp|i\/o timeout|no such host|connection reset|network is unreachable/;

/** The cause at the end of a retry line: "connect: connection refused" rather than the whole URL chain. */
export function retryCause(line: string): string {
	return stripAnsi(line).trim().split(': ').slice(-2).join(': ');
}

/** Replace every secret with `***`, and credentials inside locations too (see util/redact.ts). */
export const redact = redactText;

const lockPattern = /repository is already locked( exclusively)? by PID (\d+) on (\S+) by (\S+)/;
const lockCreatedPattern = /lock was created at ([0-9-]+ [0-9:]+) \(([^)]+) ago\)/;
const storagePattern = /storage ID ([0-9a-f]+)/;

/** Parse a Go duration like "768.818285ms", "1h2m3.5s", "45µs" into milliseconds. */
export function parseGoDuration(text: string): number | undefined {
	const re = /([0-9.]+)(ns|us|µs|ms|s|m|h)/g;
	let total = 0;
	let matched = false;
	for (const m of text.matchAll(re)) {
		matched = true;
		const n = Number(m[1]);
		const unit = m[2];
		const factor = unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1000 : unit === 'ms' ? 1 : unit === 'ns' ? 1e-6 : 1e-3;
		total += n * factor;
	}
	return matched ? total : undefined;
}

/** Read lock holder details from restic's stderr. */
export function parseLockInfo(stderr: string): LockInfo | undefined {
	const text = stripAnsi(stderr);
	const m = lockPattern.exec(text);
	if (!m) return undefined;
	const created = lockCreatedPattern.exec(text);
	const ageMs = created ? parseGoDuration(created[2]!) : undefined;
	return {
		exclusive: Boolean(m[1]),
		pid: Number(m[2]),
		host: m[3]!,
		user: m[4]!,
		createdAt: created?.[1],
		ageMs,
		storageId: storagePattern.exec(text)?.[1],
		stale: ageMs !== undefined && ageMs > 30 * 60_000,
	};
}

/** The last `exit_error` JSON message of restic ≥ 0.18, if any. */
function exitErrorMessage(stderr: string): string | undefined {
	const lines = stderr.split('\n');
	for (let i = lines.length - 1; i >= 0; i--) {
		const line = lines[i]!.trim();
		if (!line.startsWith('{')) continue;
		try {
			const parsed = JSON.parse(line) as {message_type?: string; message?: string};
			if (parsed.message_type === 'exit_error' && typeof parsed.message === 'string') return parsed.message;
		} catch {
			// Plain text line that happens to start with a brace.
		}
	}
	return undefined;
}

// A Go stack frame as pkg/errors' %+v prints it: a function line, then its file:line (0.14 prints the
// stack for errors that are not "Fatal"), and goroutine dumps after a panic.
const goFileLine = /^\s*(?:\/|[\w.-]+\/)?[\w./@-]*\.(?:go|s):\d+(?: \+0x[0-9a-f]+)?$/;
const goFunction = /^(?:[\w.-]+\/)*[\w-]+\.(?:\(\*?[\w]+\)\.)?[\w.]+(?:\([^)]*\))?(?:\.func\d+)*$/;
const goroutine = /^goroutine \d+ \[[^\]]*\]:$|^created by |^\[signal |^exit status \d+$/;

/**
 * restic's message without Go stack lines (`runtime/asm_amd64.s:1594`, `…/cmd/restic/main.go:98 +0x…`,
 * `main.runFind`). The message lines pkg/errors prints before the stack are innermost first, so they
 * are joined outermost first, as the error's own text reads ("Match: syntax error in pattern").
 */
export function stripGoStack(text: string): string {
	const lines = text.split('\n');
	const out: string[] = [];
	let i = 0;
	while (i < lines.length) {
		const line = lines[i]!;
		const next = lines[i + 1];
		const isFrame = (goFunction.test(line.trim()) && next !== undefined && goFileLine.test(next)) || goFileLine.test(line) || goroutine.test(line.trim());
		if (!isFrame) {
			out.push(line);
			i++;
			continue;
		}
		// Frames start here: the message lines since the last blank/JSON/Fatal line belong to this error.
		let start = out.length;
		const ownLine = (l: string) => l.trim() !== '' && !/^(Fatal:|\{|Warning:)/.test(l) && !/\.\.\. which belongs to|^Unable to |returned error, retrying/.test(l);
		while (start > 0 && out.length - start < 3 && ownLine(out[start - 1]!)) start--;
		const message = out
			.splice(start)
			.map(l => l.trim())
			.filter(Boolean);
		if (message.length > 0) out.push(message.reverse().join(': '));
		while (i < lines.length && (goFileLine.test(lines[i]!) || goroutine.test(lines[i]!.trim()) || (goFunction.test(lines[i]!.trim()) && lines[i + 1] !== undefined && goFileLine.test(lines[i + 1]!)))) i++;
	}
	return out.join('\n');
}

/** The most useful line of restic's stderr for a human. */
function headline(stderr: string): string {
	const lines = stripGoStack(stripAnsi(stderr))
		.split('\n')
		.map(l => l.trim())
		.filter(l => l.length > 0 && !l.startsWith('{'));
	const fatal = lines.find(l => l.startsWith('Fatal:'));
	return fatal ?? lines.at(-1) ?? '';
}

/**
 * Classify a finished restic run. Returns undefined when the run succeeded.
 * `secrets` are removed from the message and the kept stderr.
 */
export function classifyFailure(input: {exitCode: number | undefined; stderr: string; signal?: string | undefined; canceled?: boolean; repository?: string; secrets?: readonly string[]}): ResticError | undefined {
	const secrets = input.secrets ?? [];
	const raw = stripGoStack(stripAnsi(input.stderr));
	const stderr = redact(raw, secrets);
	const code = input.exitCode;
	const repo = input.repository ? redact(input.repository, secrets) : 'the repository';
	const jsonMessage = exitErrorMessage(raw);
	const text = jsonMessage ? `${jsonMessage}\n${raw}` : raw;
	const make = (kind: ResticErrorKind, message: string, lock?: LockInfo) => new ResticError(kind, redact(message, secrets), {exitCode: code, stderr, lock});

	if (input.canceled || code === 130 || input.signal === 'SIGINT') {
		if (code === 0) return undefined;
		return make('canceled', 'canceled');
	}

	if (/wrong password or no key found/.test(text) || code === 12) {
		return make('wrong-password', `Wrong password for ${repo} (restic: no key matches it).`);
	}

	if (/Resolving password failed|an empty password is not a password|Please specify repository location/.test(text)) {
		return make('no-password', `restic could not get a password for ${repo}: ${headline(stderr)}`);
	}

	const lock = parseLockInfo(text);
	if (lock || code === 11 || /unable to create lock/.test(text)) {
		const who = lock ? `locked${lock.exclusive ? ' exclusively' : ''} by PID ${lock.pid} on ${lock.host} (${lock.user})${lock.ageMs === undefined ? '' : `, ${formatAge(lock.ageMs)} old`}` : 'locked';
		return make('locked', `${repo} is ${who}.${lock?.stale ? ' The lock looks stale: `restic unlock` can remove it.' : ''}`, lock);
	}

	// A dead backend and a missing repository both print "Is there a repository…" on 0.14;
	// the network error text tells them apart.
	if (/dial tcp|connection refused|no such host|i\/o timeout|network is unreachable|connection reset|TLS handshake|context deadline exceeded/.test(text)) {
		return make('unreachable', `Cannot reach ${repo}: ${headline(stderr)}`);
	}

	if (/Is there a repository at the following location\?|repository does not exist|unable to open config file/.test(text) || code === 10) {
		return make('no-repo', `No restic repository at ${repo}.`);
	}

	const damage = parseDamage(text, {local: input.repository !== undefined && isLocalLocation(input.repository)});
	if (damage.length > 0) {
		return new ResticError('damaged', damagedMessage(repo, damage), {exitCode: code, stderr, damage});
	}

	if (/no matching ID found for prefix|multiple IDs with prefix|invalid id "/.test(text)) {
		return make('invalid-id', headline(stderr) || 'unknown snapshot id');
	}

	if (/not found in snapshot/.test(text)) {
		return make('not-found', headline(stderr));
	}

	if (code === 3) {
		return make('partial', 'Some source files could not be read; the snapshot was saved without them.');
	}

	if (code === 0) return undefined;

	const line = headline(stderr);
	return make('failed', line ? `restic failed: ${line}` : `restic failed with exit code ${code ?? input.signal ?? 'unknown'}`);
}

/** A local directory repository (no backend prefix, or `local:`). */
export function isLocalLocation(location: string): boolean {
	return location.startsWith('local:') || !/^[a-z0-9]+:/i.test(location);
}

/** The message for damaged packs: restic's key lines first, then what to do. */
export function damagedMessage(repo: string, damage: readonly PackDamage[], version?: {major: number; minor: number}): string {
	const named = damage.slice(0, 3).map(describeDamage).join('; ');
	const more = damage.length > 3 ? ` and ${damage.length - 3} more` : '';
	return `${repo} is damaged: ${named}${more}. ${damageAdvice(version)}`;
}

/** "3m", "2h", "5d" — a compact age for status lines. */
export function formatAge(ms: number): string {
	const s = Math.max(0, Math.round(ms / 1000));
	if (s < 60) return `${s}s`;
	const m = Math.round(s / 60);
	if (m < 60) return `${m}m`;
	const h = Math.round(m / 60);
	if (h < 48) return `${h}h`;
	const d = Math.round(h / 24);
	if (d < 60) return `${d}d`;
	const mo = Math.round(d / 30);
	if (mo < 24) return `${mo}mo`;
	return `${Math.round(d / 365)}y`;
}

/** The error for a missing restic binary, with the install hint. */
export function notInstalledError(bin: string): ResticError {
	return new ResticError('not-installed', `restic is not installed or not on PATH (looked for "${bin}"). Install it with: sudo apt-get install restic (or see https://restic.readthedocs.io/en/stable/020_installation.html), or set RESTIC_BIN.`);
}
