import {describe, expect, test} from 'vitest';
import {locationLabel, locationSecrets, redact, redactLocation} from '../../source/util/redact.js';
import {secretsOf} from '../../source/restic/run.js';

describe('redactLocation', () => {
	test.each([
		['rest:https://user:secret@host:8000/repo', 'rest:https://user:***@host:8000/repo'],
		['rest:http://u:p%40ss@127.0.0.1:9/', 'rest:http://u:***@127.0.0.1:9/'],
		['rest:http://u:p@ss@127.0.0.1:9/x', 'rest:http://u:***@127.0.0.1:9/x'],
		['s3:https://AKIAKEY:wJalrXUt@s3.example.com/bucket', 's3:https://AKIAKEY:***@s3.example.com/bucket'],
		['sftp://alice:hunter22@host:2222//srv/restic', 'sftp://alice:***@host:2222//srv/restic'],
		['sftp:alice:hunter22@host:/srv/restic', 'sftp:alice:***@host:/srv/restic'],
		['rclone::webdav,url=https://dav.example,user=bob,pass=0bScUrEd:backup', 'rclone::webdav,url=https://dav.example,user=bob,pass=***:backup'],
		['rclone::s3,access_key_id=AK,secret_access_key="s3cr3t":bucket', 'rclone::s3,access_key_id=AK,secret_access_key=***:bucket'],
	])('%s', (input, expected) => {
		expect(redactLocation(input)).toBe(expected);
	});

	test('locations without credentials are unchanged', () => {
		for (const l of ['/srv/restic repo', 'sftp:alice@host:/srv', 'rest:http://127.0.0.1:8000/', 'b2:bucket:path', 's3:s3.amazonaws.com/bucket', 'rclone:remote:path']) {
			expect(redactLocation(l)).toBe(l);
		}
	});

	test('a location in a message is redacted, and so are its secrets wherever they reappear', () => {
		const loc = 'rest:http://u:p%40ssword@127.0.0.1:9/';
		const secrets = secretsOf({repository: loc});
		expect(secrets).toEqual(expect.arrayContaining(['p%40ssword', 'p@ssword']));
		expect(locationSecrets('rclone::webdav,pass=abcdef:x')).toEqual(['abcdef']);
		const text = redact(`Fatal: Head "http://u:p%40ssword@127.0.0.1:9/config": refused (password p@ssword)`, secrets);
		expect(text).not.toMatch(/p%40ssword|p@ssword/);
		expect(text).toContain('u:***@127.0.0.1:9');
	});

	test('a label for file names carries no credential and only safe characters', () => {
		const label = locationLabel('rest:https://user:secret@host:8000/my repo');
		expect(label).not.toContain('secret');
		expect(label).toMatch(/^[A-Za-z0-9._-]+$/);
	});
});
