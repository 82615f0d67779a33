/** The file screen's state and commands: the preview (a dump stopped when the screen is left) and restore. */
import {useContext, useEffect, useMemo, useState} from 'react';
import {AppContext} from '../../app-context.js';
import {useCommands} from '../../hooks/use-commands.js';
import {useObservable} from '../../hooks/use-store.js';
import {PreviewLoader, type PreviewState} from '../../tasks/preview.js';
import {restoreVersion} from '../../tasks/restore-task.js';

const idle: PreviewState = {status: 'idle'};
const noPreview = {subscribe: () => () => {}, getSnapshot: () => idle};

/** State and commands of the file screen (see FileScreen for the view). */
export function useFileScreen({repo: repoName, snapshotId, path}: {repo: string; snapshotId: string; path: string}) {
	const {clientFor, repo, store, confirm} = useContext(AppContext);
	const repository = repo(repoName);
	const preview = useMemo(() => (repository ? new PreviewLoader(clientFor(repository), 4096, 0) : undefined), [repository, clientFor]);
	const state = useObservable(preview ?? noPreview);
	const [hex, setHex] = useState(false);

	useEffect(() => {
		preview?.request(snapshotId, path);
		return () => preview?.cancel();
	}, [preview, snapshotId, path]);

	useCommands(['file'], {
		'file.hex': () => setHex(h => !h),
		'file.restore': () => {
			if (repository) void restoreVersion({store, client: clientFor(repository), confirm}, snapshotId, path);
		},
	});
	return {state, hex};
}
