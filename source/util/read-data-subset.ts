/** restic check's `--read-data-subset` syntax, shared by the CLI option and the config's drill.readDataSubset. */

/**
 * Check a `--read-data-subset` value against the forms restic accepts: `n/t` (1 ≤ n ≤ t), `x%` or `x.y%`
 * (0 < x ≤ 100), or a size in bytes with an optional k/K, m/M, g/G, t/T suffix. Returns the message for a bad one.
 */
export function readDataSubsetProblem(value: string): string | undefined {
	const forms = "'n/t' (e.g. 1/10), 'x%' (e.g. 2.5%), or a size such as 500M or 1G";
	const group = /^(\d+)\/(\d+)$/.exec(value);
	if (group) {
		const n = Number(group[1]);
		const t = Number(group[2]);
		return n >= 1 && n <= t ? undefined : `n/t needs 1 ≤ n ≤ t, not ${value}`;
	}
	const percent = /^(\d+(?:\.\d+)?)%$/.exec(value);
	if (percent) {
		const x = Number(percent[1]);
		return x > 0 && x <= 100 ? undefined : `a percentage must be above 0 and at most 100, not ${value}`;
	}
	const size = /^(\d+)[kKmMgGtT]?$/.exec(value);
	if (size) return Number(size[1]) > 0 ? undefined : 'a size must be above 0';
	return `${JSON.stringify(value)} is none of restic's forms: ${forms}`;
}
