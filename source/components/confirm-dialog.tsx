import {Box, Text} from 'ink';
import {useCommands} from '../hooks/use-commands.js';
import {roleStyle, useTheme} from '../theme/styles.js';
import {Paragraph} from './paragraph.js';

/** A modal yes/no question. Only y/enter confirm; n, esc and q cancel. */
export function ConfirmDialog({question, dangerous, onAnswer, width}: {question: string; dangerous?: boolean; onAnswer: (yes: boolean) => void; width: number}) {
	const theme = useTheme();
	useCommands(['confirm'], {'confirm.yes': () => onAnswer(true), 'confirm.no': () => onAnswer(false)}, {modal: true});
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={theme.colors[dangerous ? 'status.warn' : 'border.focused']} paddingX={1} width={Math.min(width, 72)}>
			<Box flexShrink={1} overflow="hidden">
				<Paragraph {...roleStyle(theme, dangerous ? 'status.warn' : 'text.primary')}>{question}</Paragraph>
			</Box>
			{/* The answer keys never shrink away, however long the question. */}
			<Text wrap="truncate-end">
				<Text {...roleStyle(theme, 'key')}>y</Text> yes <Text {...roleStyle(theme, 'key')}>n</Text> no
			</Text>
		</Box>
	);
}
