/**
 * State of the retention screen: the policy (from the config, editable as restic flags), the simulated
 * keep/remove of every snapshot with reasons, restic's own dry run as a cross-check, the bytes a prune
 * would free, and applying it after the repository name is typed in full.
 */
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {useRepoModel} from '../../hooks/use-repos.js';
import {refusalReason, simulateForget, type PolicyResult, type RetentionPolicy} from '../../ops/retention.js';
import {policyFlagsText, policyFromFlagsText} from '../../ops/retention-run.js';
import {RetentionRuns, type CrossCheck} from '../../tasks/retention-task.js';

/** A row of the timeline: a month heading or a snapshot with its verdict. */
export type RetentionRow =
	| {kind: 'month'; label: string; keep: number; remove: number}
	| {
			kind: 'snapshot';
			id: string;
			time: number;
			host: string;
			tags: string[];
			keep: boolean;
			reasons: string[];
	  };

/** Timeline rows, newest first, with a heading per month (calendar view of the verdicts). */
export function retentionRows(
	result: PolicyResult,
	snapshots: ReadonlyArray<{
		id: string;
		time: number;
		hostname: string;
		tags: string[];
	}>,
): RetentionRow[] {
	const kept = new Map(result.groups.flatMap(g => g.keep.map(k => [k.id, k.reasons] as const)));
	const removed = new Set(result.remove);
	const rows: RetentionRow[] = [];
	let month: Extract<RetentionRow, {kind: 'month'}> | undefined;
	for (const s of [...snapshots].sort((a, b) => b.time - a.time)) {
		if (!kept.has(s.id) && !removed.has(s.id)) continue;
		const d = new Date(s.time);
		const label = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
		if (month?.label !== label) rows.push((month = {kind: 'month', label, keep: 0, remove: 0}));
		const keep = kept.has(s.id);
		if (keep) month.keep++;
		else month.remove++;
		rows.push({
			kind: 'snapshot',
			id: s.id,
			time: s.time,
			host: s.hostname,
			tags: s.tags,
			keep,
			reasons: kept.get(s.id) ?? [],
		});
	}
	return rows;
}

const fallbackPolicy: RetentionPolicy = {keepLast: 4, keepYearly: 4};

export function useRetentionScreen(repoName: string) {
	const {repo, clientFor, store} = useContext(AppContext);
	const {model, state, gone} = useRepoModel(repoName);
	const repository = repo(repoName);
	const configured = repository?.ops?.retention;
	const [policyText, setPolicyText] = useState(policyFlagsText(configured ?? fallbackPolicy));
	const [draft, setDraft] = useState<string | undefined>(undefined);
	const [confirmName, setConfirmName] = useState<string | undefined>(undefined);
	// Each answer of restic is kept with the simulation it checked: a verdict (or estimate) for an earlier
	// policy never shows, nor lets apply go ahead, for the current one.
	const [verdict, setVerdict] = useState<{for?: PolicyResult; check: CrossCheck}>({check: {state: 'checking'}});
	const [estimate, setEstimate] = useState<{for?: PolicyResult; running: boolean; bytes?: number}>({running: false});
	const [busy, setBusy] = useState(false);
	const snapshots = state?.snapshots.data;

	useEffect(() => {
		if (model && !model.getSnapshot().snapshots.data) void model.loadSnapshots();
	}, [model]);

	const parsed = useMemo((): {policy?: RetentionPolicy; error?: string} => {
		try {
			return {policy: policyFromFlagsText(policyText)};
		} catch (error) {
			return {error: (error as Error).message};
		}
	}, [policyText]);
	const result = useMemo(() => (parsed.policy && snapshots ? simulateForget(snapshots, parsed.policy) : undefined), [parsed.policy, snapshots]);
	const rows = useMemo(() => (result && snapshots ? retentionRows(result, snapshots) : []), [result, snapshots]);
	const refused = result ? refusalReason(result) : undefined;
	const restic: CrossCheck = result && verdict.for === result ? verdict.check : {state: 'checking'};
	const reclaim = result && estimate.for === result ? estimate.bytes : undefined;
	const estimating = result !== undefined && estimate.for === result && estimate.running;

	// restic's own dry run and the prune estimate, newest policy wins. One runner per screen: leaving the
	// screen stops its restic (the prune estimate holds restic 0.14's exclusive lock).
	const runs = useMemo(() => (repository ? new RetentionRuns(store, repository) : undefined), [store, repository]);
	useEffect(() => () => void runs?.dispose(), [runs]);
	useEffect(() => {
		if (!runs || !parsed.policy || !result) return;
		runs.crossCheck(
			parsed.policy,
			result,
			(snapshots ?? []).map(s => s.id),
			{
				verdict: check => setVerdict({for: result, check}),
				estimating: running => setEstimate(e => ({for: result, running, bytes: e.for === result ? e.bytes : undefined})),
				reclaim: bytes => setEstimate({for: result, running: false, bytes}),
			},
		);
		// eslint-disable-next-line react-hooks/exhaustive-deps -- a new simulation result is the trigger
	}, [result, runs]);

	const startApply = () => {
		if (!result || busy) return;
		if (refused) return store.dispatch({type: 'notice', text: refused, level: 'error'});
		if (result.remove.length === 0)
			return store.dispatch({
				type: 'notice',
				text: 'This policy removes nothing.',
				level: 'info',
			});
		if (restic.state !== 'agrees')
			return store.dispatch({
				type: 'notice',
				text: restic.state === 'checking' ? "Waiting for restic's own dry run…" : (restic.message ?? 'restic disagrees'),
				level: 'warn',
			});
		setConfirmName('');
	};

	const submitName = () => {
		const typed = confirmName;
		setConfirmName(undefined);
		if (!result || !repository || typed === undefined) return;
		if (typed !== repoName)
			return store.dispatch({
				type: 'notice',
				text: `The name did not match "${repoName}"; nothing was deleted.`,
				level: 'warn',
			});
		const ids = result.remove;
		if (!runs) return;
		setBusy(true);
		// The forget waits for a running prune estimate to stop: it holds the lock forget needs.
		void runs
			.forget(clientFor(repository), ids)
			.then(
				done =>
					done &&
					store.dispatch({
						type: 'notice',
						text: `Forgot ${ids.length} snapshot(s). Run restic prune (or resto forget --prune) to free the space.`,
						level: 'info',
					}),
				(error: unknown) =>
					store.dispatch({
						type: 'notice',
						text: (error as Error).message,
						level: 'error',
					}),
			)
			.finally(() => {
				setBusy(false);
				void model?.loadSnapshots();
			});
	};

	return {
		gone,
		known: Boolean(model),
		loading: state?.snapshots.state === 'loading',
		loadError: state?.snapshots.state === 'error' ? state.snapshots.error : undefined,
		policyText,
		policySource: configured ? 'config' : 'example',
		policyError: parsed.error,
		draft,
		setDraft,
		startEdit: () => setDraft(policyText),
		submitDraft: () => {
			if (draft !== undefined) setPolicyText(draft);
			setDraft(undefined);
		},
		cancelDraft: () => setDraft(undefined),
		confirmName,
		setConfirmName,
		startApply,
		submitName,
		cancelName: () => setConfirmName(undefined),
		result,
		rows,
		refused,
		restic,
		reclaim,
		estimating,
		busy,
	};
}
