/** Route → screen component, and the breadcrumb label of each route. */
import type {ReactNode} from 'react';
import {BackupScreen} from './backup/backup-screen.js';
import {DrillScreen, DrillsScreen} from './drill/drill-screen.js';
import {FileScreen} from './file/file-screen.js';
import {NoticesScreen} from './notices/notices-screen.js';
import {RestoreScreen} from './restore/restore-screen.js';
import {DiffScreen} from './search/diff-screen.js';
import {SearchScreen} from './search/search-screen.js';
import {ReposScreen} from './repos/repos-screen.js';
import {RetentionScreen} from './retention/retention-screen.js';
import {StatusScreen} from './status/status-screen.js';
import type {Route} from './routes.js';
import {SnapshotsScreen} from './snapshots/snapshots-screen.js';
import {TreeScreen} from './tree/tree-screen.js';
import {DuScreen} from './union/du-screen.js';
import {PlanScreen} from './union/plan-screen.js';
import {SnapdiffScreen} from './union/snapdiff-screen.js';
import {UnionScreen} from './union/union-screen.js';
import {VersionsScreen} from './versions/versions-screen.js';

/** The element for a route. Keys make a new route remount its screen. */
export function renderRoute(route: Route): ReactNode {
	switch (route.name) {
		case 'repos':
			return <ReposScreen key="repos" />;
		case 'snapshots':
			return <SnapshotsScreen key={`s:${route.repo}`} repo={route.repo} />;
		case 'tree':
			return <TreeScreen key={`t:${route.repo}:${route.snapshotId}`} repo={route.repo} snapshotId={route.snapshotId} dir={route.dir} />;
		case 'file':
			return <FileScreen key={`f:${route.repo}:${route.snapshotId}:${route.path}`} repo={route.repo} snapshotId={route.snapshotId} path={route.path} />;
		case 'search':
			return <SearchScreen key={`q:${route.repo}`} repo={route.repo} query={route.query} />;
		case 'backup':
			return <BackupScreen key={`b:${route.repo ?? ''}`} repo={route.repo} set={route.set} />;
		case 'drill':
			return <DrillScreen key={`dr:${route.repo ?? ''}`} repo={route.repo} />;
		case 'drills':
			return <DrillsScreen key="drills" />;
		case 'retention':
			return <RetentionScreen key={`ret:${route.repo}`} repo={route.repo} />;
		case 'status':
			return <StatusScreen key="status" />;
		case 'union':
			return <UnionScreen key={`u:${route.repo}:${route.dir ?? ''}`} repo={route.repo} dir={route.dir} />;
		case 'plan':
			return <PlanScreen key={`p:${route.repo}`} repo={route.repo} />;
		case 'versions':
			return <VersionsScreen key={`v:${route.repo}:${route.path}`} repo={route.repo} path={route.path} />;
		case 'snapdiff':
			return <SnapdiffScreen key={`sd:${route.repo}:${route.source}:${route.target}`} repo={route.repo} source={route.source} target={route.target} />;
		case 'du':
			return <DuScreen key={`du:${route.repo}:${route.snapshotId}`} repo={route.repo} snapshotId={route.snapshotId} />;
		case 'restore':
			return <RestoreScreen key={`r:${route.repo}:${route.snapshotId}:${route.path}`} repo={route.repo} snapshotId={route.snapshotId} path={route.path} dir={route.dir} />;
		case 'notices':
			return <NoticesScreen key="notices" />;
		case 'diff':
			return <DiffScreen key={`d:${route.path}:${route.older}:${route.newer}`} path={route.path} older={route.older} newer={route.newer} lines={route.lines} truncated={route.truncated} />;
	}
}

/** Breadcrumb text for a route. */
export function routeLabel(route: Route): string {
	switch (route.name) {
		case 'repos':
			return 'repositories';
		case 'snapshots':
			return route.repo;
		case 'tree':
			return route.snapshotId.slice(0, 8);
		case 'file':
			return route.path.slice(route.path.lastIndexOf('/') + 1);
		case 'search':
			return 'search';
		case 'diff':
			return 'diff';
		case 'backup':
			return 'backup';
		case 'drill':
			return 'drill';
		case 'drills':
			return 'drill history';
		case 'retention':
			return 'retention';
		case 'status':
			return '3-2-1';
		case 'union':
			return 'all files';
		case 'plan':
			return 'restore plan';
		case 'versions':
			return `versions of ${route.path.slice(route.path.lastIndexOf('/') + 1)}`;
		case 'snapdiff':
			return `${route.source.slice(0, 8)}→${route.target.slice(0, 8)}`;
		case 'du':
			return `du ${route.snapshotId.slice(0, 8)}`;
		case 'restore':
			return 'restore';
		case 'notices':
			return 'messages';
	}
}
