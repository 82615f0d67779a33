/** The last drill of a repository, for `resto repos --json`. */
import {lastDrill} from '../drill/drill.js';

export function lastDrillFor(repoName: string): null | {date: string; verdict: string; path: string | null; report: string | null} {
	const last = lastDrill(repoName);
	return last ? {date: last.date, verdict: last.verdict, path: last.file?.path ?? null, report: last.reportFiles?.markdown ?? null} : null;
}
