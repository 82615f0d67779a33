/** The last drill of a repository for `resto repos --json`; filled in by the drill feature. */
export function lastDrillFor(_repoName: string): null | {date: string; verdict: string; path: string} {
	return null;
}
