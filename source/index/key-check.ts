/**
 * Checking a password against a local repository's key files without starting restic, so an answer
 * from the index cache (no restic at all) still refuses a wrong password like restic would. A key
 * file (restic internal/repository/key.go) is JSON {kdf: "scrypt", N, r, p, salt, data}; scrypt of the
 * password gives 64 bytes: a 32-byte AES-256 key and a 32-byte Poly1305-AES MAC key (internal/crypto).
 * `data` is IV(16) ‖ AES-256-CTR ciphertext ‖ MAC(16); the right password decrypts it to the JSON
 * master key {mac, encrypt}. A wrong key decrypts to noise, which never parses as that JSON.
 */
import {execFile} from 'node:child_process';
import {createDecipheriv, scrypt, scryptSync} from 'node:crypto';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import type {RepoAccess} from '../restic/run.js';

/** ok: a key opens with the password; wrong: none does; unknown: cannot tell here (ask restic). */
export type KeyCheck = 'ok' | 'wrong' | 'unknown';

interface KeyFile {
	kdf: string;
	N: number;
	r: number;
	p: number;
	salt: string;
	data: string;
}

function parseKeyFile(text: string): KeyFile | undefined {
	try {
		const k = JSON.parse(text) as Partial<KeyFile>;
		if (k.kdf !== 'scrypt' || typeof k.salt !== 'string' || typeof k.data !== 'string') return undefined;
		if (![k.N, k.r, k.p].every(v => Number.isSafeInteger(v) && (v as number) > 0)) return undefined;
		return k as KeyFile;
	} catch {
		return undefined;
	}
}

/** scrypt needs 128·N·r bytes; twice that leaves room for node's own bookkeeping. */
const scryptOptions = (key: KeyFile) => ({N: key.N, r: key.r, p: key.p, maxmem: 256 * key.N * key.r * 2});

/** Whether the 64 bytes derived from a password decrypt the key's data to a master key. */
function opensWith(derived: Buffer, data: Buffer): boolean {
	const decipher = createDecipheriv('aes-256-ctr', derived.subarray(0, 32), data.subarray(0, 16));
	const plain = Buffer.concat([decipher.update(data.subarray(16, data.length - 16)), decipher.final()]);
	try {
		const master = JSON.parse(plain.toString('utf8')) as {mac?: unknown; encrypt?: unknown};
		return Boolean(master && typeof master === 'object' && master.mac && typeof master.encrypt === 'string');
	} catch {
		return false;
	}
}

/** The key file and its data, when it is one this code reads. */
function readable(keyFileText: string): {key: KeyFile; data: Buffer} | undefined {
	const key = parseKeyFile(keyFileText);
	if (!key) return undefined;
	const data = Buffer.from(key.data, 'base64');
	return data.length < 32 ? undefined : {key, data};
}

/** Whether `password` opens this key file (undefined: the key file is not one this code reads). */
export function keyOpens(keyFileText: string, password: string): boolean | undefined {
	const k = readable(keyFileText);
	if (!k) return undefined;
	try {
		return opensWith(scryptSync(password, Buffer.from(k.key.salt, 'base64'), 64, scryptOptions(k.key)), k.data);
	} catch {
		return undefined;
	}
}

/**
 * keyOpens with scrypt on libuv's thread pool: the key derivation (restic calibrates it to about half
 * a second) runs on another core while this thread does other work (reading the index cache).
 */
export async function keyOpensAsync(keyFileText: string, password: string): Promise<boolean | undefined> {
	const k = readable(keyFileText);
	if (!k) return undefined;
	const derived = await new Promise<Buffer | undefined>(resolve => {
		try {
			scrypt(password, Buffer.from(k.key.salt, 'base64'), 64, scryptOptions(k.key), (error, key) => resolve(error ? undefined : key));
		} catch {
			resolve(undefined);
		}
	});
	return derived === undefined ? undefined : opensWith(derived, k.data);
}

/** checkPasswordAgainstKeyTexts with keyOpensAsync. */
export async function checkPasswordAgainstKeyTextsAsync(texts: readonly string[], unreadable: number, password: string): Promise<KeyCheck> {
	if (texts.length + unreadable === 0) return 'unknown';
	let unknown = unreadable > 0;
	for (const text of texts) {
		const opens = await keyOpensAsync(text, password);
		if (opens) return 'ok';
		if (opens === undefined) unknown = true;
	}
	return unknown ? 'unknown' : 'wrong';
}

/** Whether `password` opens any of these key file texts (`unreadable`: listed keys that could not be read). */
export function checkPasswordAgainstKeyTexts(texts: readonly string[], unreadable: number, password: string): KeyCheck {
	if (texts.length + unreadable === 0) return 'unknown';
	let unknown = unreadable > 0;
	for (const text of texts) {
		const opens = keyOpens(text, password);
		if (opens) return 'ok';
		if (opens === undefined) unknown = true;
	}
	// A key this code could not read might be the one the password opens.
	return unknown ? 'unknown' : 'wrong';
}

/** Whether `password` opens any key of the local repository in `repoDir`. */
export function checkPasswordAgainstKeys(repoDir: string, password: string): KeyCheck {
	let names: string[];
	try {
		names = readdirSync(path.join(repoDir, 'keys')).filter(f => /^[0-9a-f]{64}$/.test(f));
	} catch {
		return 'unknown';
	}
	const texts: string[] = [];
	let unreadable = 0;
	for (const name of names) {
		try {
			texts.push(readFileSync(path.join(repoDir, 'keys', name), 'utf8'));
		} catch {
			unreadable++;
		}
	}
	return checkPasswordAgainstKeyTexts(texts, unreadable, password);
}

/**
 * The password restic would use for this access, when it can be had without running anything: the
 * password itself, or a password file's content (restic trims surrounding white space). Undefined
 * for a password command, a missing or unreadable file, or no password at all: restic then says why.
 */
export function localPassword(access: RepoAccess): string | undefined {
	if (access.passwordFile) {
		try {
			return readFileSync(access.passwordFile, 'utf8').trim() || undefined;
		} catch {
			return undefined;
		}
	}
	if (access.passwordCommand) return undefined;
	// An empty password is not one to restic ("an empty password is not a password").
	return access.password || undefined;
}

/**
 * Split a password command into words as restic does (backend.SplitShellStrings): white space
 * separates, single and double quotes group, a backslash outside single quotes escapes the next
 * character. No shell runs it, in restic or here. Undefined for an unterminated quote.
 */
export function splitCommand(command: string): string[] | undefined {
	const words: string[] = [];
	let word = '';
	let inWord = false;
	let quote: string | undefined;
	for (let i = 0; i < command.length; i++) {
		const c = command[i]!;
		if (quote) {
			if (c === quote) quote = undefined;
			else if (c === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
			else word += c;
		} else if (c === '"' || c === "'") {
			quote = c;
			inWord = true;
		} else if (c === '\\' && i + 1 < command.length) {
			word += command[++i];
			inWord = true;
		} else if (/\s/.test(c)) {
			if (inWord) words.push(word);
			word = '';
			inWord = false;
		} else {
			word += c;
			inWord = true;
		}
	}
	if (quote) return undefined;
	if (inWord) words.push(word);
	return words;
}

/**
 * The password restic would use, including a password command's output (run as restic runs it:
 * split into words, no shell, stdin closed, its output trimmed), within `timeoutMs`. Undefined when
 * it cannot be had: the command fails, hangs or prints nothing; restic then decides and says why.
 * The password stays in this process's memory only.
 */
export async function resolvePassword(access: RepoAccess, timeoutMs = 60_000): Promise<string | undefined> {
	if (access.passwordFile || !access.passwordCommand) return localPassword(access);
	const argv = splitCommand(access.passwordCommand);
	if (!argv || argv.length === 0) return undefined;
	return new Promise(resolve => {
		const child = execFile(argv[0]!, argv.slice(1), {encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20, env: {...process.env, ...access.env}}, (error, stdout) => {
			resolve(error ? undefined : stdout.trim() || undefined);
		});
		child.stdin?.end();
	});
}
