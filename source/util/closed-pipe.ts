/**
 * `resto snapshots | head -1`: when the reader goes away, the next write to stdout fails with EPIPE. Node
 * ignores SIGPIPE, so without a handler that error is an unhandled 'error' event with a stack trace. Like a
 * program ended by SIGPIPE, resto then stops quietly: restic children are stopped, cleanups run, exit 141.
 */
import {exitCodes} from './exit-codes.js';
import {shutdown} from './signals.js';

let installed = false;

/** Install the handlers on stdout and stderr once. */
export function installClosedPipeHandler(): void {
	if (installed) return;
	installed = true;
	let closing = false;
	for (const stream of [process.stdout, process.stderr]) {
		stream.on('error', (error: NodeJS.ErrnoException) => {
			if (error.code !== 'EPIPE') throw error;
			// The reader is gone: what is still written to this stream goes nowhere instead of failing again.
			stream.write = (() => true) as typeof stream.write;
			if (closing) return;
			closing = true;
			void shutdown(exitCodes.closedPipe);
		});
	}
}
