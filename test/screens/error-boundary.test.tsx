import {describe, expect, test, vi} from 'vitest';
import {App} from '../../source/app.js';
import {crashMessage} from '../../source/components/error-boundary.js';
import type {Config} from '../../source/config/config.js';
import {loadTheme} from '../../source/theme/load.js';
import {renderAt, waitForText} from '../helpers/ink.js';

describe('the root error boundary', () => {
	test('a bug while rendering shows what happened and what it means, and hands the error to the caller', async () => {
		const config: Config = {repositories: [{name: 'r', access: {repository: '/nonexistent'}}], backupSets: [], drill: {months: 3, files: 1}, source: 'file'};
		const onCrash = vi.fn();
		const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
		const ui = renderAt(
			<App
				config={config}
				theme={loadTheme('no-color', {})}
				clientFor={() => {
					throw new Error('client factory exploded');
				}}
				onCrash={onCrash}
			/>,
			80,
			24,
		);
		try {
			const frame = await waitForText(ui.lastFrame, 'resto stopped because of a bug: client factory exploded');
			expect(frame).toContain('Your repositories were not changed');
			expect(frame).not.toMatch(/\bat \w+ \(/); // no stack trace
			expect(onCrash).toHaveBeenCalledTimes(1);
			expect((onCrash.mock.calls[0]![0] as Error).message).toBe('client factory exploded');
		} finally {
			ui.unmount();
			quiet.mockRestore();
		}
	});

	test('the message names the component', () => {
		expect(crashMessage(new Error('x'), 'ReposScreen')).toMatch(/^resto stopped because of a bug: x \(in ReposScreen\)\./);
	});
});
