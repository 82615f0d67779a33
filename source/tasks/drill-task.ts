/**
 * Runs a drill step by step, outside React. Interactive mode pauses after the pick (re-roll or go on)
 * and asks the checklist; non-interactive mode (resto drill) records "not asked". Aborting stops
 * restic, removes the temporary restore, and still writes a report that says "aborted".
 */
import os from 'node:os';
import {
	checklistQuestions,
	drillTempDir,
	isLocalRepository,
	NoSnapshotInWindowError,
	pickFile,
	readDataEstimate,
	markKept,
	removeTemp,
	restorePicked,
	reverifyCommand,
	seededRandom,
	snapshotsInWindow,
	stepInfo,
	verifyRestore,
	versions,
	writeReport,
	type Answer,
	type DrillReport,
	type PickedFile,
	type StepId,
	type StepResult,
	type Verification,
	restored,
} from '../drill/drill.js';
import type {Repository} from '../config/config.js';
import type {ResticClient} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import {Observable} from '../store/store.js';
import {formatBytes, formatDuration} from '../util/format.js';
import {canonicalLocation} from '../model/repo-key.js';

export interface DrillOptions {
	seed?: number;
	months?: number;
	readDataSubset?: string;
	skipCheck?: boolean;
	interactive?: boolean;
	/** Ask the checklist (answer()) without pausing after the pick: `resto drill` on a terminal. */
	askChecklist?: boolean;
	/** Keep the restored copy (its temporary folder) instead of removing it; the report points to it. */
	keep?: boolean;
	/** Test hook: runs between pick and restore (e.g. a concurrent forget). */
	afterPick?: (picked: PickedFile) => Promise<void>;
}

export interface DrillState {
	steps: StepResult[];
	phase: 'ready' | 'running' | 'await-pick' | 'await-answer' | 'finished';
	seed: number;
	picked?: PickedFile;
	verification?: Verification;
	answers: Record<string, Answer>;
	question?: (typeof checklistQuestions)[number];
	checkLines: string[];
	report?: DrillReport;
	reportFiles?: {json: string; markdown: string};
}

const order: StepId[] = ['check', 'pick', 'restore', 'verify', 'checklist', 'report'];

class Aborted extends Error {}

export class DrillTask extends Observable<DrillState> {
	private readonly controller = new AbortController();
	private resume: ((value: 'continue' | 'reroll' | Answer) => void) | undefined;
	private temp: string | undefined;
	private readonly started = new Map<StepId, number>();

	constructor(
		readonly repo: Repository,
		private readonly client: ResticClient,
		private readonly options: DrillOptions = {},
	) {
		const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
		super({
			steps: order.map(id => ({id, ...stepInfo[id], status: 'pending'})),
			phase: 'ready',
			seed,
			answers: Object.fromEntries(checklistQuestions.map(q => [q.id, 'not asked'])) as Record<string, Answer>,
			checkLines: [],
		});
	}

	private patch(p: Partial<DrillState>): void {
		this.set({...this.getSnapshot(), ...p});
	}

	private step(id: StepId, status: StepResult['status'], detail?: string): void {
		// A second 'running' (a new detail) is the same run of the step: keep its start time.
		if (status === 'running' && this.getSnapshot().steps.find(s => s.id === id)?.status !== 'running') this.started.set(id, Date.now());
		const steps = this.getSnapshot().steps.map(s => (s.id === id ? {...s, status, detail: detail ?? s.detail, startedAt: this.started.get(id) ?? s.startedAt, finishedAt: status === 'running' ? undefined : Date.now()} : s));
		this.patch({steps});
	}

	/** Stop the drill: restic is interrupted, temporary files removed, the report says "aborted". */
	abort(): void {
		this.controller.abort();
		this.resume?.('continue');
	}

	/** Interactive: continue after the pick, or re-roll. */
	choosePick(choice: 'continue' | 'reroll'): void {
		if (this.getSnapshot().phase === 'await-pick') this.resume?.(choice);
	}

	/** Interactive: answer the current checklist question. */
	answer(answer: 'yes' | 'no'): void {
		if (this.getSnapshot().phase === 'await-answer') this.resume?.(answer);
	}

	private wait<T extends 'continue' | 'reroll' | Answer>(phase: DrillState['phase']): Promise<T> {
		this.patch({phase});
		return new Promise<T>(resolve => {
			this.resume = value => {
				this.resume = undefined;
				this.patch({phase: 'running'});
				resolve(value as T);
			};
		});
	}

	private checkAbort(): void {
		if (this.controller.signal.aborted) throw new Aborted('aborted');
	}

	/** Run the drill to the end; always resolves with the (written) report. */
	async run(): Promise<DrillReport> {
		const signal = this.controller.signal;
		const months = this.options.months ?? 3;
		let failedStep: StepId | undefined;
		let reason: string | undefined;
		let verdict: DrillReport['verdict'] = 'pass';
		let restoredPath: string | undefined;
		let kept: string | undefined;
		let current: StepId = 'check';
		let repoId: string | undefined;
		let check: DrillReport['check'];
		let resticVersion: string | undefined;
		this.patch({phase: 'running'});
		try {
			resticVersion = (await this.client.version(signal)).version;
			repoId = await this.client.repoId(signal).catch(() => undefined);
			// 1. Integrity.
			current = 'check';
			if (this.options.skipCheck) {
				this.step('check', 'skipped', 'skipped on request');
				check = {ok: true, summary: 'skipped', skipped: true};
			} else {
				const subset = this.options.readDataSubset;
				this.step('check', 'running', subset ? `restic check --read-data-subset=${subset}` : `restic check (structure only; ${this.options.interactive ? 'set drill.readDataSubset in the config' : 'pass --read-data-subset'} to read data too)`);
				let estimate: NonNullable<DrillReport['check']>['estimate'];
				if (subset) {
					// The raw data size turns the subset into bytes; without it the check still runs, unestimated.
					const raw = await this.client.stats({mode: 'raw-data'}, signal).catch(() => undefined);
					const e = raw ? readDataEstimate(subset, raw.totalSize, isLocalRepository(this.repo.access.repository)) : undefined;
					if (e) {
						estimate = {bytes: e.bytes, seconds: e.seconds, assumedBytesPerSecond: e.bytesPerSecond};
						this.step('check', 'running', `restic check --read-data-subset=${subset}: reads about ${formatBytes(e.bytes)} of ${formatBytes(raw!.totalSize)}, roughly ${formatDuration(e.seconds)} at an assumed ${formatBytes(e.bytesPerSecond)}/s`);
					}
					this.checkAbort();
				}
				const result = await this.client.check({readDataSubset: subset}, line => this.patch({checkLines: [...this.getSnapshot().checkLines.slice(-20), line]}), signal);
				check = {ok: result.ok, summary: result.summary, readDataSubset: subset, estimate};
				if (!result.ok) throw new StepFailure('check', `restic check found problems: ${result.errors.slice(0, 3).join('; ') || result.summary}${result.advice ? `. ${result.advice}` : ''}`);
				this.step('check', 'passed', result.summary);
			}
			this.checkAbort();
			// 2. Pick (seeded; re-rolls move to the next seed).
			current = 'pick';
			let picked: PickedFile;
			for (;;) {
				this.step('pick', 'running', `seed ${this.getSnapshot().seed}, snapshots of the last ${months} months`);
				const all = await this.client.snapshots({}, signal);
				const window = snapshotsInWindow(all, months);
				if (window.length === 0)
					throw new StepFailure(
						'pick',
						new NoSnapshotInWindowError(
							months,
							[...all].sort((a, b) => b.time - a.time),
							this.options.interactive ? 'tui' : 'cli',
						).message,
					);
				picked = await pickFile(this.client, window, seededRandom(this.getSnapshot().seed), signal);
				this.patch({picked});
				this.step('pick', 'passed', `${picked.path} (${formatBytes(picked.size)}) from snapshot ${picked.snapshot.shortId} of ${new Date(picked.snapshot.time).toISOString().slice(0, 10)}, one of ${picked.candidates} files`);
				if (!this.options.interactive) break;
				const choice = await this.wait<'continue' | 'reroll'>('await-pick');
				this.checkAbort();
				if (choice === 'continue') break;
				this.patch({seed: this.getSnapshot().seed + 1});
			}
			await this.options.afterPick?.(picked);
			// 3. Restore into a fresh temporary directory.
			current = 'restore';
			this.step('restore', 'running', 'restic restore into a temporary directory');
			this.temp = drillTempDir();
			let restored: string;
			try {
				restored = await restorePicked(this.client, picked, this.temp, signal);
				restoredPath = restored;
			} catch (error) {
				// restic stopped by a signal to resto (or by hand) is an abort, not a restore that failed.
				if (signal.aborted || (error instanceof ResticError && error.kind === 'canceled')) throw error;
				throw new StepFailure('restore', (error as Error).message);
			}
			this.step('restore', 'passed', `restored to ${restored}`);
			this.checkAbort();
			// 4. Verify.
			current = 'verify';
			this.step('verify', 'running', 'SHA-256 of the restored file and of restic dump');
			const verification = await verifyRestore(this.client, picked, restored, signal);
			this.patch({verification});
			if (!verification.ok) throw new StepFailure('verify', verification.problems.join('; '));
			this.step('verify', 'passed', `SHA-256 ${verification.dumpSha256.slice(0, 16)}… matches; original: ${verification.original.state}`);
			// 5. Checklist.
			current = 'checklist';
			if (this.options.interactive || this.options.askChecklist) {
				this.step('checklist', 'running');
				for (const q of checklistQuestions) {
					this.patch({question: q});
					const a = await this.wait<Answer>('await-answer');
					this.checkAbort();
					this.patch({answers: {...this.getSnapshot().answers, [q.id]: a}});
				}
				this.patch({question: undefined});
				const noes = Object.values(this.getSnapshot().answers).filter(a => a === 'no').length;
				// A "no" is a finding: the restore worked, the human side did not; never a plain pass.
				if (noes > 0) verdict = 'pass-with-warnings';
				this.step('checklist', noes ? 'warning' : 'passed', noes ? `${noes} ${noes === 1 ? 'answer was' : 'answers were'} "no": see the report` : 'all yes');
			} else {
				this.step('checklist', 'skipped', 'not asked (non-interactive)');
			}
		} catch (error) {
			if (error instanceof Aborted || signal.aborted || (error instanceof ResticError && error.kind === 'canceled')) {
				verdict = 'aborted';
				reason = 'aborted by the user';
				failedStep = current;
				this.step(current, 'failed', 'aborted');
			} else {
				verdict = 'fail';
				failedStep = error instanceof StepFailure ? error.stepId : current;
				reason = (error as Error).message;
				this.step(failedStep, 'failed', reason);
			}
		} finally {
			// --keep keeps what was restored (also after a failed verification: that copy is the evidence).
			if (this.options.keep && restoredPath && this.temp) {
				kept = restoredPath;
				markKept(this.temp);
			} else removeTemp(this.temp);
			this.temp = undefined;
		}
		// 6. Report (always, also for failures and aborts).
		const s = this.getSnapshot();
		const durations: DrillReport['durations'] = {};
		for (const st of s.steps) if (st.startedAt && st.finishedAt) durations[st.id] = st.finishedAt - st.startedAt;
		const report: DrillReport = {
			version: 1,
			verdict,
			failedStep,
			reason,
			date: new Date().toISOString(),
			repository: {name: this.repo.name, location: canonicalLocation(this.repo.access.repository), id: repoId},
			snapshot: s.picked ? {id: s.picked.snapshot.id, time: new Date(s.picked.snapshot.time).toISOString(), host: s.picked.snapshot.hostname, paths: s.picked.snapshot.paths} : undefined,
			file: s.picked ? {path: s.picked.path, size: s.picked.size, mtime: new Date(s.picked.mtime).toISOString()} : undefined,
			hashes: s.verification ? {restored: s.verification.restoredSha256, dump: s.verification.dumpSha256, original: s.verification.original.sha256, originalState: s.verification.original.state} : undefined,
			check,
			seed: s.seed,
			months,
			answers: s.answers,
			versions: {restic: resticVersion, resto: versions.resto},
			host: os.hostname(),
			durations,
			steps: [],
			kept,
		};
		report.reverify = reverifyCommand(report);
		this.step('report', 'running');
		try {
			const files = writeReport({...report, steps: this.getSnapshot().steps.map(x => ({id: x.id, status: x.id === 'report' ? 'passed' : x.status, detail: x.detail}))});
			report.reportFiles = files;
			this.step('report', 'passed', files.markdown);
		} catch (error) {
			this.step('report', 'failed', `could not write the report: ${(error as Error).message}`);
			if (restored(verdict)) {
				report.verdict = 'fail';
				report.failedStep = 'report';
				report.reason = (error as Error).message;
			}
		}
		report.steps = this.getSnapshot().steps.map(x => ({id: x.id, status: x.status, detail: x.detail}));
		this.patch({phase: 'finished', report, reportFiles: report.reportFiles});
		return report;
	}
}

class StepFailure extends Error {
	constructor(
		readonly stepId: StepId,
		message: string,
	) {
		super(message);
	}
}
