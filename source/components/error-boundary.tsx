/**
 * The root error boundary: a bug in a screen ends resto with a message that says what happened and what
 * it means for the user's data, instead of a React stack trace over a garbled alternate screen. The
 * caller (commands/tui.tsx) restores the terminal in `onCrash`.
 */
import {Box} from 'ink';
import {Component, type ErrorInfo, type ReactNode} from 'react';
import {Paragraph} from './paragraph.js';

/** The text resto prints when it stops because of a bug. */
export function crashMessage(error: unknown, where?: string): string {
	const message = error instanceof Error ? error.message : String(error);
	return [
		`resto stopped because of a bug: ${message}${where ? ` (in ${where})` : ''}.`,
		'Your repositories were not changed by this: restic was stopped cleanly, and a restore or backup that was running is incomplete (run it again).',
		'Please report it with the steps that led here; RESTO_DEBUG=1 prints the stack trace.',
	].join('\n');
}

/** The innermost component named in React's component stack. */
function firstComponent(stack: string | null | undefined): string | undefined {
	return stack
		?.split('\n')
		.map(l => /^\s*at (\w+)/.exec(l)?.[1])
		.find(Boolean);
}

interface Props {
	children: ReactNode;
	/** Called once with the error (restore the terminal, stop restic, exit). */
	onCrash?: (error: unknown, where: string | undefined) => void;
}

export class ErrorBoundary extends Component<Props, {error?: unknown; where?: string}> {
	override state: {error?: unknown; where?: string} = {};

	static getDerivedStateFromError(error: unknown): {error: unknown} {
		return {error};
	}

	override componentDidCatch(error: unknown, info: ErrorInfo): void {
		const where = firstComponent(info.componentStack);
		this.setState({where});
		if (process.env.RESTO_DEBUG) process.stderr.write(`${error instanceof Error ? error.stack : String(error)}${info.componentStack ?? ''}\n`);
		this.props.onCrash?.(error, where);
	}

	override render(): ReactNode {
		if (this.state.error === undefined) return this.props.children;
		return (
			<Box flexDirection="column">
				<Paragraph>{crashMessage(this.state.error, this.state.where)}</Paragraph>
			</Box>
		);
	}
}
