import {Box, Text} from 'ink';
import {useContext, useSyncExternalStore} from 'react';
import {AppContext} from '../app-context.js';
import {keyLabel} from '../keymap/commands.js';
import {roleStyle, useTheme} from '../theme/styles.js';

/** Short description for the footer: the first words of the command's description. */
function short(description: string): string {
	return description
		.replace(/\s*\(.*\)$/, '')
		.split(' ')
		.slice(0, 3)
		.join(' ')
		.toLowerCase();
}

/** Footer hints generated from the keymap for the active scope stack; truncated to fit. */
export function KeyHints({width}: {width: number}) {
	const {registry} = useContext(AppContext);
	const theme = useTheme();
	useSyncExternalStore(registry.subscribe, registry.getVersion);
	const hints = registry.footer();
	const parts: Array<{key: string; text: string; disabled: boolean}> = [];
	let used = 0;
	for (const h of hints) {
		const key = keyLabel(h.spec.keys[0]!);
		const text = h.hint ?? short(h.spec.description);
		const len = key.length + text.length + 3;
		if (used + len > width) continue;
		used += len;
		parts.push({key, text, disabled: Boolean(h.disabled)});
	}
	return (
		<Box width={width} height={1} overflow="hidden">
			<Text wrap="truncate-end">
				{parts.map((p, i) => (
					<Text key={i}>
						{/* A disabled key stays listed, struck through; pressing it says why. */}
						<Text {...roleStyle(theme, p.disabled ? 'text.muted' : 'key')} strikethrough={p.disabled}>
							{p.key}
						</Text>
						<Text {...roleStyle(theme, 'text.muted')} strikethrough={p.disabled}>
							{' '}
							{p.text}
						</Text>
						<Text>{'  '}</Text>
					</Text>
				))}
			</Text>
		</Box>
	);
}
