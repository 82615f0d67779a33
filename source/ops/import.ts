/**
 * Import resticprofile (TOML, YAML or JSON; `inherit` resolved as resticprofile does), autorestic (YAML) and
 * Backrest (config.json) configurations into resto's config shape. Pure: returns the entries, what was
 * understood, and every key that was not (with its path), so the preview can say both. Passwords found
 * inline are returned apart (the runner writes them to 0600 files); they never appear in the preview.
 */
import {parse as parseToml, TomlError} from 'smol-toml';
import {parse as parseYaml} from 'yaml';

export type ImportFormat = 'resticprofile' | 'autorestic' | 'backrest';

/** A repository entry in resto's config shape. */
export interface ImportedRepository {
	name: string;
	repository: string;
	passwordFile?: string;
	passwordCommand?: string;
	env?: Record<string, string>;
	retention?: Record<string, unknown>;
	copies?: Array<Record<string, unknown>>;
}

/** A backup set entry in resto's config shape. */
export interface ImportedSet {
	name: string;
	repository: string;
	paths: string[];
	exclude?: string[];
	excludeCaches?: boolean;
	excludeIfPresent?: string[];
	tags?: string[];
	host?: string;
	lowPriority?: boolean;
	hooks?: {pre?: string; post?: string};
	schedule?: {calendar: string; onFailure?: string};
	retention?: Record<string, unknown>;
}

export interface ImportResult {
	format: ImportFormat;
	repositories: ImportedRepository[];
	backupSets: ImportedSet[];
	/** "profile home: repository, password-file, backup.source, retention.keep-daily". */
	understood: string[];
	/** Keys resto did not take over, with their paths ("home.backup.one-file-system"). */
	notUnderstood: string[];
	/** Inline passwords: written to `file` (relative to resto's config dir) by the runner. */
	passwords: Array<{repository: string; file: string; value: string}>;
}

export class ImportError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ImportError';
	}
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
	return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function list(v: unknown): string[] {
	if (v === undefined || v === null) return [];
	return (Array.isArray(v) ? v : [v]).filter(x => typeof x === 'string' || typeof x === 'number').map(String);
}

function safeName(name: string): string {
	const n = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
	return n || 'imported';
}

/** Tracks which keys of an object were used, so the rest can be listed as not understood. */
class Reader {
	private readonly used = new Set<string>();
	constructor(
		readonly obj: Obj,
		readonly where: string,
		private readonly result: ImportResult,
	) {}

	get(key: string): unknown {
		if (key in this.obj) this.used.add(key);
		return this.obj[key];
	}

	/** Mark keys as handled without using their value (they mean nothing to resto, on purpose). */
	ignore(...keys: string[]): void {
		for (const k of keys) this.used.add(k);
	}

	done(): void {
		for (const k of Object.keys(this.obj)) if (!this.used.has(k)) this.result.notUnderstood.push(`${this.where}.${k}`);
	}
}

/** Guess the format from the file name and content. */
export function detectFormat(fileName: string, text: string): ImportFormat | 'toml' {
	if (/\.toml$/i.test(fileName)) return 'toml';
	if (/backrest/i.test(fileName) || (/"repos"\s*:/.test(text) && /"plans"\s*:/.test(text))) return 'backrest';
	if (/^\s*(locations|backends)\s*:/m.test(text) || /autorestic/i.test(fileName)) return 'autorestic';
	return 'resticprofile';
}

/** cron "M H dom mon dow" → systemd OnCalendar, for the forms both can say. */
export function cronToCalendar(cron: string): string | undefined {
	const f = cron.trim().split(/\s+/);
	if (f.length !== 5) return undefined;
	const [min, hour, dom, mon, dow] = f as [string, string, string, string, string];
	const field = /^(\*|\d+(?:[-,]\d+)*|\*\/\d+)$/;
	if (![min, hour, dom, mon].every(x => field.test(x)) || !/^(\*|[0-7](?:[-,][0-7])*)$/.test(dow)) return undefined;
	const conv = (x: string) => (x.startsWith('*/') ? `0/${x.slice(2)}` : x.replace(/-/g, '..'));
	const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
	const dowPart = dow === '*' ? '' : `${dow.replace(/\d/g, d => days[Number(d)]!).replace(/-/g, '..')} `;
	const pad = (x: string) => (/^\d$/.test(x) ? `0${x}` : x);
	return `${dowPart}*-${conv(mon)}-${conv(dom)} ${pad(conv(hour))}:${pad(conv(min))}:00`;
}

const retentionKeys: Record<string, string> = {
	'keep-last': 'keepLast',
	'keep-hourly': 'keepHourly',
	'keep-daily': 'keepDaily',
	'keep-weekly': 'keepWeekly',
	'keep-monthly': 'keepMonthly',
	'keep-yearly': 'keepYearly',
	'keep-within': 'keepWithin',
	'keep-within-hourly': 'keepWithinHourly',
	'keep-within-daily': 'keepWithinDaily',
	'keep-within-weekly': 'keepWithinWeekly',
	'keep-within-monthly': 'keepWithinMonthly',
	'keep-within-yearly': 'keepWithinYearly',
	'group-by': 'groupBy',
};

/** restic-style forget options (keep-daily: 7 …) → resto retention; unknown keys are reported. */
function retentionFrom(r: Reader, understood: string[]): Record<string, unknown> | undefined {
	const out: Record<string, unknown> = {};
	for (const [flag, key] of Object.entries(retentionKeys)) {
		const v = r.get(flag);
		if (v === undefined) continue;
		out[key] = key.startsWith('keepWithin') || key === 'groupBy' ? String(v) : Number(v);
		understood.push(`${r.where}.${flag}`);
	}
	const keepTag = r.get('keep-tag');
	if (keepTag !== undefined) {
		out.keepTags = list(keepTag).map(t => t.split(',').filter(Boolean));
		understood.push(`${r.where}.keep-tag`);
	}
	return Object.keys(out).length > 0 ? out : undefined;
}

function emptyResult(format: ImportFormat): ImportResult {
	return {
		format,
		repositories: [],
		backupSets: [],
		understood: [],
		notUnderstood: [],
		passwords: [],
	};
}

/**
 * resticprofile's `inherit`: a profile is its parent's settings overlaid with its own, sections merged key
 * by key and lists replaced (as resticprofile merges them). A missing parent or a cycle is reported.
 */
function resolveInheritance(declared: Obj, where: (name: string) => string, res: ImportResult): Obj {
	const resolved: Obj = {};
	const resolve = (name: string, chain: string[]): Obj | undefined => {
		if (isObj(resolved[name])) return resolved[name];
		const own = declared[name];
		if (!isObj(own)) return undefined;
		const parent = own.inherit;
		let base: Obj = {};
		if (typeof parent === 'string') {
			if (chain.includes(parent)) res.notUnderstood.push(`${where(name)}.inherit (a cycle: ${[...chain, name, parent].join(' → ')})`);
			else if (!isObj(declared[parent])) res.notUnderstood.push(`${where(name)}.inherit (no profile "${parent}")`);
			else base = resolve(parent, [...chain, name]) ?? {};
		}
		const {inherit: _parentName, ...rest} = base;
		const merged = mergeProfile(rest, own);
		resolved[name] = merged;
		return merged;
	};
	// In the order they were written (a parent resolves before its child).
	return Object.fromEntries(Object.keys(declared).map(name => [name, resolve(name, []) ?? declared[name]]));
}

function mergeProfile(base: Obj, own: Obj): Obj {
	const out: Obj = {...base};
	for (const [k, v] of Object.entries(own)) out[k] = isObj(v) && isObj(base[k]) ? mergeProfile(base[k], v) : v;
	return out;
}

/** resticprofile v1 (profiles at top level) or v2 (`profiles:`), TOML, YAML or JSON. */
export function importResticprofile(data: unknown): ImportResult {
	const res = emptyResult('resticprofile');
	if (!isObj(data)) throw new ImportError('resticprofile: expected a mapping of profiles');
	const top = new Reader(data, '', res);
	top.get('version');
	const global = top.get('global');
	let lowPriority = false;
	if (isObj(global)) {
		const g = new Reader(global, 'global', res);
		const prio = g.get('priority');
		if (typeof prio === 'string') {
			lowPriority = ['low', 'idle', 'background'].includes(prio);
			res.understood.push('global.priority');
		}
		g.ignore('default-command', 'initialize', 'restic-binary', 'restic-lock-retry-after', 'restic-stale-lock-age');
		g.done();
	}
	top.ignore('includes', 'groups');
	const declared: Obj = String(data.version ?? '1') === '2' ? (isObj(top.get('profiles')) ? (data.profiles as Obj) : {}) : Object.fromEntries(Object.entries(data).filter(([k]) => !['version', 'global', 'groups', 'includes'].includes(k)));
	const v2 = String(data.version ?? '1') === '2';
	const profiles = resolveInheritance(declared, pname => (v2 ? `profiles.${pname}` : pname), res);
	const parents = new Set(Object.values(declared).flatMap(v => (isObj(v) && typeof v.inherit === 'string' ? [v.inherit] : [])));
	for (const [pname, pval] of Object.entries(profiles)) {
		top.ignore(pname);
		if (!isObj(pval)) continue;
		const where = v2 ? `profiles.${pname}` : pname;
		const p = new Reader(pval, where, res);
		const name = safeName(pname);
		const repository = p.get('repository');
		const parent = p.get('inherit');
		if (typeof parent === 'string' && isObj(declared[parent])) res.understood.push(`${where}.inherit`);
		if (typeof repository !== 'string') {
			// A base profile others inherit from is not a profile of its own: its keys live on in theirs.
			if (parents.has(pname)) res.understood.push(`${where} (base profile: inherited, not imported by itself)`);
			else p.done();
			continue;
		}
		const repo: ImportedRepository = {
			name,
			repository: repository.replace(/^local:/, ''),
		};
		res.understood.push(`${where}.repository`);
		const pf = p.get('password-file');
		if (typeof pf === 'string') {
			repo.passwordFile = pf;
			res.understood.push(`${where}.password-file`);
		}
		const pc = p.get('password-command');
		if (typeof pc === 'string') {
			repo.passwordCommand = pc;
			res.understood.push(`${where}.password-command`);
		}
		const env = p.get('env');
		if (isObj(env)) {
			repo.env = Object.fromEntries(Object.entries(env).map(([k, v]) => [k.toUpperCase(), String(v)]));
			res.understood.push(`${where}.env`);
		}
		p.ignore('initialize', 'lock', 'force-inactive-lock', 'description');
		const retention = p.get('retention');
		if (isObj(retention)) {
			const r = new Reader(retention, `${where}.retention`, res);
			repo.retention = retentionFrom(r, res.understood);
			r.ignore('after-backup', 'before-backup');
			r.done();
		}
		const copy = p.get('copy');
		if (isObj(copy)) {
			const c = new Reader(copy, `${where}.copy`, res);
			const target = c.get('repository');
			if (typeof target === 'string') {
				const entry: Record<string, unknown> = {
					name: 'copy',
					type: 'restic',
					target: target.replace(/^local:/, ''),
				};
				const cpf = c.get('password-file');
				if (typeof cpf === 'string') entry.passwordFile = cpf;
				repo.copies = [entry];
				res.understood.push(`${where}.copy.repository`);
			}
			c.done();
		}
		const backup = p.get('backup');
		if (isObj(backup)) {
			const b = new Reader(backup, `${where}.backup`, res);
			const paths = list(b.get('source'));
			const set: ImportedSet = {name, repository: name, paths};
			if (lowPriority) set.lowPriority = true;
			const got = (k: string) => res.understood.push(`${where}.backup.${k}`);
			if (paths.length > 0) got('source');
			const exclude = list(b.get('exclude'));
			if (exclude.length) {
				set.exclude = exclude;
				got('exclude');
			}
			const ec = b.get('exclude-caches');
			if (typeof ec === 'boolean') {
				set.excludeCaches = ec;
				got('exclude-caches');
			}
			const eip = list(b.get('exclude-if-present'));
			if (eip.length) {
				set.excludeIfPresent = eip;
				got('exclude-if-present');
			}
			const tags = list(b.get('tag'));
			if (tags.length) {
				set.tags = tags;
				got('tag');
			}
			const host = b.get('host');
			if (typeof host === 'string') {
				set.host = host;
				got('host');
			}
			const before = list(b.get('run-before'));
			const after = list(b.get('run-after'));
			if (before.length || after.length) {
				set.hooks = {
					...(before.length ? {pre: before.join(' && ')} : {}),
					...(after.length ? {post: after.join(' && ')} : {}),
				};
				if (before.length) got('run-before');
				if (after.length) got('run-after');
			}
			const schedule = list(b.get('schedule'));
			if (schedule.length > 0) {
				set.schedule = {calendar: schedule[0]!};
				got('schedule');
				if (schedule.length > 1) res.notUnderstood.push(`${where}.backup.schedule[1..] (resto schedules one calendar per set)`);
			}
			const fail = list(b.get('run-after-fail'));
			if (fail.length) {
				if (set.schedule) {
					set.schedule.onFailure = fail.join(' && ');
					got('run-after-fail');
				} else res.notUnderstood.push(`${where}.backup.run-after-fail (only used with a schedule)`);
			}
			b.ignore('schedule-permission', 'schedule-log', 'schedule-lock-wait', 'schedule-priority');
			if (paths.length === 0) res.notUnderstood.push(`${where}.backup (no source: no backup set made)`);
			else res.backupSets.push(set);
			b.done();
		}
		res.repositories.push(repo);
		p.done();
	}
	return res;
}

/** autorestic .autorestic.yml: backends → repositories, locations → backup sets. */
export function importAutorestic(data: unknown): ImportResult {
	const res = emptyResult('autorestic');
	if (!isObj(data)) throw new ImportError('autorestic: expected a mapping with locations and backends');
	const top = new Reader(data, '', res);
	top.get('version');
	top.ignore('extras');
	const global = top.get('global');
	let globalRetention: Record<string, unknown> | undefined;
	if (isObj(global)) {
		const g = new Reader(global, 'global', res);
		const forget = g.get('forget');
		if (isObj(forget)) {
			const f = new Reader(forget, 'global.forget', res);
			globalRetention = retentionFrom(f, res.understood);
			f.done();
		}
		g.done();
	}
	const backends = top.get('backends');
	if (isObj(backends)) {
		for (const [bname, bval] of Object.entries(backends)) {
			if (!isObj(bval)) continue;
			const b = new Reader(bval, `backends.${bname}`, res);
			const type = String(b.get('type') ?? 'local');
			const p = String(b.get('path') ?? '');
			const name = safeName(bname);
			const repository = type === 'local' ? p : `${type}:${p}`;
			const repo: ImportedRepository = {name, repository};
			res.understood.push(`backends.${bname}.type`, `backends.${bname}.path`);
			const key = b.get('key');
			if (typeof key === 'string' && key) {
				const file = `${name}.pass`;
				res.passwords.push({repository: name, file, value: key});
				repo.passwordFile = file;
				res.understood.push(`backends.${bname}.key (moved to a 0600 password file)`);
			}
			const env = b.get('env');
			if (isObj(env)) {
				repo.env = Object.fromEntries(Object.entries(env).map(([k, v]) => [k.toUpperCase(), String(v)]));
				res.understood.push(`backends.${bname}.env`);
			}
			if (globalRetention) repo.retention = globalRetention;
			res.repositories.push(repo);
			b.done();
		}
	}
	const locations = top.get('locations');
	if (isObj(locations)) {
		for (const [lname, lval] of Object.entries(locations)) {
			if (!isObj(lval)) continue;
			const where = `locations.${lname}`;
			const l = new Reader(lval, where, res);
			const from = list(l.get('from'));
			const to = list(l.get('to'));
			if (to.length === 0 || from.length === 0) {
				res.notUnderstood.push(`${where} (needs from and to)`);
				l.done();
				continue;
			}
			res.understood.push(`${where}.from`, `${where}.to`);
			const base: Omit<ImportedSet, 'name' | 'repository'> = {paths: from};
			const cron = l.get('cron');
			if (typeof cron === 'string') {
				const calendar = cronToCalendar(cron);
				if (calendar) {
					base.schedule = {calendar};
					res.understood.push(`${where}.cron`);
				} else res.notUnderstood.push(`${where}.cron ("${cron}" has no systemd calendar form resto can derive)`);
			}
			const options = l.get('options');
			if (isObj(options)) {
				const o = new Reader(options, `${where}.options`, res);
				const backup = o.get('backup');
				if (isObj(backup)) {
					const bo = new Reader(backup, `${where}.options.backup`, res);
					const tags = list(bo.get('tag'));
					if (tags.length) {
						base.tags = tags;
						res.understood.push(`${where}.options.backup.tag`);
					}
					const exclude = list(bo.get('exclude'));
					if (exclude.length) {
						base.exclude = exclude;
						res.understood.push(`${where}.options.backup.exclude`);
					}
					const ec = bo.get('exclude-caches');
					if (ec !== undefined) {
						base.excludeCaches = Boolean(ec);
						res.understood.push(`${where}.options.backup.exclude-caches`);
					}
					const host = bo.get('host');
					if (typeof host === 'string') {
						base.host = host;
						res.understood.push(`${where}.options.backup.host`);
					}
					bo.done();
				}
				const forget = o.get('forget');
				if (isObj(forget)) {
					const fo = new Reader(forget, `${where}.options.forget`, res);
					base.retention = retentionFrom(fo, res.understood);
					fo.done();
				}
				o.done();
			}
			const hooks = l.get('hooks');
			if (isObj(hooks)) {
				const h = new Reader(hooks, `${where}.hooks`, res);
				const before = list(h.get('before'));
				const after = list(h.get('after'));
				const failure = list(h.get('failure'));
				if (before.length || after.length)
					base.hooks = {
						...(before.length ? {pre: before.join(' && ')} : {}),
						...(after.length ? {post: after.join(' && ')} : {}),
					};
				if (before.length) res.understood.push(`${where}.hooks.before`);
				if (after.length) res.understood.push(`${where}.hooks.after`);
				if (failure.length && base.schedule) {
					base.schedule.onFailure = failure.join(' && ');
					res.understood.push(`${where}.hooks.failure`);
				} else if (failure.length) res.notUnderstood.push(`${where}.hooks.failure (only used with a schedule)`);
				h.done();
			}
			l.ignore('forget');
			// One set per backend: autorestic backs up to each independently.
			to.forEach((backend, i) =>
				res.backupSets.push({
					name: i === 0 ? safeName(lname) : safeName(`${lname}-${backend}`),
					repository: safeName(backend),
					...structuredClone(base),
				}),
			);
			l.done();
		}
	}
	top.done();
	return res;
}

/** Backrest config.json: repos → repositories, plans → backup sets. */
export function importBackrest(data: unknown): ImportResult {
	const res = emptyResult('backrest');
	if (!isObj(data)) throw new ImportError('backrest: expected a JSON object');
	const top = new Reader(data, '', res);
	top.ignore('modno', 'version', 'instance', 'auth', 'multihost', 'sync');
	const repos = top.get('repos');
	for (const [i, rv] of (Array.isArray(repos) ? repos : []).entries()) {
		if (!isObj(rv)) continue;
		const where = `repos[${i}]`;
		const r = new Reader(rv, where, res);
		const name = safeName(String(r.get('id') ?? `repo${i}`));
		const uri = String(r.get('uri') ?? '');
		const repo: ImportedRepository = {
			name,
			repository: uri.replace(/^local:/, ''),
		};
		res.understood.push(`${where}.id`, `${where}.uri`);
		const password = r.get('password');
		if (typeof password === 'string' && password) {
			const file = `${name}.pass`;
			res.passwords.push({repository: name, file, value: password});
			repo.passwordFile = file;
			res.understood.push(`${where}.password (moved to a 0600 password file)`);
		}
		const env = r.get('env');
		if (Array.isArray(env)) {
			const vars: Record<string, string> = Object.fromEntries(
				env
					.map(String)
					.map(e => [e.slice(0, Math.max(0, e.indexOf('='))), e.slice(e.indexOf('=') + 1)])
					.filter(([k]) => k),
			);
			const pw = vars.RESTIC_PASSWORD_COMMAND;
			if (pw) {
				repo.passwordCommand = pw;
				delete vars.RESTIC_PASSWORD_COMMAND;
			}
			repo.env = vars;
			res.understood.push(`${where}.env`);
		}
		r.ignore('guid', 'autoUnlock', 'autoInitialize');
		res.repositories.push(repo);
		r.done();
	}
	const plans = top.get('plans');
	for (const [i, pv] of (Array.isArray(plans) ? plans : []).entries()) {
		if (!isObj(pv)) continue;
		const where = `plans[${i}]`;
		const p = new Reader(pv, where, res);
		const set: ImportedSet = {
			name: safeName(String(p.get('id') ?? `plan${i}`)),
			repository: safeName(String(p.get('repo') ?? '')),
			paths: list(p.get('paths')),
		};
		res.understood.push(`${where}.id`, `${where}.repo`, `${where}.paths`);
		const ex = list(p.get('excludes'));
		if (ex.length) {
			set.exclude = ex;
			res.understood.push(`${where}.excludes`);
		}
		const schedule = p.get('schedule');
		if (isObj(schedule)) {
			const s = new Reader(schedule, `${where}.schedule`, res);
			const cron = s.get('cron');
			const days = s.get('maxFrequencyDays');
			const hours = s.get('maxFrequencyHours');
			s.ignore('clock');
			if (s.get('disabled') === true) res.understood.push(`${where}.schedule.disabled`);
			else if (typeof cron === 'string' && cronToCalendar(cron)) {
				set.schedule = {calendar: cronToCalendar(cron)!};
				res.understood.push(`${where}.schedule.cron`);
			} else if (days === 1 || hours === 24) {
				set.schedule = {calendar: 'daily'};
				res.understood.push(`${where}.schedule.maxFrequencyDays`);
			} else if (days === 7) {
				set.schedule = {calendar: 'weekly'};
				res.understood.push(`${where}.schedule.maxFrequencyDays`);
			} else if (hours === 1) {
				set.schedule = {calendar: 'hourly'};
				res.understood.push(`${where}.schedule.maxFrequencyHours`);
			} else if (cron !== undefined || days !== undefined || hours !== undefined) res.notUnderstood.push(`${where}.schedule (${JSON.stringify(schedule)} has no calendar form resto can derive)`);
			s.done();
		}
		const retention = p.get('retention');
		if (isObj(retention)) {
			const r = new Reader(retention, `${where}.retention`, res);
			const tb = r.get('policyTimeBucketed');
			const lastN = r.get('policyKeepLastN');
			r.get('policyKeepAll');
			if (isObj(tb)) {
				const t = new Reader(tb, `${where}.retention.policyTimeBucketed`, res);
				const out: Record<string, unknown> = {};
				for (const [k, key] of [
					['hourly', 'keepHourly'],
					['daily', 'keepDaily'],
					['weekly', 'keepWeekly'],
					['monthly', 'keepMonthly'],
					['yearly', 'keepYearly'],
					['keepLastN', 'keepLast'],
				] as const) {
					const v = t.get(k);
					if (typeof v === 'number' && v > 0) out[key] = v;
				}
				set.retention = out;
				res.understood.push(`${where}.retention.policyTimeBucketed`);
				t.done();
			} else if (typeof lastN === 'number') {
				set.retention = {keepLast: lastN};
				res.understood.push(`${where}.retention.policyKeepLastN`);
			}
			r.done();
		}
		const flags = list(p.get('backup_flags'));
		if (flags.length) res.notUnderstood.push(`${where}.backup_flags (${flags.join(' ')}: add them to the set by hand)`);
		const hooks = p.get('hooks');
		if (Array.isArray(hooks) && hooks.length > 0) res.notUnderstood.push(`${where}.hooks (${hooks.length} Backrest hook(s): resto has pre/post commands and an onFailure command)`);
		p.ignore('iexcludes');
		if (list(pv.iexcludes).length) res.notUnderstood.push(`${where}.iexcludes (case-insensitive excludes)`);
		res.backupSets.push(set);
		p.done();
	}
	top.done();
	return res;
}

/** Parse and import a file's text. */
export function importText(fileName: string, text: string, format?: ImportFormat): ImportResult {
	const detected = format ?? detectFormat(fileName, text);
	if (detected === 'toml' || /\.toml$/i.test(fileName)) {
		// TOML is resticprofile's own format (autorestic and Backrest do not use it).
		let data: unknown;
		try {
			data = parseToml(text);
		} catch (error) {
			const e = error as Error;
			const at = error instanceof TomlError ? ` (line ${error.line}, column ${error.column})` : '';
			throw new ImportError(`${fileName}: cannot parse TOML${at}: ${e.message.split('\n')[0]}`);
		}
		if (format && format !== 'resticprofile') throw new ImportError(`${fileName}: a TOML file is a resticprofile configuration, not ${format}`);
		return importResticprofile(data);
	}
	let data: unknown;
	try {
		data = /\.json$/i.test(fileName) || text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
	} catch (error) {
		throw new ImportError(`${fileName}: cannot parse: ${(error as Error).message.split('\n')[0]}`);
	}
	if (detected === 'backrest') return importBackrest(data);
	if (detected === 'autorestic') return importAutorestic(data);
	return importResticprofile(data);
}
