/** State of the notices view: every message since resto started, newest first, as wrapped rows to scroll. */
import {useContext, useMemo, useState} from 'react';
import wrapAnsi from 'wrap-ansi';
import {AppContext} from '../../app-context.js';
import {listHandlers} from '../../components/list.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useStore} from '../../hooks/use-store.js';
import type {Notice} from '../../store/app-store.js';
import {escapeForTerminal} from '../../util/escape.js';

/** One screen row: the first row of a message carries its time and level. */
export interface NoticeRow {
	notice: Notice;
	first: boolean;
	text: string;
}

/** Width of the time and level columns ("12:34:56 error "). */
export const noticePrefix = 15;

function clock(at: number): string {
	const d = new Date(at);
	const p = (n: number) => String(n).padStart(2, '0');
	return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The time and level column of a message's first row. */
export function noticeHead(notice: Notice): string {
	return `${clock(notice.at)} ${notice.level.padEnd(5)} `;
}

/** Wrap every message (newest first) into rows of `width` columns after the time/level column. */
export function noticeRows(notices: readonly Notice[], width: number): NoticeRow[] {
	const rows: NoticeRow[] = [];
	const textWidth = Math.max(10, width - noticePrefix);
	for (const notice of [...notices].reverse()) {
		const lines = wrapAnsi(escapeForTerminal(notice.text), textWidth, {hard: true, trim: true}).split('\n');
		lines.forEach((text, i) => rows.push({notice, first: i === 0, text}));
	}
	return rows;
}

export function useNoticesScreen(width: number, height: number) {
	const {store} = useContext(AppContext);
	const notices = useStore(store, s => s.notices);
	const rows = useMemo(() => noticeRows(notices, width), [notices, width]);
	const [top, setTop] = useState(0);
	const maxTop = Math.max(0, rows.length - height);
	const first = Math.min(top, maxTop);
	useCommands(['list'], {
		...listHandlers(cmd => {
			const next = cmd === 'up' ? first - 1 : cmd === 'down' ? first + 1 : cmd === 'pageUp' ? first - height : cmd === 'pageDown' ? first + height : cmd === 'top' ? 0 : maxTop;
			setTop(Math.max(0, Math.min(maxTop, next)));
		}),
	});
	return {count: notices.length, rows, first, visible: rows.slice(first, first + height)};
}
