/**
 * The World Backup Day drill: check the repository, pick a random file from a random recent snapshot
 * (seeded, so it can be repeated), restore it into a fresh temporary directory, prove it with SHA-256,
 * ask the human checklist, and keep a report. No React: the TUI and `resto drill` drive it.
 */
import {repoKey} from '../model/repo-key.js';
import {createHash} from 'node:crypto';
import {createReadStream, existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {ensurePrivateDir, restoPaths, writePrivateFile} from '../config/paths.js';
import type {Repository} from '../config/config.js';
import type {ResticClient} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import type {Snapshot} from '../restic/parse.js';
import {restorePath} from '../restore/restore.js';
import {makeScratchDir} from '../util/scratch.js';
import {restoVersion} from '../util/version.js';
import {formatBytes} from '../util/format.js';
import {locationLabel, redactLocation} from '../util/redact.js';

export type StepId = 'check' | 'pick' | 'restore' | 'verify' | 'checklist' | 'report';
export type StepStatus = 'pending' | 'running' | 'passed' | 'warning' | 'failed' | 'skipped';

export interface StepResult {
	id: StepId;
	title: string;
	why: string;
	status: StepStatus;
	detail?: string;
	startedAt?: number;
	finishedAt?: number;
}

export const stepInfo: Record<StepId, {title: string; why: string}> = {
	check: {title: 'Check the repository', why: 'restic check verifies the structure (and, optionally, a subset of the data) so damage is found now, not on the day you need a file.'},
	pick: {title: 'Pick a random file', why: 'A random file from a random recent snapshot tests what you did not choose: no cherry-picking the file you know works.'},
	restore: {title: 'Restore it', why: 'restic restore into a fresh temporary directory: the real restore path, nothing on your disk is touched.'},
	verify: {title: 'Prove it', why: 'The SHA-256 of the restored file must equal the SHA-256 of restic dump of the same path, and size and time must match the snapshot.'},
	checklist: {title: 'Human checklist', why: 'Software cannot check that you can reach the backup without this machine: offline credentials, an offsite copy, a restore from another machine.'},
	report: {title: 'Report', why: 'A dated report with hashes lets you (or anyone) re-verify the drill later with restic dump … | sha256sum.'},
};

export const checklistQuestions = [
	{id: 'offline-credentials', text: 'Is the repository password and location kept offline (printed or in a safe), away from this machine?'},
	{id: 'offsite-copy', text: 'Is there an offsite copy (another repository elsewhere) whose latest snapshot is recent?'},
	{id: 'other-machine', text: 'Have you restored from a machine that is not the usual one (a clean machine, with only your printed credentials)?'},
	{id: 'sealed-credentials', text: 'Are the credentials printed and sealed, and would someone you trust find them?'},
] as const;

export type Answer = 'yes' | 'no' | 'not asked';

export {seededRandom} from '../util/random.js';

/** Snapshots taken within the last `months` months (30.44 days each), newest first. */
export function snapshotsInWindow(snapshots: readonly Snapshot[], months: number, now = Date.now()): Snapshot[] {
	const since = now - months * 30.44 * 86_400_000;
	return snapshots.filter(s => s.time >= since && s.time <= now + 86_400_000).sort((a, b) => b.time - a.time);
}

/** Thrown when no snapshot is in the window; carries the older ones the user may pick from instead. */
export class NoSnapshotInWindowError extends Error {
	constructor(
		readonly months: number,
		readonly older: Snapshot[],
		/** Where the advice is read: the TUI names its key, the CLI its flag. */
		surface: 'tui' | 'cli' = 'cli',
	) {
		const wider = older.length === 0 ? 0 : Math.ceil((Date.now() - older[0]!.time) / (30.44 * 86_400_000));
		super(
			older.length === 0
				? `the repository has no snapshots: there is nothing to restore. Run a backup first${surface === 'tui' ? ' (press b on the repositories screen)' : ' (resto backup SET)'}.`
				: `no snapshot in the last ${months} month${months === 1 ? '' : 's'}; the newest is from ${new Date(older[0]!.time).toISOString().slice(0, 10)}. Your backups may have stopped: ${surface === 'tui' ? 'press o' : `pass --months ${wider}`} to drill that one anyway.`,
		);
		this.name = 'NoSnapshotInWindowError';
	}
}

export interface PickedFile {
	snapshot: Snapshot;
	path: string;
	size: number;
	mtime: number;
	/** Regular non-empty files the pick was drawn from. */
	candidates: number;
}

/**
 * Pick a snapshot from the window and a random regular, non-empty file in it, by reservoir sampling
 * over the streamed listing (memory stays flat on huge snapshots). Names that are not valid UTF-8 are
 * skipped: restic cannot address them by path.
 */
export async function pickFile(client: ResticClient, snapshots: readonly Snapshot[], rng: () => number, signal?: AbortSignal): Promise<PickedFile> {
	const order = [...snapshots];
	// Try snapshots in a seeded order until one has a suitable file.
	while (order.length > 0) {
		const snap = order.splice(Math.floor(rng() * order.length), 1)[0]!;
		let chosen: {path: string; size: number; mtime: number} | undefined;
		let seen = 0;
		const r = rng;
		await client.ls(
			snap.id,
			{},
			node => {
				if (node.type !== 'file' || node.size <= 0 || node.path.includes('\ufffd')) return;
				seen++;
				if (r() * seen < 1) chosen = {path: node.path, size: node.size, mtime: node.mtime};
			},
			signal,
		);
		if (chosen) return {snapshot: snap, ...chosen, candidates: seen};
	}
	throw new ResticError('not-found', 'no regular, non-empty file in any snapshot of the window');
}

/**
 * What `restic check --read-data-subset=S` will read, and roughly how long it takes. restic 0.14 check
 * prints no progress when not on a terminal, so this is the only time figure the user gets up front.
 * `totalBytes` is the repository's raw data size; the throughput is an assumption (local disks read
 * faster than remote backends) and is reported with the estimate so nobody mistakes it for a measurement.
 */
export function readDataEstimate(subset: string, totalBytes: number, local: boolean): {bytes: number; seconds: number; bytesPerSecond: number} | undefined {
	const bytesPerSecond = local ? 100e6 : 10e6;
	let bytes: number | undefined;
	const group = /^(\d+)\/(\d+)$/.exec(subset);
	const percent = /^(\d+(?:\.\d+)?)%$/.exec(subset);
	const size = /^(\d+)([KMGT]?)$/.exec(subset);
	if (group && Number(group[2]) > 0) bytes = totalBytes / Number(group[2]);
	else if (percent) bytes = (totalBytes * Math.min(100, Number(percent[1]))) / 100;
	else if (size) bytes = Math.min(totalBytes, Number(size[1]) * 1024 ** ' KMGT'.indexOf(size[2] || ' '));
	if (bytes === undefined || !Number.isFinite(bytes)) return undefined;
	return {bytes: Math.round(bytes), seconds: Math.max(1, Math.round(bytes / bytesPerSecond)), bytesPerSecond};
}

/** Whether a restic repository string names a local directory (no backend prefix). */
export function isLocalRepository(location: string): boolean {
	return location.startsWith('local:') || !/^[a-z0-9]+:/i.test(location);
}

/** SHA-256 of a file on disk (hex). */
export async function sha256File(file: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

/** SHA-256 of `restic dump` of a path, streamed (hex). */
export async function sha256Dump(client: ResticClient, snapshotId: string, file: string, signal?: AbortSignal): Promise<string> {
	const hash = createHash('sha256');
	await client.dump(snapshotId, file, {onChunk: c => hash.update(c), discard: true}, signal);
	return hash.digest('hex');
}

export interface Verification {
	restoredSha256: string;
	dumpSha256: string;
	restoredSize: number;
	expectedSize: number;
	restoredMtime: number;
	expectedMtime: number;
	original: {state: 'matches' | 'differs' | 'changed since' | 'not on this machine'; sha256?: string};
	ok: boolean;
	problems: string[];
}

/** Compare the restored file with restic dump, the snapshot's metadata, and the original if unchanged. */
export async function verifyRestore(client: ResticClient, picked: PickedFile, restoredFile: string, signal?: AbortSignal): Promise<Verification> {
	const st = statSync(restoredFile);
	const [restoredSha256, dumpSha256] = await Promise.all([sha256File(restoredFile), sha256Dump(client, picked.snapshot.id, picked.path, signal)]);
	const problems: string[] = [];
	if (restoredSha256 !== dumpSha256) problems.push('SHA-256 of the restored file differs from restic dump');
	if (st.size !== picked.size) problems.push(`restored size ${st.size} ≠ snapshot size ${picked.size}`);
	// restic restores mtimes; filesystems may round to microseconds.
	if (Math.abs(st.mtimeMs - picked.mtime) > 1) problems.push(`restored mtime ${new Date(st.mtimeMs).toISOString()} ≠ snapshot mtime ${new Date(picked.mtime).toISOString()}`);
	let original: Verification['original'] = {state: 'not on this machine'};
	if (existsSync(picked.path) && lstatSync(picked.path).isFile()) {
		const o = statSync(picked.path);
		if (o.size === picked.size && Math.abs(o.mtimeMs - picked.mtime) <= 1) {
			const sha = await sha256File(picked.path);
			original = {state: sha === dumpSha256 ? 'matches' : 'differs', sha256: sha};
			if (sha !== dumpSha256) problems.push('the original file on this machine has the same size and time but different content (bit rot?)');
		} else original = {state: 'changed since'};
	}
	return {restoredSha256, dumpSha256, restoredSize: st.size, expectedSize: picked.size, restoredMtime: st.mtimeMs, expectedMtime: picked.mtime, original, ok: problems.length === 0, problems};
}

/** Written into every drill temporary directory: removeTemp deletes only a directory holding it. */
const drillMarker = '.resto-drill';
/** Written into a temporary directory kept on request (--keep): no later drill sweeps it away. */
const keptMarker = '.resto-drill-kept';

/** A drill's temporary directory that is not kept: removable once its resto is gone. */
function sweepable(dir: string): boolean {
	return lstatSync(path.join(dir, drillMarker), {throwIfNoEntry: false})?.isFile() === true && !existsSync(path.join(dir, keptMarker));
}

/**
 * A fresh private temporary directory for the restore, marked as the drill's own. The restore goes
 * into its `restore/` sub-folder (new, so restic writes there directly). Named after this process
 * (resto-drill-PID-XXXXXX): a drill whose resto was killed cannot remove its partial restore, so each new
 * drill first removes those of resto processes that are gone.
 */
export function drillTempDir(): string {
	const base = process.env.RESTO_DRILL_TMPDIR || os.tmpdir();
	const dir = makeScratchDir(base, 'resto-drill-', sweepable);
	writeFileSync(path.join(dir, drillMarker), 'temporary restore of a resto drill; removed when the drill ends\n', {mode: 0o600, flag: 'wx'});
	return dir;
}

/** Restore the picked file into `dir` (the real restore path) and return the restored file. */
export async function restorePicked(client: ResticClient, picked: PickedFile, dir: string, signal?: AbortSignal): Promise<string> {
	const result = await restorePath(client, {snapshotId: picked.snapshot.id, path: picked.path, target: path.join(dir, 'restore'), signal});
	return result.restoredPath;
}

/** The drill report (JSON). */
export interface DrillReport {
	version: 1;
	/** `pass-with-warnings`: the file restored and verified, but a checklist answer was "no". */
	verdict: 'pass' | 'pass-with-warnings' | 'fail' | 'aborted';
	failedStep?: StepId;
	reason?: string;
	date: string;
	repository: {name: string; location: string; id?: string};
	snapshot?: {id: string; time: string; host: string; paths: string[]};
	file?: {path: string; size: number; mtime: string};
	hashes?: {restored: string; dump: string; original?: string; originalState: string};
	check?: {ok: boolean; summary: string; readDataSubset?: string; skipped?: boolean; estimate?: {bytes: number; seconds: number; assumedBytesPerSecond: number}};
	seed: number;
	months: number;
	answers: Record<string, Answer>;
	versions: {restic?: string; resto: string};
	host: string;
	durations: Partial<Record<StepId, number>>;
	steps: Array<{id: StepId; status: StepStatus; detail?: string}>;
	reportFiles?: {json: string; markdown: string};
	reverify?: string;
	/** The restored copy, kept on request (`resto drill --keep`); otherwise it was removed with its temporary folder. */
	kept?: string;
}

/** Where drill reports live. */
export function drillsDir(): string {
	return path.join(restoPaths().state, 'drills');
}

/** Quote for sh; names with control characters use bash's $'…' so the command stays one safe line. */
export function shellQuote(s: string): string {
	// eslint-disable-next-line no-control-regex
	if (!/[\x00-\x1f\x7f]/.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
	// eslint-disable-next-line no-control-regex
	return `$'${s.replace(/[\\']/g, c => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

/** The command that re-verifies a report by hand. */
export function reverifyCommand(report: DrillReport): string | undefined {
	if (!report.snapshot || !report.file) return undefined;
	return `restic -r ${shellQuote(report.repository.location)} dump ${report.snapshot.id} ${shellQuote(report.file.path)} | sha256sum`;
}

/** Render the Markdown report; every untrusted string is escaped for display. */
export function reportMarkdown(r: DrillReport): string {
	const esc = (s: string) => JSON.stringify(s).slice(1, -1);
	const lines = [
		`# Restore drill — ${r.repository.name} — ${r.date.slice(0, 10)}`,
		'',
		`**Verdict: ${verdictLabel(r.verdict)}**${r.failedStep ? ` (failed at: ${stepInfo[r.failedStep].title})` : ''}${r.reason ? ` — ${esc(r.reason)}` : ''}`,
		'',
		`- Repository: ${esc(r.repository.name)} (${esc(r.repository.location)})${r.repository.id ? `, id \`${r.repository.id}\`` : ''}`,
		r.snapshot ? `- Snapshot: \`${r.snapshot.id}\` taken ${r.snapshot.time} on ${esc(r.snapshot.host)}` : '- Snapshot: none',
		r.file ? `- File: \`${esc(r.file.path)}\` (${formatBytes(r.file.size)}, modified ${r.file.mtime})` : '- File: none',
		r.hashes
			? `- SHA-256 restored: \`${r.hashes.restored}\`\n- SHA-256 restic dump: \`${r.hashes.dump}\`\n- Original on this machine: ${r.hashes.originalState}${r.hashes.original ? ` (\`${r.hashes.original}\`)` : ''}\n${r.kept ? `- The restored copy was kept (--keep) at \`${esc(r.kept)}\`: delete it when you are done` : r.verdict === 'pass' || r.verdict === 'pass-with-warnings' ? '- The restored copy matched restic dump and was then removed with its temporary folder: the drill leaves nothing behind' : '- The restored copy was removed with its temporary folder'}`
			: '',
		r.check
			? `- restic check: ${r.check.skipped ? 'skipped' : r.check.ok ? 'no errors' : 'FAILED'} (${esc(r.check.summary)})${r.check.readDataSubset ? `, read-data-subset ${r.check.readDataSubset}` : ''}${r.check.estimate ? ` (estimated ${formatBytes(r.check.estimate.bytes)}, ~${r.check.estimate.seconds} s at an assumed ${formatBytes(r.check.estimate.assumedBytesPerSecond)}/s)` : ''}`
			: '',
		`- Seed: ${r.seed} (window: ${r.months} months) — the same seed picks the same file`,
		`- Host: ${esc(r.host)}; restic ${r.versions.restic ?? '?'}; resto ${r.versions.resto}`,
		'',
		'## Steps',
		'',
		...r.steps.map(s => `- ${stepInfo[s.id].title}: **${s.status}**${s.detail ? ` — ${esc(s.detail)}` : ''}${r.durations[s.id] !== undefined ? ` (${(r.durations[s.id]! / 1000).toFixed(1)} s)` : ''}`),
		'',
		'## Checklist',
		'',
		...checklistQuestions.map(q => `- ${q.text} **${r.answers[q.id] ?? 'not asked'}**`),
		'',
		r.reverify ? `## Re-verify by hand\n\n\`\`\`sh\n${r.reverify}\n\`\`\`\n\nThe output must be \`${r.hashes?.dump ?? ''}\`.` : '',
		'',
	];
	return (
		lines
			.filter(l => l !== '')
			.join('\n')
			.replace(/\n## /g, '\n\n## ')
			.replace(/\n- /g, '\n- ') + '\n'
	);
}

/** Write both report files (0600 in a 0700 directory) and return their paths. */
export function writeReport(report: DrillReport): {json: string; markdown: string} {
	const dir = ensurePrivateDir(drillsDir());
	// The name may be a location (zero-config repositories): never let its credentials into a file name.
	const safeName = locationLabel(report.repository.name) || 'repository';
	const stamp = report.date.replace(/[:]/g, '').replace(/\..*$/, '');
	// The id in the name keeps two repositories that share a name (two "default"s) apart on disk too.
	const stem = `${stamp}-${safeName}${report.repository.id ? `-${report.repository.id.slice(0, 8)}` : ''}`;
	let base = path.join(dir, stem);
	for (let i = 2; existsSync(`${base}.json`); i++) base = path.join(dir, `${stem}-${i}`);
	const files = {json: `${base}.json`, markdown: `${base}.md`};
	// Redacted once more here, as the last stop before the disk: whatever built the report, no credential is stored.
	const full = {...report, repository: {...report.repository, name: redactLocation(report.repository.name), location: redactLocation(report.repository.location)}, reportFiles: files};
	writePrivateFile(files.json, `${JSON.stringify(full, null, 2)}\n`);
	writePrivateFile(files.markdown, reportMarkdown(full));
	return files;
}

/** Past drills, newest first (unreadable files are skipped). */
export function drillHistory(dir = drillsDir()): DrillReport[] {
	let names: string[];
	try {
		names = readdirSync(dir).filter(n => n.endsWith('.json'));
	} catch {
		return [];
	}
	const out: DrillReport[] = [];
	for (const n of names) {
		try {
			out.push(JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as DrillReport);
		} catch {
			// a damaged report is not history
		}
	}
	return out.sort((a, b) => b.date.localeCompare(a.date));
}

/**
 * Split the history by repository id. Reports without an id (the drill failed before restic answered
 * `cat config`, or they were written by name only) belong to no repository: they are listed in the
 * history, never counted as some repository's last drill.
 */
export function attributeHistory(history: readonly DrillReport[]): {byId: Map<string, DrillReport[]>; unattributed: DrillReport[]} {
	const byId = new Map<string, DrillReport[]>();
	const unattributed: DrillReport[] = [];
	for (const r of history) {
		const id = r.repository?.id;
		if (typeof id === 'string' && /^[0-9a-f]{64}$/.test(id) && typeof r.repository.location === 'string') {
			// Keyed by id and location: a copy of a repository (same id, other storage) has a history of its own.
			const key = repoKey(id, r.repository.location);
			const list = byId.get(key);
			if (list) list.push(r);
			else byId.set(key, [r]);
		} else unattributed.push(r);
	}
	return {byId, unattributed};
}

/** The newest drill of one repository (id and location), never one of another repository with the same name or id. */
export function lastDrill(repoId: string | undefined, location: string, history = drillHistory()): DrillReport | undefined {
	if (!repoId) return undefined;
	const key = repoKey(repoId, location);
	return history.find(r => r.repository?.id === repoId && typeof r.repository.location === 'string' && repoKey(r.repository.id, r.repository.location) === key);
}

/**
 * The reminder for a repository, or undefined: when its last passed drill is older than a year, or
 * March 31 (World Backup Day) is within 14 days and this year's drill is not done. `history` holds this
 * repository's drills only (RepoModelState.drills); while its id is unknown there is no reminder, since
 * no drill can be attributed to it yet.
 */
export function drillReminder(repo: {label: string; id?: string}, now: Date, history: readonly DrillReport[]): string | undefined {
	if (!repo.id) return undefined;
	const repoName = repo.label;
	const own = history.filter(r => r.repository?.id === repo.id);
	const newest = own[0];
	// A failed last drill outranks every reminder: it is news about the repository (a missing pack lists fine).
	if (newest?.verdict === 'fail') {
		const why = (newest.reason ?? '').split(/(?<=[.;])\s/)[0]!.replace(/[;.]$/, '');
		const short = why.length > 140 ? `${why.slice(0, 139)}…` : why;
		return `${repo.label}'s last restore drill FAILED on ${newest.date.slice(0, 10)}${newest.failedStep ? ` at "${stepInfo[newest.failedStep].title}"` : ''}${short ? `: ${short}` : ''} (H: report, d: drill again).`;
	}
	const passed = own.filter(r => restored(r.verdict));
	const last = passed[0];
	const year = now.getFullYear();
	const backupDay = new Date(year, 2, 31, 12);
	const days = (backupDay.getTime() - now.getTime()) / 86_400_000;
	const doneThisYear = passed.some(r => new Date(r.date).getFullYear() === year);
	if (days >= -1 && days <= 14 && !doneThisYear) {
		return `World Backup Day (March 31) is ${days < 0.5 ? 'today' : `in ${Math.ceil(days)} days`}: run this year's restore drill for ${repoName} (press d).`;
	}
	if (!last) return `${repoName} has never passed a restore drill: a backup you cannot restore from is worthless (press d).`;
	if (now.getTime() - new Date(last.date).getTime() > 365 * 86_400_000) {
		return `${repoName}'s last passed restore drill was on ${last.date.slice(0, 10)}, over a year ago (press d).`;
	}
	return undefined;
}

/** Mark a drill's temporary directory as kept (--keep): the user deletes it, not a later drill. */
export function markKept(dir: string): void {
	writeFileSync(path.join(dir, keptMarker), 'kept on request (resto drill --keep): delete this folder when you are done\n', {mode: 0o600});
}

/**
 * Remove the drill's temporary directory (and everything in it), only if it is one drillTempDir made:
 * a real directory (not a link) holding the drill's marker.
 */
export function removeTemp(dir: string | undefined): void {
	if (!dir) return;
	const st = lstatSync(dir, {throwIfNoEntry: false});
	if (!st?.isDirectory() || !lstatSync(path.join(dir, drillMarker), {throwIfNoEntry: false})?.isFile()) return;
	rmSync(dir, {recursive: true, force: true});
}

export const versions = {resto: restoVersion};
export type {Repository};

/** A verdict as people read it: PASS, PASS WITH WARNINGS, FAIL, ABORTED. */
export function verdictLabel(verdict: DrillReport['verdict']): string {
	return verdict.replaceAll('-', ' ').toUpperCase();
}

/** Whether a drill proved that the backup restores (a "no" in the checklist still restored the file). */
export function restored(verdict: DrillReport['verdict']): boolean {
	return verdict === 'pass' || verdict === 'pass-with-warnings';
}
