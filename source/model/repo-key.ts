/**
 * What makes two repositories "the same" for resto: restic's repository id AND where it is. A copy made
 * with `rclone sync` or `cp -a` keeps the id of its source, yet it is other storage that can be damaged on
 * its own: a drill that passed on the original proves nothing about the copy. So models and drill history
 * are keyed by the id and the canonical location together; two names for one location share one model.
 */
import {realpathSync} from 'node:fs';
import path from 'node:path';
import {expandHome} from '../config/paths.js';
import {isLocalLocation} from '../restic/errors.js';
import {redactLocation} from '../util/redact.js';

/**
 * A location as resto stores and compares it: a local path absolute and with links resolved (when it
 * exists), `local:` dropped; any other backend string with credentials redacted and trailing slashes gone.
 */
export function canonicalLocation(location: string): string {
	if (isLocalLocation(location)) {
		const local = path.resolve(expandHome(location.replace(/^local:/, '')));
		try {
			return realpathSync(local);
		} catch {
			return local;
		}
	}
	return redactLocation(location).replace(/\/+$/, '');
}

/** The key of one repository: its id and its canonical location. */
export function repoKey(id: string, location: string): string {
	return `${id}\n${canonicalLocation(location)}`;
}
