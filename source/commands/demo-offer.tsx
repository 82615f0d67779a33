/** With nothing configured, offer to create (or reopen) the demo repository before the TUI starts. */
import {Box, render, Text, useApp, useInput} from 'ink';
import {useEffect, useState} from 'react';
import {AppContext, defaultServices} from '../app-context.js';
import {Spinner} from '../components/spinner.js';
import {ensureDemoRepository, demoDirectory, demoExists} from '../demo/demo.js';
import {roleStyle} from '../theme/styles.js';
import type {Theme} from '../theme/tokens.js';
import {Paragraph} from '../components/paragraph.js';

type Demo = {dir: string; repository: string; passwordFile: string};

function Offer({theme, onDone}: {theme: Theme; onDone: (demo: Demo | undefined, error?: string) => void}) {
	const {exit} = useApp();
	const [phase, setPhase] = useState<'ask' | 'creating'>('ask');
	const dir = demoDirectory();
	useInput((input, key) => {
		if (phase !== 'ask') return;
		if (key.return || input === 'y' || input === 'Y') setPhase('creating');
		else if (input === 'n' || input === 'N' || input === 'q' || key.escape || (key.ctrl && input === 'c')) {
			onDone(undefined);
			exit();
		}
	});
	useEffect(() => {
		if (phase !== 'creating') return;
		ensureDemoRepository(dir).then(
			demo => {
				onDone(demo);
				exit();
			},
			(error: unknown) => {
				onDone(undefined, (error as Error).message);
				exit();
			},
		);
	}, [phase, dir, exit, onDone]);
	return (
		<Box flexDirection="column" paddingX={1}>
			<Text {...roleStyle(theme, 'title')} bold>
				Welcome to resto
			</Text>
			<Paragraph>No restic repository is configured (no config file, no RESTIC_REPOSITORY).</Paragraph>
			<Paragraph>resto can create a demo repository in {dir}: a small home directory with documents, photos and code, backed up as several snapshots from two hosts, so you can try browsing, searching, restoring and a restore drill right away.</Paragraph>
			<Text> </Text>
			{phase === 'ask' ? (
				<Text>
					Create it and open it? <Text {...roleStyle(theme, 'key')}>Y</Text>/<Text {...roleStyle(theme, 'key')}>n</Text>
				</Text>
			) : (
				<Spinner label="creating the demo repository with restic…" />
			)}
			<Paragraph {...roleStyle(theme, 'text.muted')}>To use your own repository instead: RESTIC_REPOSITORY=… RESTIC_PASSWORD_FILE=… resto, or write ~/.config/resto/config.yaml (see the readme).</Paragraph>
		</Box>
	);
}

/** Ask, then create the demo. Returns undefined when the user declines. Reuses an existing demo without asking. */
export async function offerDemo(theme: Theme): Promise<Demo | undefined> {
	if (demoExists()) return ensureDemoRepository(demoDirectory());
	let result: Demo | undefined;
	let failure: string | undefined;
	const instance = render(
		<AppContext.Provider value={{...defaultServices, theme}}>
			<Offer
				theme={theme}
				onDone={(demo, error) => {
					result = demo;
					failure = error;
				}}
			/>
		</AppContext.Provider>,
		{exitOnCtrlC: false},
	);
	await instance.waitUntilExit();
	if (failure) throw new Error(`could not create the demo repository: ${failure}`);
	return result;
}
