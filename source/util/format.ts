/** Formatting helpers shared by views and plain output. */

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

/** Pad or cut to exactly `width` columns (by code points; names are escaped before this). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	const chars = [...text];
	if (chars.length > width) return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
	const pad = ' '.repeat(width - chars.length);
	return align === 'left' ? text + pad : pad + text;
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
