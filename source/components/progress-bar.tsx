import {Text} from 'ink';
import {roleStyle, useTheme} from '../theme/styles.js';

/** A bar of `width` cells for a fraction 0..1; an unknown total shows a moving marker instead. */
export function ProgressBar({fraction, width, tick = 0}: {fraction: number | undefined; width: number; tick?: number}) {
	const theme = useTheme();
	const w = Math.max(4, width);
	if (fraction === undefined || !Number.isFinite(fraction)) {
		const pos = tick % w;
		return (
			<Text>
				<Text {...roleStyle(theme, 'progress.todo')}>{'·'.repeat(pos)}</Text>
				<Text {...roleStyle(theme, 'progress.done')}>{'■'}</Text>
				<Text {...roleStyle(theme, 'progress.todo')}>{'·'.repeat(Math.max(0, w - pos - 1))}</Text>
			</Text>
		);
	}
	const f = Math.max(0, Math.min(1, fraction));
	const done = Math.round(f * w);
	return (
		<Text>
			<Text {...roleStyle(theme, 'progress.done')}>{'█'.repeat(done)}</Text>
			<Text {...roleStyle(theme, 'progress.todo')}>{'░'.repeat(w - done)}</Text>
		</Text>
	);
}
