/**
 * restic's `--exclude` patterns, so the live diff leaves out what the backup never saves (pure).
 * As restic's filter package: a pattern is split at "/"; a pattern not starting with "/" may match at
 * any depth (as if it began with "**"); "**" matches any number of folders; each part is a
 * filepath.Match glob (* ? [a-z] [^a-z] and \ escapes); a pattern that matches a folder excludes
 * everything below it.
 */

/** filepath.Match of one path part (no "/" in either). */
export function matchPart(pattern: string, name: string): boolean {
	const rx = partRegex(pattern);
	return rx ? rx.test(name) : false;
}

const cache = new Map<string, RegExp | undefined>();

function partRegex(pattern: string): RegExp | undefined {
	if (cache.has(pattern)) return cache.get(pattern);
	let out = '^';
	let ok = true;
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i]!;
		if (c === '*') out += '.*';
		else if (c === '?') out += '.';
		else if (c === '\\') {
			i++;
			if (i >= pattern.length) ok = false;
			else out += escapeRx(pattern[i]!);
		} else if (c === '[') {
			const end = pattern.indexOf(']', i + 2);
			if (end < 0) {
				ok = false;
				break;
			}
			let body = pattern.slice(i + 1, end);
			const negate = body.startsWith('^');
			if (negate) body = body.slice(1);
			out += `[${negate ? '^' : ''}${body.replace(/[\]\\]/g, m => `\\${m}`)}]`;
			i = end;
		} else out += escapeRx(c);
	}
	// An invalid pattern matches nothing (restic refuses it before a backup; the config check names it).
	const rx = ok ? new RegExp(`${out}$`, 's') : undefined;
	cache.set(pattern, rx);
	return rx;
}

function escapeRx(c: string): string {
	return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function matchParts(pattern: readonly string[], pi: number, parts: readonly string[], si: number): boolean {
	if (pi === pattern.length) return true; // the pattern matched a folder above (or the path itself)
	if (si === parts.length) return pattern.slice(pi).every(p => p === '**');
	const p = pattern[pi]!;
	if (p === '**') {
		for (let k = si; k <= parts.length; k++) if (matchParts(pattern, pi + 1, parts, k)) return true;
		return false;
	}
	return matchPart(p, parts[si]!) && matchParts(pattern, pi + 1, parts, si + 1);
}

/** Whether an absolute path is excluded by one restic exclude pattern. */
export function excludedBy(pattern: string, absPath: string): boolean {
	const clean = pattern.replace(/\/+$/, '');
	if (clean === '') return false;
	const parts = absPath.split('/').filter(Boolean);
	const pat = clean.split('/').filter(Boolean);
	return matchParts(clean.startsWith('/') ? pat : ['**', ...pat], 0, parts, 0);
}

/** A predicate for a list of patterns (undefined when there are none). */
export function excluder(patterns: readonly string[] | undefined): ((absPath: string) => boolean) | undefined {
	const list = (patterns ?? []).filter(p => p.trim() !== '');
	return list.length ? p => list.some(x => excludedBy(x, p)) : undefined;
}
