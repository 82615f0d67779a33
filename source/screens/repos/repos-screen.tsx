import {Box, Text} from 'ink';
import {useContext, useEffect, useMemo, useRef, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {List, listHandlers, moveCursor} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useRepoRegistry} from '../../hooks/use-repos.js';
import {drillReminder} from '../../drill/drill.js';
import type {RepoModelState, RepoStatus} from '../../model/repo-model.js';
import {formatAge} from '../../restic/errors.js';
import {redactLocation} from '../../util/redact.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import type {Role} from '../../theme/tokens.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatDateTime, formatRelative} from '../../util/format.js';

const healthText: Record<RepoStatus['health'], {text: string; role: Role}> = {
	checking: {text: 'checking', role: 'text.muted'},
	ok: {text: 'ok', role: 'status.ok'},
	locked: {text: 'locked', role: 'status.warn'},
	'wrong-password': {text: 'wrong password', role: 'status.error'},
	'not-found': {text: 'not found', role: 'status.error'},
	unreachable: {text: 'unreachable', role: 'status.error'},
	error: {text: 'error', role: 'status.error'},
};

/** The drill reminder of a repository, from its model's own drills (none while its id is unknown). */
export function repoBanner(state: RepoModelState | undefined, now = new Date()): string | undefined {
	if (!state) return undefined;
	const label = state.names.join(', ') === state.location ? state.location : `${state.names.join(', ')} (${state.location})`;
	return drillReminder({label, id: state.id}, now, state.drills);
}

/** The repositories screen: every configured repository with its health, fetched concurrently. */
export function ReposScreen() {
	const {store, nav, confirm, repos: registry} = useContext(AppContext);
	const theme = useTheme();
	const {width, height} = useBodySize();
	const repos = useRepoRegistry(s => s.repositories);
	const states = useRepoRegistry(s => s.states);
	const [cursor, setCursor] = useState(0);
	const controller = useRef<AbortController | undefined>(undefined);
	// The banner follows the models: a drill that just passed, a backup that just finished, update it.
	const banners = useMemo(() => Object.fromEntries(repos.map(r => [r.name, repoBanner(states.get(r.name))])), [repos, states]);

	const refresh = () => {
		controller.current?.abort();
		const c = new AbortController();
		controller.current = c;
		void registry.checkAll(c.signal).catch(() => {});
	};

	useEffect(() => {
		// Only check repositories that have no status yet (coming back from a screen keeps them).
		if (repos.some(r => !registry.stateOf(r.name)?.status)) refresh();
		return () => controller.current?.abort();
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [repos]);

	// A repository removed from the configuration leaves the list: keep the cursor on a row.
	const clamped = Math.max(0, Math.min(cursor, repos.length - 1));
	const selected = repos[clamped];
	const status = selected ? states.get(selected.name)?.status : undefined;
	const page = Math.max(1, height - 8);
	const move = (cmd: Parameters<typeof moveCursor>[2]) => setCursor(c => moveCursor(Math.min(c, repos.length - 1), repos.length, cmd, page));

	useCommands(['repos', 'list'], {
		...listHandlers(move),
		'repos.open': () => selected && nav.push({name: 'snapshots', repo: selected.name}),
		'repos.search': () => selected && nav.push({name: 'search', repo: selected.name}),
		'repos.backup': () => nav.push({name: 'backup', repo: selected?.name}),
		'repos.drill': () => nav.push({name: 'drill', repo: selected?.name}),
		'repos.refresh': refresh,
		'repos.unlock': () => {
			if (!selected || !status?.lock) {
				store.dispatch({type: 'notice', text: 'No lock on this repository.', level: 'info'});
				return;
			}
			if (!status.lock.stale) {
				store.dispatch({
					type: 'notice',
					text: `The lock of PID ${status.lock.pid} on ${status.lock.host} is live (${formatAge(status.lock.ageMs ?? 0)} old); resto only removes stale locks.`,
					level: 'warn',
				});
				return;
			}
			void confirm(`Remove the stale lock of PID ${status.lock.pid} on ${status.lock.host} (${formatAge(status.lock.ageMs ?? 0)} old) with \`restic unlock\`?`, {dangerous: true}).then(async yes => {
				if (!yes) return;
				const model = registry.modelFor(selected.name);
				try {
					await model?.unlock();
					store.dispatch({type: 'notice', text: 'Stale locks removed.', level: 'info'});
				} catch (error) {
					store.dispatch({type: 'notice', text: (error as Error).message, level: 'error'});
					void registry.check(selected.name);
				}
			});
		},
	});

	if (repos.length === 0) {
		return (
			<Box flexDirection="column">
				<Text>No repositories configured.</Text>
				<Text {...roleStyle(theme, 'text.muted')}>Add one to the config file, set RESTIC_REPOSITORY and RESTIC_PASSWORD_FILE, or run `resto demo`.</Text>
			</Box>
		);
	}

	const nameW = Math.min(16, Math.max(6, ...repos.map(r => r.name.length)));
	const statusW = 16;
	const countW = 6;
	const ageW = 10;
	const locW = Math.max(8, width - nameW - statusW - countW - ageW - 6);
	const bannerText = selected ? banners[selected.name] : undefined;
	const anyBanner = repos.map(r => banners[r.name]).find(Boolean);

	return (
		<Box flexDirection="column" width={width} height={height}>
			{anyBanner ? (
				<Text wrap="truncate-end" {...roleStyle(theme, 'status.warn')}>
					⚑ {anyBanner}
				</Text>
			) : null}
			<Text {...roleStyle(theme, 'text.muted')} wrap="truncate-end">
				{` ${fit('NAME', nameW)} ${fit('LOCATION', locW)} ${fit('STATUS', statusW)} ${fit('SNAPS', countW, 'right')} ${fit('LATEST', ageW, 'right')}`}
			</Text>
			<List
				items={repos}
				cursor={clamped}
				height={Math.min(repos.length, Math.max(1, height - 9))}
				width={width}
				render={repo => {
					const st = states.get(repo.name)?.status;
					const h = healthText[st?.health ?? 'checking'];
					return (
						<Text>
							{` ${fit(escapeForTerminal(repo.name), nameW)} ${fit(escapeForTerminal(redactLocation(repo.access.repository)), locW)} `}
							{st?.health === 'checking' || !st ? (
								<Spinner label={fit('checking', statusW - 2)} />
							) : (
								<Text {...roleStyle(theme, h.role)}>{fit(h.text, statusW)}</Text>
							)}
							{` ${fit(st?.snapshotCount === undefined ? '' : String(st.snapshotCount), countW, 'right')} ${fit(st?.latest ? formatRelative(st.latest) : '', ageW, 'right')}`}
						</Text>
					);
				}}
			/>
			<Box flexDirection="column" marginTop={1}>
				{selected ? (
					<>
						<Text wrap="truncate-end">
							<Text {...roleStyle(theme, 'title')}>{escapeForTerminal(selected.name)}</Text>
							<Text {...roleStyle(theme, 'text.muted')}> {escapeForTerminal(redactLocation(selected.access.repository))}</Text>
						</Text>
						{status?.health === 'ok' ? (
							<Text>
								{status.snapshotCount} snapshot{status.snapshotCount === 1 ? '' : 's'}
								{status.latest ? `, latest ${formatDateTime(status.latest)} (${formatRelative(status.latest)})` : ''}
							</Text>
						) : null}
						{status?.message ? (
							<Text wrap="wrap" {...roleStyle(theme, status.health === 'locked' ? 'status.warn' : 'status.error')}>
								{escapeForTerminal(status.message)}
								{status.lock ? `, created ${status.lock.createdAt ?? '?'} (${formatAge(status.lock.ageMs ?? 0)} ago)${status.lock.stale ? ' — stale: press u to remove it' : ' — live: wait for it to finish'}` : ''}
							</Text>
						) : null}
						{bannerText ? <Text {...roleStyle(theme, 'status.warn')}>{bannerText}</Text> : null}
					</>
				) : null}
			</Box>
		</Box>
	);
}
