import {Box, Text} from 'ink';
import {useContext, useSyncExternalStore} from 'react';
import {AppContext} from '../app-context.js';
import {keyLabel} from '../keymap/commands.js';
import {roleStyle, useTheme} from '../theme/styles.js';

/** Short description for the footer: the first words of the command's description. */
function short(description: string): string {
	return description.replace(/\s*\(.*\)$/, '').split(' ').slice(0, 3).join(' ').toLowerCase();
}

/** Footer hints generated from the keymap for the active scope stack; truncated to fit. */
export function KeyHints({width}: {width: number}) {
	const {registry} = useContext(AppContext);
	const theme = useTheme();
	useSyncExternalStore(registry.subscribe, registry.getVersion);
	const hints = registry.footer();
	const parts: Array<{key: string; text: string}> = [];
	let used = 0;
	for (const h of hints) {
		const key = keyLabel(h.keys[0]!);
		const text = h.hint ?? short(h.description);
		const len = key.length + text.length + 3;
		if (used + len > width) break;
		used += len;
		parts.push({key, text});
	}
	return (
		<Box width={width} height={1} overflow="hidden">
			<Text wrap="truncate-end">
				{parts.map((p, i) => (
					<Text key={i}>
						<Text {...roleStyle(theme, 'key')}>{p.key}</Text>
						<Text {...roleStyle(theme, 'text.muted')}> {p.text}  </Text>
					</Text>
				))}
			</Text>
		</Box>
	);
}
