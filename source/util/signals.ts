/**
 * On SIGTERM/SIGHUP (and SIGINT outside the TUI), stop every restic child with SIGINT so locks are
 * released and no restic outlives resto, then exit. Extra cleanups (temp dirs, terminal state)
 * register with onShutdown.
 */
import {stopAllChildren as stopAllRestic} from '../restic/process.js';

type Cleanup = () => void | Promise<void>;
const cleanups = new Set<Cleanup>();
let shuttingDown = false;
let installed = false;

/** Register a cleanup to run before resto exits on a signal. Returns an unregister function. */
export function onShutdown(cleanup: Cleanup): () => void {
	cleanups.add(cleanup);
	return () => cleanups.delete(cleanup);
}

/** Stop restic children, run cleanups, and exit with `code`. */
export async function shutdown(code: number): Promise<never> {
	if (!shuttingDown) {
		shuttingDown = true;
		await stopAllRestic();
		for (const cleanup of [...cleanups].reverse()) {
			try {
				await cleanup();
			} catch {
				// Keep going: every cleanup gets its chance.
			}
		}
	}
	process.exit(code);
}

/** Install handlers once. SIGINT is left to the caller while `sigintHandledElsewhere` returns true. */
export function installSignalHandlers(sigintHandledElsewhere: () => boolean = () => false): void {
	if (installed) return;
	installed = true;
	process.on('SIGTERM', () => void shutdown(143));
	process.on('SIGHUP', () => void shutdown(129));
	process.on('SIGINT', () => {
		if (sigintHandledElsewhere()) return;
		void shutdown(130);
	});
}
