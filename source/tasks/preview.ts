/**
 * Newest-wins preview of a file's first bytes via `restic dump`. Requesting a new preview cancels
 * the previous dump (SIGINT) so moving the cursor never queues restic processes.
 */
import type {ResticClient} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import {Observable} from '../store/store.js';

export interface PreviewState {
	key?: string;
	status: 'idle' | 'loading' | 'ready' | 'error';
	bytes?: Buffer;
	/** How many bytes were asked for: fewer arrived means this is the whole file. */
	maxBytes?: number;
	error?: string;
}

export class PreviewLoader extends Observable<PreviewState> {
	private controller: AbortController | undefined;
	private timer: NodeJS.Timeout | undefined;

	constructor(
		private readonly client: ResticClient,
		private readonly maxBytes = 1024,
		private readonly debounceMs = 120,
	) {
		super({status: 'idle'});
	}

	/**
	 * Show the preview of `path` in `snapshotId`; cancels any earlier request. `maxBytes` asks for more
	 * of the same file (the viewer's "load more"); what was shown stays until the larger part arrives.
	 */
	request(snapshotId: string, path: string, maxBytes = this.maxBytes): void {
		const key = `${snapshotId}:${path}:${maxBytes}`;
		if (this.getSnapshot().key === key && this.getSnapshot().status !== 'error') return;
		const previous = this.getSnapshot();
		const sameFile = previous.key?.startsWith(`${snapshotId}:${path}:`) ?? false;
		this.cancel();
		this.set({key, status: 'loading', bytes: sameFile ? previous.bytes : undefined, maxBytes});
		const controller = new AbortController();
		this.controller = controller;
		this.timer = setTimeout(() => {
			this.client.dump(snapshotId, path, {maxBytes}, controller.signal).then(
				bytes => {
					if (!controller.signal.aborted) this.set({key, status: 'ready', bytes, maxBytes});
				},
				(error: unknown) => {
					if (controller.signal.aborted || (error instanceof ResticError && error.kind === 'canceled')) return;
					this.set({key, status: 'error', error: (error as Error).message});
				},
			);
		}, this.debounceMs);
	}

	/** Cancel the current request (if any). */
	cancel(): void {
		clearTimeout(this.timer);
		this.controller?.abort();
		this.controller = undefined;
	}

	/** Forget the current preview. */
	clear(): void {
		this.cancel();
		this.set({status: 'idle'});
	}
}
