import {Box, Text} from 'ink';
import {useBodySize} from '../../hooks/use-body-size.js';
import {List} from '../../components/list.js';
import {Spinner} from '../../components/spinner.js';
import type {RepoStatus} from '../../model/repo-model.js';
import {redactLocation} from '../../util/redact.js';
import {roleStyle, useTheme} from '../../theme/styles.js';
import type {Role} from '../../theme/tokens.js';
import {escapeForTerminal} from '../../util/escape.js';
import {fit, formatAge, formatDateTime, formatRelative, plural} from '../../util/format.js';
import {useReposScreen} from './use-repos-screen.js';
import {useOpsSummary} from './use-ops-summary.js';
import {Paragraph} from '../../components/paragraph.js';

const healthText: Record<RepoStatus['health'], {text: string; role: Role}> = {
	checking: {text: 'checking', role: 'text.muted'},
	ok: {text: 'ok', role: 'status.ok'},
	locked: {text: 'locked', role: 'status.warn'},
	'wrong-password': {text: 'wrong password', role: 'status.error'},
	'not-found': {text: 'not found', role: 'status.error'},
	unreachable: {text: 'unreachable', role: 'status.error'},
	error: {text: 'error', role: 'status.error'},
};

/** The repositories screen: every configured repository with its health, fetched concurrently. */
export function ReposScreen() {
	const theme = useTheme();
	const {width, height} = useBodySize();
	const {repos, states, banners, topBanner, clamped, selected, status} = useReposScreen();
	const ops = useOpsSummary(selected, selected ? states.get(selected.name)?.id : undefined, status?.latest, status?.checkedAt);

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
	const anyBanner = topBanner;

	return (
		<Box flexDirection="column" width={width} height={height}>
			{anyBanner ? (
				<Text wrap="truncate-end" {...roleStyle(theme, 'status.warn')}>
					⚑ {anyBanner}
				</Text>
			) : null}
			<Text {...roleStyle(theme, 'text.muted')} wrap="truncate-end">
				{/* Two columns: the list's gutter (› marks the selected row), then the space each row begins with. */}
				{`  ${fit('NAME', nameW)} ${fit('LOCATION', locW)} ${fit('STATUS', statusW)} ${fit('SNAPS', countW, 'right')} ${fit('LATEST', ageW, 'right')}`}
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
							{` ${fit(escapeForTerminal(repo.name), nameW)} ${fit(escapeForTerminal(redactLocation(repo.access.repository)), locW, 'left', 'middle')} `}
							{st?.health === 'checking' || !st ? <Spinner label={fit('checking', statusW - 2)} /> : <Text {...roleStyle(theme, h.role)}>{fit(h.text, statusW)}</Text>}
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
								{plural(status.snapshotCount ?? 0, 'snapshot')}
								{status.latest ? `, latest ${formatDateTime(status.latest)} (${formatRelative(status.latest)})` : ''}
							</Text>
						) : null}
						{status?.message ? (
							<Paragraph {...roleStyle(theme, status.health === 'locked' ? 'status.warn' : 'status.error')}>
								{escapeForTerminal(status.message)}
								{status.lock ? `, created ${status.lock.createdAt ?? '?'} (${formatAge(status.lock.ageMs ?? 0)} ago)${status.lock.stale ? ' — stale: press u to remove it' : ' — live: wait for it to finish'}` : ''}
							</Paragraph>
						) : null}
						{bannerText ? <Paragraph {...roleStyle(theme, 'status.warn')}>{bannerText}</Paragraph> : null}
						{ops.unattendedByOp.length > 0 ? (
							<Text wrap="truncate-end">
								<Text {...roleStyle(theme, 'text.muted')}>last unattended </Text>
								{ops.unattendedByOp.map((r, i) => (
									<Text key={r.op} {...roleStyle(theme, r.result === 'ok' || r.result === 'skipped' ? 'text.muted' : 'status.error')}>
										{i > 0 ? ' · ' : ''}
										{r.op}
										{r.set ? ` of ${escapeForTerminal(r.set)}` : r.copy ? ` to ${escapeForTerminal(r.copy)}` : ''}: {r.result} {formatRelative(Date.parse(r.end))}
									</Text>
								))}
							</Text>
						) : null}
						{ops.unattendedByOp
							.filter(r => r.result === 'failed' && r.message)
							.slice(0, 2)
							.map(r => (
								<Text key={`why-${r.op}`} wrap="truncate-end" {...roleStyle(theme, 'status.error')}>
									{r.op} failed: {escapeForTerminal(r.message!)}
								</Text>
							))}
						{status?.health === 'ok' && ops.overdueBy !== undefined ? (
							<Text {...roleStyle(theme, 'status.error')}>
								⚑ overdue: {status.latest ? `newest snapshot ${formatRelative(status.latest)}` : 'no snapshot'}, expected every {formatRelative(Date.now() - (ops.expectedMs ?? 0)).replace(/ ago$/, '')}
							</Text>
						) : null}
					</>
				) : null}
			</Box>
		</Box>
	);
}
