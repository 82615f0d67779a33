/**
 * Config schemas for operations (issue 15): schedules per backup set, retention policies per repository
 * or set, offsite copies per repository. Kept apart from config.ts so that file only gains three fields.
 */
import * as z from 'zod';

const nonEmpty = z.string().min(1, 'must not be empty');
const name = nonEmpty.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" or "-"');

/** restic's duration syntax for --keep-within*: 1y5m7d2h (each part optional, at least one). */
export const resticDurationPattern = /^(?:\d+y)?(?:\d+m)?(?:\d+d)?(?:\d+h)?$/;
const resticDuration = nonEmpty.regex(resticDurationPattern, 'use restic durations such as 7d, 1y6m, 2d12h');

/** An interval such as 30m, 12h, 1d, 7d, 2w (for expected backup intervals and copy lag). */
export const intervalPattern = /^\d+(?:\.\d+)?\s*(?:s|m|min|h|d|w)$/;
const interval = nonEmpty.regex(intervalPattern, 'use an interval such as 12h, 1d, 7d, 2w');

/** A systemd time span such as 30min, 1h, 2h30min, 90s (RandomizedDelaySec=). No shell or unit syntax. */
const timeSpan = nonEmpty.regex(/^(?:\d+\s*(?:us|ms|s|sec|m|min|h|hr|d|w|y)?\s*)+$/, 'use a systemd time span such as 30min, 1h, 2h30min');

const noNewline = nonEmpty.refine(v => !/[\n\r\0]/.test(v), 'must be one line');

/** A tag list as restic takes it: "a,b" (both tags) or [a, b]. */
const tagList = z.union([nonEmpty, z.array(nonEmpty).min(1)]).transform(v =>
	Array.isArray(v)
		? v
		: v
				.split(',')
				.map(t => t.trim())
				.filter(Boolean),
);

export const retentionSchema = z.strictObject({
	keepLast: z.number().int().min(0).optional(),
	keepHourly: z.number().int().min(0).optional(),
	keepDaily: z.number().int().min(0).optional(),
	keepWeekly: z.number().int().min(0).optional(),
	keepMonthly: z.number().int().min(0).optional(),
	keepYearly: z.number().int().min(0).optional(),
	keepWithin: resticDuration.optional(),
	keepWithinHourly: resticDuration.optional(),
	keepWithinDaily: resticDuration.optional(),
	keepWithinWeekly: resticDuration.optional(),
	keepWithinMonthly: resticDuration.optional(),
	keepWithinYearly: resticDuration.optional(),
	/** Keep every snapshot carrying all tags of one of these lists. */
	keepTags: z.array(tagList).optional(),
	/** Only consider snapshots of these hosts / with one of these tag lists / with all these paths. */
	hosts: z.array(nonEmpty).optional(),
	tags: z.array(tagList).optional(),
	paths: z.array(nonEmpty).optional(),
	/** restic's --group-by: host, paths and/or tags separated by commas; "" for no grouping. */
	groupBy: z
		.string()
		.regex(/^(?:(?:host|paths|tags)(?:,(?:host|paths|tags))*)?$/, 'use host, paths and/or tags separated by commas, or ""')
		.optional(),
});

export const scheduleSchema = z.strictObject({
	/** systemd OnCalendar= expression: daily, weekly, "Sun 03:00", "*-*-* 02:30:00". */
	calendar: noNewline.refine(v => !/[%$\\"';`]/.test(v), 'must be a systemd calendar expression'),
	randomizedDelay: timeSpan.optional(),
	/** Wake the machine from suspend for the run (WakeSystem=). */
	wakeSystem: z.boolean().optional(),
	/** A shell command run when a scheduled backup fails; $RESTO_FAILED_UNIT names the unit. */
	onFailure: noNewline.optional(),
	/** skip: do not run on battery power. */
	onBattery: z.enum(['skip', 'run']).optional(),
	/** Run a missed backup at the next boot (Persistent=); default true. */
	persistent: z.boolean().optional(),
});

export const copySchema = z
	.strictObject({
		name,
		/** rclone: mirror the repository directory with rclone sync; restic: restic copy into a second repository. */
		type: z.enum(['rclone', 'restic']),
		/** rclone: a local directory or an rclone remote path (remote:bucket/dir); restic: a repository string of any backend. */
		target: nonEmpty,
		/** For type restic: the second repository's password (defaults to the source's). */
		passwordFile: nonEmpty.optional(),
		passwordCommand: nonEmpty.optional(),
		env: z.record(z.string(), z.string()).optional(),
		/** Where it lives, for the 3-2-1 count. Derived from the target when missing. */
		medium: nonEmpty.optional(),
		location: nonEmpty.optional(),
		offsite: z.boolean().optional(),
		/** For type restic: the repository id the copy must have (restic cat config). */
		repositoryId: z
			.string()
			.regex(/^[0-9a-f]{64}$/, 'a 64-hex repository id')
			.optional(),
		/** How far the copy's newest snapshot may trail the source's before it is flagged (default 0). */
		maxLag: interval.optional(),
	})
	.refine(c => !(c.passwordFile && c.passwordCommand), {
		message: 'give only one of passwordFile, passwordCommand',
	});

/** Operations fields of a repository entry. */
export const repositoryOpsFields = {
	retention: retentionSchema.optional(),
	copies: z.array(copySchema).optional(),
	/** How often a new snapshot is expected (flagged when the newest is older). Default: from its sets' schedules. */
	expectedInterval: interval.optional(),
	/** Where the repository itself lives, for the 3-2-1 count. */
	medium: nonEmpty.optional(),
	location: nonEmpty.optional(),
	offsite: z.boolean().optional(),
};

/** Operations fields of a backup set entry. */
export const backupSetOpsFields = {
	schedule: scheduleSchema.optional(),
	retention: retentionSchema.optional(),
};

export type RetentionConfig = z.infer<typeof retentionSchema>;
export type ScheduleConfig = z.infer<typeof scheduleSchema>;
export type CopyConfig = z.infer<typeof copySchema>;

/** Parse an interval (12h, 1d, 2w) into milliseconds. */
export function intervalMs(text: string): number {
	const m = /^(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)$/.exec(text.trim());
	if (!m) throw new TypeError(`not an interval: ${JSON.stringify(text)}`);
	const unit = {s: 1, m: 60, min: 60, h: 3600, d: 86_400, w: 604_800}[m[2] as 's'] * 1000;
	return Number(m[1]) * unit;
}
