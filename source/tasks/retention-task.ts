/**
 * The restic runs behind the retention screen: restic's own `forget --dry-run` as a cross-check of the
 * simulation, the prune estimate, and applying the policy. No React.
 *
 * restic 0.14's `prune --dry-run` takes an exclusive lock (`--no-lock` is ignored there), so while it
 * runs a forget, a check or a timer's backup is refused. The estimate therefore runs as a tracked task
 * scoped to the screen: a newer policy, applying the policy or leaving the screen stops it with SIGINT
 * (restic removes its lock) and everything that needs the repository waits until restic has exited.
 */
import type {Repository} from '../config/config.js';
import {estimateReclaim, resticForgetDryRun} from '../ops/retention-run.js';
import type {PolicyResult, RetentionPolicy} from '../ops/retention.js';
import type {ResticClient} from '../restic/client.js';
import type {AppStore} from '../store/app-store.js';
import {runTask} from './task-tracker.js';

/** What restic's own dry run said of the simulated policy. */
export type CrossCheck = {state: 'checking' | 'agrees' | 'differs' | 'error'; message?: string};

/** Callbacks of one cross-check run (never called after the run was stopped). */
export interface CrossCheckListener {
	verdict: (check: CrossCheck) => void;
	/** The prune estimate is running (true) or finished (false). */
	estimating: (running: boolean) => void;
	reclaim: (bytes: number) => void;
}

/**
 * One screen's restic runs, one at a time: starting a new cross-check or applying first stops the
 * running one and waits for its restic to exit.
 */
export class RetentionRuns {
	private current: {controller: AbortController; done: Promise<void>} | undefined;
	private readonly scope = new AbortController();

	constructor(
		private readonly store: AppStore,
		private readonly repo: Repository,
	) {}

	/** Stop the running cross-check (SIGINT to restic) and resolve once restic has exited and unlocked. */
	async stop(): Promise<void> {
		const running = this.current;
		if (!running) return;
		running.controller.abort();
		await running.done;
		if (this.current === running) this.current = undefined;
	}

	/** The screen was left: stop what runs, start nothing more. */
	dispose(): Promise<void> {
		this.scope.abort();
		return this.stop();
	}

	/**
	 * restic's `forget --dry-run` for `policy` (no lock: it changes nothing), compared with resto's
	 * `result`; then, when they agree and something would go, the prune estimate.
	 */
	crossCheck(policy: RetentionPolicy, result: PolicyResult, allIds: readonly string[], listener: CrossCheckListener): void {
		if (this.scope.signal.aborted) return;
		const previous = this.current;
		const controller = new AbortController();
		const live = () => !controller.signal.aborted && !this.scope.signal.aborted;
		previous?.controller.abort();
		const done = (async () => {
			await previous?.done;
			if (!live()) return;
			listener.verdict({state: 'checking'});
			try {
				await runTask(
					this.store,
					'retention: restic dry run, prune estimate',
					async signal => {
						const theirs = await resticForgetDryRun(this.repo, policy, signal);
						if (!live()) return;
						const same = theirs.remove.length === result.remove.length && theirs.remove.every(id => result.remove.includes(id));
						listener.verdict(same ? {state: 'agrees'} : {state: 'differs', message: `restic's forget --dry-run removes ${theirs.remove.length}, resto's simulation ${result.remove.length}: not applied`});
						if (!same || result.remove.length === 0) return;
						listener.estimating(true);
						try {
							const bytes = await estimateReclaim(this.repo, allIds, result.remove, signal);
							if (live()) listener.reclaim(bytes);
						} finally {
							if (live()) listener.estimating(false);
						}
					},
					AbortSignal.any([controller.signal, this.scope.signal]),
				);
			} catch (error) {
				if (live()) listener.verdict({state: 'error', message: (error as Error).message.split('\n')[0]});
			}
		})();
		this.current = {controller, done};
	}

	/**
	 * Forget `ids` once the running cross-check has stopped (its prune estimate would hold the exclusive
	 * lock forget needs). A tracked task: quitting waits for restic. False when it was stopped.
	 */
	async forget(client: ResticClient, ids: readonly string[]): Promise<boolean> {
		await this.stop();
		const done = await runTask(this.store, `forgetting ${ids.length} snapshots`, async signal => {
			await client.forget(ids, signal);
			return true;
		});
		return done === true;
	}
}
