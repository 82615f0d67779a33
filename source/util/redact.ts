/**
 * The one redaction of secrets resto has. Every place that shows or stores a repository location
 * (messages, logs, JSON, drill reports, report file names, cache paths) goes through redactLocation,
 * and every text that came from restic or a child process goes through redact.
 *
 * A repository string can carry credentials in three shapes:
 * - URL userinfo: `rest:https://user:secret@host/`, `s3:https://key:secret@host/bucket`, `sftp://user:pw@host//srv`
 * - scp-like userinfo: `sftp:user:pw@host:/srv` (restic would not use it, but a user may still write it)
 * - rclone connection-string parameters: `rclone::webdav,url=…,user=u,pass=…:path`
 */

/** What a secret is replaced with. */
export const redactedMark = '***';

// `scheme://user:` then the password up to the last `@` of the authority (a URL authority ends at `/`).
const urlUserinfo = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/]*@/gi;
// `sftp:user:pw@host:/path` — the scp-like form has no `//`.
const scpUserinfo = /(\bsftp:[^\s/:@]+:)[^\s/@]*@/gi;
// rclone connection strings and backend options: `,pass=…`, `:password=…`, `,secret_access_key=…`.
const secretParam = /([,:][a-z_]*(?:pass|password|secret|token|key))=("[^"]*"|'[^']*'|[^,:\s]*)/gi;

/** A repository location fit to show or store: credentials replaced by `***`, everything else kept. */
export function redactLocation(location: string): string {
	return location.replace(urlUserinfo, `$1${redactedMark}@`).replace(scpUserinfo, `$1${redactedMark}@`).replace(secretParam, `$1=${redactedMark}`);
}

/** The credentials a location carries, as they may reappear in restic's messages (raw and percent-decoded). */
export function locationSecrets(location: string): string[] {
	const out = new Set<string>();
	const add = (value: string | undefined) => {
		if (!value || value.length < 3) return;
		out.add(value);
		try {
			const decoded = decodeURIComponent(value);
			if (decoded.length >= 3) out.add(decoded);
		} catch {
			// Not valid percent-encoding: the raw form is enough.
		}
	};
	for (const m of location.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:([^\s/]*)@/gi)) add(m[1]);
	for (const m of location.matchAll(/\bsftp:[^\s/:@]+:([^\s/@]*)@/gi)) add(m[1]);
	for (const m of location.matchAll(/[,:][a-z_]*(?:pass|password|secret|token|key)=("[^"]*"|'[^']*'|[^,:\s]*)/gi)) add(m[1]?.replace(/^["']|["']$/g, ''));
	return [...out];
}

/**
 * Remove every secret from `text`: each listed secret (longest first, so overlaps vanish) and any
 * credentials embedded in locations inside the text.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
	let out = text;
	const sorted = [...new Set(secrets)].filter(s => s.length > 0).sort((a, b) => b.length - a.length);
	for (const secret of sorted) out = out.split(secret).join(redactedMark);
	return redactLocation(out);
}

/** A file-name-safe label for a location (for report and cache names): redacted, then reduced to [A-Za-z0-9._-]. */
export function locationLabel(location: string): string {
	return redactLocation(location)
		.replace(/\*\*\*/g, '')
		.replace(/[^A-Za-z0-9._-]+/g, '_')
		.replace(/^_+|_+$/g, '')
		.slice(0, 80);
}
