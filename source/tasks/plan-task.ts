/**
 * The plan screen's work outside React: where each marked item would go and what it would replace,
 * then one run of the whole plan with progress and a per-item report.
 */
import type {ResticClient} from '../restic/client.js';
import {previewPlan, runRestorePlan, type PlanPreviewItem, type PlanProgress, type PlanRunResult} from '../restore/plan-restore.js';
import {defaultPlanTarget, restoreRoot} from '../restore/target.js';
import {Observable} from '../store/store.js';
import type {RestorePlan} from '../union/plan.js';

export interface PlanTaskState {
	phase: 'idle' | 'previewing' | 'ready' | 'running' | 'done' | 'error';
	target: string;
	preview: PlanPreviewItem[];
	progress?: PlanProgress;
	result?: PlanRunResult;
	error?: string;
}

/** The default folder of a plan run: new, below the configured restoreTarget or ~/resto-restore. */
export function planTarget(configured?: string): string {
	return defaultPlanTarget({root: restoreRoot(configured)});
}

export class PlanTask extends Observable<PlanTaskState> {
	private controller: AbortController | undefined;
	private lastProgress = 0;

	constructor(
		private readonly client: ResticClient,
		target = defaultPlanTarget(),
	) {
		super({phase: 'idle', target, preview: []});
	}

	private patch(p: Partial<PlanTaskState>): void {
		this.set({...this.getSnapshot(), ...p});
	}

	/** Work out destinations and conflicts (newest request wins). */
	async preview(plan: RestorePlan): Promise<void> {
		this.controller?.abort();
		const c = new AbortController();
		this.controller = c;
		if (plan.items.length === 0) return this.patch({phase: 'ready', preview: []});
		this.patch({phase: 'previewing'});
		try {
			const preview = await previewPlan(this.client, plan, {target: this.getSnapshot().target, signal: c.signal});
			if (!c.signal.aborted) this.patch({phase: 'ready', preview});
		} catch (error) {
			if (!c.signal.aborted) this.patch({phase: 'error', error: (error as Error).message});
		}
	}

	/** Restore the whole plan; progress at most 10 times a second. */
	async run(plan: RestorePlan, overwrite: boolean): Promise<PlanRunResult | undefined> {
		this.controller?.abort();
		const c = new AbortController();
		this.controller = c;
		this.patch({phase: 'running', progress: undefined, result: undefined, error: undefined});
		try {
			const result = await runRestorePlan(this.client, plan, {
				target: this.getSnapshot().target,
				overwrite,
				signal: c.signal,
				onProgress: p => {
					const now = Date.now();
					if (p.phase !== 'done' && now - this.lastProgress < 100) return;
					this.lastProgress = now;
					this.patch({progress: p});
				},
			});
			this.patch({phase: 'done', result});
			return result;
		} catch (error) {
			this.patch({phase: 'error', error: (error as Error).message});
			return undefined;
		}
	}

	cancel(): void {
		this.controller?.abort();
	}

	get running(): boolean {
		return this.getSnapshot().phase === 'running';
	}
}
