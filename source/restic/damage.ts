/**
 * Repository damage: a pack file that is missing, truncated or corrupt. restic 0.14 retries reading
 * such a pack ten times (about 45 s) as if the backend were flaky, and a check summarises it as
 * "Fatal: repository contains errors". These parsers find restic's own key line at once, so resto
 * stops restic on the first one and says what is damaged and what to do.
 */
import type {ResticVersion} from './parse.js';

/** One damaged pack, as restic reported it. */
export interface PackDamage {
	/** The pack id: full (64 hex) when restic printed it, else restic's short form. */
	packId: string;
	/** What is wrong, in restic's words ("does not exist", "unexpected EOF", "ciphertext verification failed"). */
	problem: string;
	/** restic's whole line, for the report. */
	line: string;
}

const fullId = /\b[0-9a-f]{64}\b/;

// Reading a pack (dump, restore, ls of a damaged tree): `Load(<data/b83b5e8de7>, 200047, 0) returned error,
// retrying after 552ms: open /repo/data/b8/b83b…: no such file or directory`, or `…: unexpected EOF`, or a
// REST server's 404. A backend that is down fails with connection errors instead, which are not damage.
const loadRetry = /Load\(<data\/([0-9a-f]+)>[^)]*\) returned error, retrying after [^:]+: (.*)$/;
// A read past the end of a truncated pack ends in a bare `EOF` (at an offset) or `unexpected EOF`.
const missingCause = /no such file or directory|does not exist|\b404\b|Not Found|unexpected EOF|ReadFull|(?:^|: )EOF$/i;

/** restic's cause, in the words resto shows (a bare EOF says little). */
function problemOf(cause: string): string {
	if (/no such file|does not exist|404|Not Found/i.test(cause)) return 'does not exist';
	const last = cause.replace(/^.*: /, '');
	return last === 'EOF' ? 'unexpected EOF (the pack is shorter than the index says)' : last;
}
// Final errors after the retries, and errors that are never retried.
const finalRead = /ReadFull\(<data\/([0-9a-f]+)>\): (.*)$/;
const decryptFailed = /decrypting blob ([0-9a-f]+) failed: (ciphertext verification failed.*)$/;
// `restic check`: `pack <id>: does not exist`, `pack <id>: unexpected file size: got …`, `Pack ID does not
// match, want <id>, got …`, `pack <id> failed to download: …`.
const checkPack = /^pack ([0-9a-f]{8,64}):? (does not exist|unexpected file size.*|failed to download.*|contains \d+ errors?.*)$/i;
const checkPackIdMismatch = /^Pack ID does not match, want ([0-9a-f]{64}), got/;
// A tree or blob the index does not know (a deleted or damaged index, or a pack gone with its index entry).
const blobNotFound = /\bid ([0-9a-f]{64}) not found in repository/;

/** The damage a stderr line reports, or undefined. `local`: the repository is a local directory. */
export function parseDamageLine(raw: string, options: {local?: boolean} = {}): PackDamage | undefined {
	const line = raw.trim();
	let m = loadRetry.exec(line);
	if (m) {
		const cause = m[2]!;
		// A REST 404 or a missing file in a local repository is damage; for other backends only a
		// clear "not found" counts (their transient errors look like anything else).
		if (!missingCause.test(cause)) return undefined;
		if (!options.local && !/\b404\b|Not Found|does not exist/i.test(cause)) return undefined;
		const id = fullId.exec(cause)?.[0] ?? m[1]!;
		return {packId: id, problem: problemOf(cause), line};
	}
	m = finalRead.exec(line);
	if (m) return {packId: fullId.exec(m[2]!)?.[0] ?? m[1]!, problem: problemOf(m[2]!), line};
	m = decryptFailed.exec(line);
	if (m) return {packId: '', problem: `blob ${m[1]!.slice(0, 12)}…: ${m[2]!}`, line};
	m = checkPack.exec(line);
	if (m) return {packId: m[1]!, problem: m[2]!, line};
	m = checkPackIdMismatch.exec(line);
	if (m) return {packId: m[1]!, problem: 'content does not match its id (corrupt)', line};
	m = blobNotFound.exec(line);
	if (m) return {packId: '', problem: `tree or blob ${m[1]!.slice(0, 12)}… not found in repository (its index is missing or damaged, or the pack holding it is gone)`, line};
	return undefined;
}

/** Every damaged pack in a text (a check's output, a failed run's stderr), one entry per pack. */
export function parseDamage(text: string, options: {local?: boolean} = {}): PackDamage[] {
	const byId = new Map<string, PackDamage>();
	for (const line of text.split('\n')) {
		const d = parseDamageLine(line, options);
		if (!d) continue;
		const key = d.packId || d.problem;
		// A full id beats restic's short form of the same pack.
		const short = [...byId.keys()].find(k => k !== '' && (k.startsWith(key) || key.startsWith(k)));
		if (short !== undefined) {
			if (key.length > short.length) {
				byId.delete(short);
				byId.set(key, d);
			}
		} else byId.set(key, d);
	}
	return [...byId.values()];
}

/** "pack 1959b7f2…: does not exist" — restic's key line, shortened for a status line. */
export function describeDamage(d: PackDamage): string {
	if (!d.packId) return d.problem;
	return `pack ${d.packId}: ${d.problem}`;
}

let knownVersion: Pick<ResticVersion, 'major' | 'minor'> | undefined;

/** The installed restic's version, once detected, so advice names commands it has. */
export function rememberVersion(version: Pick<ResticVersion, 'major' | 'minor'>): void {
	knownVersion = version;
}

/** What to do about damaged packs, with the commands the installed restic has. */
export function damageAdvice(version: Pick<ResticVersion, 'major' | 'minor'> | undefined = knownVersion): string {
	const atLeast = (minor: number) => !version || version.major > 0 || version.minor >= minor;
	const steps = ['run `restic check --read-data` to see every damaged pack'];
	if (version && !atLeast(16)) {
		steps.push('`restic rebuild-index` so the index forgets the damaged packs');
		steps.push('back up the same paths again (files still on disk are stored again)');
		steps.push('restic 0.16 or newer has `restic repair snapshots --forget` for files that are gone for good');
	} else {
		if (atLeast(17)) steps.push('`restic repair packs <id>` salvages what is readable from a damaged pack');
		steps.push('`restic repair index`, then back up the same paths again (files still on disk are stored again)');
		steps.push('`restic repair snapshots --forget` removes files that are gone for good from the snapshots');
	}
	return `What to do: ${steps.join('; ')}. Guide: https://restic.readthedocs.io/en/stable/077_troubleshooting.html`;
}
