/** Every screen the app can show. Screens push routes through AppServices.nav. */
export type Route =
	| {name: 'repos'}
	| {name: 'snapshots'; repo: string}
	| {name: 'tree'; repo: string; snapshotId: string; dir?: string}
	| {name: 'file'; repo: string; snapshotId: string; path: string}
	| {name: 'search'; repo: string; query?: string}
	| {name: 'diff'; repo: string; path: string; older: string; newer: string; lines: string[]; truncated: boolean}
	| {name: 'backup'; repo?: string; set?: string}
	| {name: 'drill'; repo?: string}
	| {name: 'drills'}
	| {name: 'retention'; repo: string}
	| {name: 'status'}
	| {name: 'union'; repo: string; dir?: string}
	| {name: 'plan'; repo: string}
	| {name: 'versions'; repo: string; path: string}
	| {name: 'snapdiff'; repo: string; source: string; target: string}
	| {name: 'du'; repo: string; snapshotId: string}
	/** The restore dialog for one file or folder of a snapshot. */
	| {name: 'restore'; repo: string; snapshotId: string; path: string; dir: boolean}
	/** Every message since resto started. */
	| {name: 'notices'};
