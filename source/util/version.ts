import {detectVersion} from '../restic/client.js';

/** resto's own version (from package.json at build time). */
export const restoVersion = '0.1.0';

/** "resto 0.1.0, restic 0.14.0" (or a note that restic is missing). */
export async function versionText(): Promise<string> {
	try {
		const v = await detectVersion();
		return `resto ${restoVersion}, restic ${v.version}`;
	} catch (error) {
		return `resto ${restoVersion}, restic not available: ${(error as Error).message}`;
	}
}
