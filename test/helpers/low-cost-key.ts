/**
 * Re-key a freshly initialised local test repository with cheap scrypt parameters.
 *
 * `restic init` calibrates scrypt to about half a second of CPU, and every restic process pays it again to open
 * the repository: on the 2-core CI machine that was a third of the suite's time. The key file written here is an
 * ordinary restic key (same master key, same JSON format, scrypt with N=1024): restic opens it as it opens any
 * other, only faster. Nothing about restic's behaviour is changed or faked; production repositories are never
 * touched (only tests call this).
 *
 * Format (restic's internal/crypto and internal/repository/key.go): the user key is scrypt(password, salt, N, r,
 * p, 64) split into a 32-byte AES-256 key, a 16-byte MAC key k and a 16-byte MAC key r; `data` is
 * nonce(16) ‖ AES-256-CTR(plaintext) ‖ Poly1305-AES(ciphertext), the Poly1305 key being r ‖ AES-128_k(nonce).
 */
import crypto from 'node:crypto';
import {readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';

const P1305 = 2n ** 130n - 5n;

function littleEndian(buf: Uint8Array): bigint {
	let n = 0n;
	for (let i = buf.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(buf[i]!);
	return n;
}

function poly1305(message: Buffer, key: Buffer): Buffer {
	const r = Buffer.from(key.subarray(0, 16));
	for (const i of [3, 7, 11, 15]) r[i]! &= 15;
	for (const i of [4, 8, 12]) r[i]! &= 252;
	const rn = littleEndian(r);
	let acc = 0n;
	for (let i = 0; i < message.length; i += 16) acc = ((acc + littleEndian(Buffer.concat([message.subarray(i, i + 16), Buffer.from([1])]))) * rn) % P1305;
	acc = (acc + littleEndian(key.subarray(16, 32))) % (1n << 128n);
	const out = Buffer.alloc(16);
	for (let i = 0; i < 16; i++) {
		out[i] = Number(acc & 255n);
		acc >>= 8n;
	}
	return out;
}

interface UserKey {
	enc: Buffer;
	k: Buffer;
	r: Buffer;
}

function deriveUserKey(password: string, salt: Buffer, N: number, r: number, p: number): UserKey {
	const d = crypto.scryptSync(password, salt, 64, {N, r, p, maxmem: 512 * 1024 * 1024});
	return {enc: d.subarray(0, 32), k: d.subarray(32, 48), r: d.subarray(48, 64)};
}

function mac(ciphertext: Buffer, nonce: Buffer, key: UserKey): Buffer {
	const aes = crypto.createCipheriv('aes-128-ecb', key.k, null);
	aes.setAutoPadding(false);
	return poly1305(ciphertext, Buffer.concat([key.r, aes.update(nonce), aes.final()]));
}

interface KeyFile {
	N: number;
	r: number;
	p: number;
	salt: string;
	data: string;
}

/** The only key file of a local repository and the master key JSON it holds (decrypted with `password`). */
function openKeyFile(repoPath: string, password: string): {file: string; key: KeyFile; masterKey: Buffer} | undefined {
	const dir = path.join(repoPath, 'keys');
	const names = readdirSync(dir);
	if (names.length !== 1) return undefined;
	const file = path.join(dir, names[0]!);
	const key = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
	const user = deriveUserKey(password, Buffer.from(key.salt, 'base64'), key.N, key.r, key.p);
	const data = Buffer.from(key.data, 'base64');
	const nonce = data.subarray(0, 16);
	const ciphertext = data.subarray(16, data.length - 16);
	if (!mac(ciphertext, nonce, user).equals(data.subarray(data.length - 16))) throw new Error(`low-cost-key: the key in ${dir} does not open with the test password`);
	const decipher = crypto.createDecipheriv('aes-256-ctr', user.enc, nonce);
	return {file, key, masterKey: Buffer.concat([decipher.update(ciphertext), decipher.final()])};
}

/** Replace the only key of the local repository at `repoPath` by the same master key under scrypt N=1024. */
export function setLowCostKey(repoPath: string, password: string): void {
	const opened = openKeyFile(repoPath, password);
	if (!opened) return;
	const {file, key, masterKey} = opened;
	const dir = path.dirname(file);

	const salt = crypto.randomBytes(64);
	const params = {N: 1024, r: 8, p: 1};
	const cheap = deriveUserKey(password, salt, params.N, params.r, params.p);
	const nonce2 = crypto.randomBytes(16);
	const cipher = crypto.createCipheriv('aes-256-ctr', cheap.enc, nonce2);
	const ciphertext2 = Buffer.concat([cipher.update(masterKey), cipher.final()]);
	const text = JSON.stringify({...key, ...params, salt: salt.toString('base64'), data: Buffer.concat([nonce2, ciphertext2, mac(ciphertext2, nonce2, cheap)]).toString('base64')});
	// restic names every file by the SHA-256 of its contents; keep that true for the new key file.
	const id = crypto.createHash('sha256').update(text).digest('hex');
	writeFileSync(path.join(dir, id), text, {mode: statSync(file).mode & 0o777});
	rmSync(file, {force: true});
}

/**
 * Store more snapshots the way restic stores one: each is the JSON of an existing snapshot (from `restic cat
 * snapshot`) with another time, encrypted with the repository's master key (AES-256-CTR + Poly1305-AES, as
 * restic's crypto.Key.Seal) and named by the SHA-256 of the file. restic then lists, finds and restores them
 * like any other (a repository of v2 format accepts an uncompressed JSON document). Used to give a test 500
 * snapshots of a few real trees without 500 `restic backup` runs. Returns the new snapshot ids.
 */
export function addSnapshots(repoPath: string, password: string, snapshotJson: string, times: readonly string[]): string[] {
	const opened = openKeyFile(repoPath, password);
	if (!opened) throw new Error(`addSnapshots: ${repoPath} has more than one key`);
	const master = JSON.parse(opened.masterKey.toString('utf8')) as {mac: {k: string; r: string}; encrypt: string};
	const key: UserKey = {enc: Buffer.from(master.encrypt, 'base64'), k: Buffer.from(master.mac.k, 'base64'), r: Buffer.from(master.mac.r, 'base64')};
	const base = JSON.parse(snapshotJson) as Record<string, unknown>;
	return times.map(time => {
		const plaintext = Buffer.from(JSON.stringify({...base, time}));
		const nonce = crypto.randomBytes(16);
		const cipher = crypto.createCipheriv('aes-256-ctr', key.enc, nonce);
		const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
		const file = Buffer.concat([nonce, ciphertext, mac(ciphertext, nonce, key)]);
		const id = crypto.createHash('sha256').update(file).digest('hex');
		writeFileSync(path.join(repoPath, 'snapshots', id), file, {mode: 0o400});
		return id;
	});
}
