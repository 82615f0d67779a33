/**
 * Streams `restic ls --json <snapshot>` into a directory map so the tree can be browsed while the
 * listing is still arriving. Notifies at most ~10 times a second; cancel() stops restic with SIGINT.
 */
import type {ResticClient} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import type {LsNode, Snapshot} from '../restic/parse.js';
import {Observable} from '../store/store.js';

export interface TreeListingState {
	status: 'listing' | 'done' | 'error' | 'canceled';
	entries: number;
	startedAt: number;
	finishedAt?: number;
	error?: string;
	header?: Snapshot;
	/** Bumped on each flush so views re-read the children they show. */
	version: number;
}

/** A node in the browsed tree. Directory sizes are filled in when the listing completes. */
export interface TreeEntry extends LsNode {
	/** Total size of files below a directory (known once the listing is done). */
	totalSize?: number;
	fileCount?: number;
}

function parentOf(p: string): string {
	const i = p.lastIndexOf('/');
	return i <= 0 ? '/' : p.slice(0, i);
}

export class TreeListing extends Observable<TreeListingState> {
	// restic lists each directory's entries sorted by name; keeping directories and other entries
	// apart preserves that order, so no sorting is ever needed.
	private readonly dirs = new Map<string, TreeEntry[]>();
	private readonly others = new Map<string, TreeEntry[]>();
	private readonly merged = new Map<string, {count: number; list: TreeEntry[]}>();
	private readonly controller = new AbortController();
	private dirty = false;
	private count = 0;
	private timer: NodeJS.Timeout | undefined;

	constructor(
		private readonly client: ResticClient,
		readonly snapshotId: string,
		private readonly flushMs = 100,
	) {
		super({status: 'listing', entries: 0, startedAt: Date.now(), version: 0});
	}

	/** Start listing. Resolves when restic finishes or is canceled; never rejects. */
	async start(): Promise<void> {
		this.timer = setInterval(() => this.flush(), this.flushMs);
		let entries = 0;
		try {
			const header = await this.client.ls(
				this.snapshotId,
				{},
				node => {
					entries++;
					this.count = entries;
					const parent = parentOf(node.path);
					const map = node.type === 'dir' ? this.dirs : this.others;
					let list = map.get(parent);
					if (!list) {
						list = [];
						map.set(parent, list);
					}
					list.push(node);
					this.dirty = true;
				},
				this.controller.signal,
			);
			this.computeSizes('/');
			this.set({...this.getSnapshot(), status: 'done', entries, header, finishedAt: Date.now(), version: this.getSnapshot().version + 1});
		} catch (error) {
			const canceled = error instanceof ResticError && error.kind === 'canceled';
			this.set({
				...this.getSnapshot(),
				entries,
				status: canceled ? 'canceled' : 'error',
				error: canceled ? undefined : (error as Error).message,
				finishedAt: Date.now(),
				version: this.getSnapshot().version + 1,
			});
		} finally {
			clearInterval(this.timer);
		}
	}

	/** Stop the listing (SIGINT to restic). */
	cancel(): void {
		this.controller.abort();
	}

	/** Direct children of `dir`, directories first, then by name. */
	childrenOf(dir: string): TreeEntry[] {
		const dirs = this.dirs.get(dir) ?? [];
		const others = this.others.get(dir) ?? [];
		const count = dirs.length + others.length;
		const cached = this.merged.get(dir);
		if (cached && cached.count === count) return cached.list;
		const list = dirs.concat(others);
		this.merged.set(dir, {count, list});
		return list;
	}

	/** The top directory worth opening: the deepest single-child directory chain from "/". */
	startDir(): string {
		let dir = '/';
		for (;;) {
			const kids = this.dirs.get(dir) ?? [];
			if (kids.length !== 1 || (this.others.get(dir)?.length ?? 0) > 0) return dir;
			dir = kids[0]!.path;
		}
	}

	private computeSizes(dir: string): {size: number; files: number} {
		let size = 0;
		let files = 0;
		for (const entry of this.childrenOf(dir)) {
			if (entry.type === 'dir') {
				const sub = this.computeSizes(entry.path);
				entry.totalSize = sub.size;
				entry.fileCount = sub.files;
				size += sub.size;
				files += sub.files;
			} else {
				size += entry.size;
				files++;
			}
		}
		return {size, files};
	}

	private flush(): void {
		if (!this.dirty) return;
		this.dirty = false;
		this.set({...this.getSnapshot(), entries: this.count, version: this.getSnapshot().version + 1});
	}
}
