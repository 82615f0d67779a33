/** The last drill of a repository, for `resto repos --json`. */
import type {DrillReport} from '../drill/drill.js';
import {redact} from '../restic/errors.js';

/** The newest of a repository's own drills (RepoModelState.drills: matched by repository id, never by name). */
export function lastDrillSummary(drills: readonly DrillReport[]): null | {date: string; verdict: string; repository: {name: string; location: string; id: string | null}; path: string | null; report: string | null} {
	const last = drills[0];
	return last ? {date: last.date, verdict: last.verdict, repository: {name: last.repository.name, location: redact(last.repository.location, []), id: last.repository.id ?? null}, path: last.file?.path ?? null, report: last.reportFiles?.markdown ?? null} : null;
}
