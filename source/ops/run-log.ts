/**
 * The run log: one JSON line per non-interactive backup, check, forget, prune and copy, in
 * <XDG state>/resto/runs/<repository id>.jsonl (0600). A repository that cannot be reached has no id at
 * that moment: its runs go under the id last seen for its location (aliases.json), so a failed scheduled
 * run still shows up beside the good ones. Repository strings are never written (they may hold credentials).
 */
import {createHash} from 'node:crypto';
import {appendFileSync, chmodSync, existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {ensurePrivateDir, restoPaths, writePrivateFile} from '../config/paths.js';

export type RunOp = 'backup' | 'check' | 'forget' | 'prune' | 'copy';
export type RunResult = 'ok' | 'partial' | 'failed' | 'canceled' | 'skipped';

/** One line of the run log. */
export interface RunRecord {
	v: 1;
	op: RunOp;
	/** The configured repository name (never the repository string). */
	repository: string;
	repositoryId?: string;
	set?: string;
	/** For copies: the copy's name. */
	copy?: string;
	start: string;
	end: string;
	result: RunResult;
	exitCode: number;
	snapshot?: string;
	bytesAdded?: number;
	errors: string[];
	/** Started by a timer/cron (--unattended), not by a person at a terminal. */
	unattended: boolean;
	message?: string;
}

function runsDir(): string {
	return path.join(restoPaths().state, 'runs');
}

/** A stable key for a repository location that never reveals it. */
export function locationKey(repository: string): string {
	return `loc-${createHash('sha256').update(repository).digest('hex').slice(0, 24)}`;
}

function aliasesFile(): string {
	return path.join(runsDir(), 'aliases.json');
}

function readAliases(): Record<string, string> {
	try {
		const data: unknown = JSON.parse(readFileSync(aliasesFile(), 'utf8'));
		return data && typeof data === 'object' ? (data as Record<string, string>) : {};
	} catch {
		return {};
	}
}

/** Remember which repository id lives at a location (so a later unreachable run files under it). */
export function rememberRepositoryId(repository: string, id: string): void {
	if (!/^[0-9a-f]{64}$/.test(id)) return;
	const aliases = readAliases();
	const key = locationKey(repository);
	if (aliases[key] === id) return;
	aliases[key] = id;
	writePrivateFile(aliasesFile(), `${JSON.stringify(aliases, null, 2)}\n`);
}

/** The id last seen at a location, if any. */
export function knownRepositoryId(repository: string): string | undefined {
	return readAliases()[locationKey(repository)];
}

/** The log key for a repository: its id, else the id last seen at its location, else a location key. */
export function logKey(repository: string, id: string | undefined): string {
	return id ?? knownRepositoryId(repository) ?? locationKey(repository);
}

/** Append one record (0600 file in a 0700 directory). */
export function appendRun(key: string, record: RunRecord): string {
	if (!/^(?:[0-9a-f]{64}|loc-[0-9a-f]{24})$/.test(key)) throw new TypeError(`not a run-log key: ${key}`);
	const dir = ensurePrivateDir(runsDir());
	const file = path.join(dir, `${key}.jsonl`);
	const line = `${JSON.stringify({...record, errors: record.errors.slice(0, 20).map(e => e.slice(0, 500))})}\n`;
	appendFileSync(file, line, {mode: 0o600});
	chmodSync(file, 0o600);
	return file;
}

/** Parse run-log text, skipping lines that are not records (a torn last line after a crash). */
export function parseRunLog(text: string): RunRecord[] {
	const out: RunRecord[] = [];
	for (const line of text.split('\n')) {
		if (!line.trim()) continue;
		try {
			const r = JSON.parse(line) as RunRecord;
			if (r && r.v === 1 && typeof r.op === 'string' && typeof r.start === 'string') out.push(r);
		} catch {
			// A partial line is what a crash mid-write leaves; the next append starts a new line.
		}
	}
	return out;
}

/** Every record for a repository (by id and, if it never answered, by location). Oldest first. */
export function readRuns(repository: string, id?: string): RunRecord[] {
	const keys = new Set([logKey(repository, id), locationKey(repository)]);
	if (id) keys.add(id);
	const records: RunRecord[] = [];
	for (const key of keys) {
		const file = path.join(runsDir(), `${key}.jsonl`);
		if (existsSync(file)) records.push(...parseRunLog(readFileSync(file, 'utf8')));
	}
	return records.sort((a, b) => a.start.localeCompare(b.start));
}

/** The newest record matching a filter. */
export function lastRun(
	records: readonly RunRecord[],
	filter: {
		op?: RunOp;
		set?: string;
		copy?: string;
		unattended?: boolean;
	} = {},
): RunRecord | undefined {
	for (let i = records.length - 1; i >= 0; i--) {
		const r = records[i]!;
		if (filter.op && r.op !== filter.op) continue;
		if (filter.set && r.set !== filter.set) continue;
		if (filter.copy && r.copy !== filter.copy) continue;
		if (filter.unattended !== undefined && r.unattended !== filter.unattended) continue;
		return r;
	}
	return undefined;
}

/** Map an exit code to a run result. */
export function resultOf(exitCode: number): RunResult {
	if (exitCode === 0) return 'ok';
	if (exitCode === 3) return 'partial';
	if (exitCode === 130) return 'canceled';
	return 'failed';
}
