/** Formatting helpers shared by views and plain output. Widths are terminal columns, never code points. */
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number | undefined): string {
	if (bytes === undefined || !Number.isFinite(bytes)) return '—';
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let v = bytes;
	let i = 0;
	while (v >= 1024 && i < units.length - 1) {
		v /= 1024;
		i++;
	}
	return i === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "3 minutes ago", "2 days ago", "in 5 minutes". */
export function formatRelative(time: number | undefined, now = Date.now()): string {
	if (!time) return '—';
	const diff = now - time;
	const future = diff < 0;
	const s = Math.abs(diff) / 1000;
	const pick = (): string => {
		if (s < 45) return 'just now';
		const m = Math.round(s / 60);
		if (m < 60) return `${m} min`;
		const h = Math.round(m / 60);
		if (h < 36) return `${h} h`;
		const d = Math.round(h / 24);
		if (d < 45) return `${d} d`;
		const mo = Math.round(d / 30.4);
		if (mo < 18) return `${mo} mo`;
		return `${(d / 365).toFixed(1)} y`;
	};
	const text = pick();
	if (text === 'just now') return text;
	return future ? `in ${text}` : `${text} ago`;
}

/** Local "2026-11-23 14:05". */
export function formatDateTime(time: number | undefined): string {
	if (!time) return '—';
	const d = new Date(time);
	const p = (n: number) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** cli-truncate, made strict: a double-width character at the cut can overshoot by a column. */
function truncate(text: string, width: number, position: 'end' | 'start' | 'middle'): string {
	for (let target = width; target > 0; target--) {
		const out = cliTruncate(text, target, {position});
		if (stringWidth(out) <= width) return out;
	}
	return '';
}

/** Terminal columns a string takes (CJK and emoji count two, combining marks none, escapes nothing). */
export function columns(text: string): number {
	return stringWidth(text);
}

/**
 * Pad or cut to exactly `width` terminal columns. `cut` says where an over-long text loses its
 * characters: at the end (labels), the start or the middle. Names are escaped before this.
 */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left', cut: 'end' | 'start' | 'middle' = 'end'): string {
	if (width <= 0) return '';
	let out = text;
	let w = stringWidth(out);
	if (w > width) {
		out = truncate(out, width, cut);
		w = stringWidth(out);
	}
	const pad = ' '.repeat(Math.max(0, width - w));
	return align === 'left' ? out + pad : pad + out;
}

/**
 * A path cut to `width` columns so its distinctive end stays: the file name whole when it fits
 * (`/home/ann/Docu…/2023/return-final.pdf`), else the name cut in the middle (keeps the extension).
 */
export function fitPath(path: string, width: number, align: 'left' | 'right' = 'left'): string {
	if (stringWidth(path) <= width) return fit(path, width, align);
	const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
	const slash = trimmed.lastIndexOf('/');
	const name = path.slice(slash + 1);
	const nameW = stringWidth(name);
	if (slash < 0 || nameW + 2 > width) return fit(path, width, align, 'middle');
	const head = truncate(path.slice(0, slash + 1), width - nameW, 'middle');
	return fit(head + name, width, align);
}

/** A column of a table row: fixed width, or `grow` to take what is left (at least `min`). */
export interface Column {
	key: string;
	width: number;
	align?: 'left' | 'right';
	cut?: 'end' | 'start' | 'middle' | 'path';
	grow?: boolean;
	min?: number;
	/** Lower goes first when the row is too narrow; 100 and up never go. */
	priority?: number;
}

/**
 * Decide which columns a table shows in `width` columns (one space between): the lowest-priority
 * columns go until the rest fit; the growing column takes the remainder. Columns the caller knows to be
 * empty for every row (SIZE on restic 0.14) should simply not be passed: their room goes to the others.
 */
export function layoutColumns(cols: readonly Column[], width: number): Column[] {
	let kept = [...cols];
	const need = (list: readonly Column[]) => list.reduce((sum, c) => sum + (c.grow ? (c.min ?? 8) : c.width), 0) + Math.max(0, list.length - 1);
	while (need(kept) > width) {
		const droppable = kept.filter(c => (c.priority ?? 0) < 100);
		if (droppable.length === 0) break;
		const lowest = droppable.reduce((a, b) => ((b.priority ?? 0) < (a.priority ?? 0) ? b : a));
		kept = kept.filter(c => c !== lowest);
	}
	const fixed = kept.filter(c => !c.grow).reduce((sum, c) => sum + c.width, 0) + Math.max(0, kept.length - 1);
	return kept.map(c => (c.grow ? {...c, width: Math.max(1, width - fixed)} : c));
}

/** One table row: each column's value fitted to its width. */
export function renderRow(cols: readonly Column[], values: Readonly<Record<string, string>>): string {
	return cols.map(c => (c.cut === 'path' ? fitPath(values[c.key] ?? '', c.width, c.align) : fit(values[c.key] ?? '', c.width, c.align, c.cut ?? 'end'))).join(' ');
}

/** "1 snapshot", "2 snapshots", "0 matches", "1 entry" — one helper for every count in the UI. */
export function plural(n: number, noun: string, pluralForm?: string): string {
	const many = pluralForm ?? (/(s|x|ch|sh)$/.test(noun) ? `${noun}es` : /[^aeiou]y$/.test(noun) ? `${noun.slice(0, -1)}ies` : `${noun}s`);
	return `${n.toLocaleString('en-US')} ${n === 1 ? noun : many}`;
}

/** Seconds → "1:05" or "1:02:03". */
export function formatDuration(seconds: number | undefined): string {
	if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
	const s = Math.round(seconds);
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	const r = s % 60;
	return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

/** A lock's age as restic says it ("2h5m"); lives with restic's messages, offered here to views. */
export {formatAge} from '../restic/errors.js';

/**
 * A plain-text table for the CLI (`resto repos`, `resto snapshots`): each column as wide as its widest
 * cell in terminal columns, two spaces apart, a column that is empty in every row left out (SIZE on
 * restic 0.14), the last column never padded. Cells must already be escaped.
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
	const used = header.map((_, i) => rows.some(r => (r[i] ?? '') !== ''));
	const keep = header.map((_, i) => i).filter(i => used[i]);
	const widths = keep.map(i => Math.max(stringWidth(header[i] ?? ''), ...rows.map(r => stringWidth(r[i] ?? ''))));
	const line = (cells: readonly string[]) =>
		keep
			.map((i, k) => (k === keep.length - 1 ? (cells[i] ?? '') : fit(cells[i] ?? '', widths[k]!)))
			.join('  ')
			.trimEnd();
	return [line(header), ...rows.map(line)].map(l => `${l}\n`).join('');
}
