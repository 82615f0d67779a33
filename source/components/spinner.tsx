import {Text} from 'ink';
import {useEffect, useState} from 'react';
import {roleStyle, useTheme} from '../theme/styles.js';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A spinner that redraws at 10 frames a second. */
export function Spinner({label}: {label?: string}) {
	const theme = useTheme();
	const [i, setI] = useState(0);
	useEffect(() => {
		const t = setInterval(() => setI(n => (n + 1) % frames.length), 100);
		return () => clearInterval(t);
	}, []);
	return (
		<Text>
			<Text {...roleStyle(theme, 'accent')}>{frames[i]}</Text>
			{label ? ` ${label}` : ''}
		</Text>
	);
}
