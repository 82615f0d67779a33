/**
 * The one place screens and subcommands reach repositories through. It maps each configured name to a
 * RepoModel keyed by restic's repository id: two names for one id share one model (one client, one
 * backup slot, one drill history); a location whose id changed (re-initialised) gets a new model, so
 * the old repository's drills are never shown for the new one; a name removed from the configuration
 * retires its model. Outside React; emits a new snapshot whenever any model or the mapping changes.
 */
import type {Repository} from '../config/config.js';
import {attributeHistory, drillHistory, type DrillReport} from '../drill/drill.js';
import type {ResticClient} from '../restic/client.js';
import {redactLocation} from '../util/redact.js';
import {repoKey} from './repo-key.js';
import {Observable} from '../store/store.js';
import {RepoModel, type RepoModelState} from './repo-model.js';

/** Builds the client for a configured repository (injected so tests can pick the binary or environment). */
export type ClientFactory = (repo: Repository) => ResticClient;

/** What the registry tells the user about (the TUI shows notices, subcommands print warnings). */
export type RegistryEvent = {type: 'id-changed'; name: string; location: string; from: string; to: string} | {type: 'shared'; names: string[]; id: string} | {type: 'removed'; names: string[]} | {type: 'unattributed-drills'; count: number; files: string[]};

/** An immutable view of every configured repository and its model state, in configuration order. */
export interface RegistrySnapshot {
	repositories: readonly Repository[];
	/** The model state of each name (names sharing a repository share the same state object). */
	states: ReadonlyMap<string, RepoModelState>;
	/** Why a name that screens may still show is gone ("usb was removed from the configuration"). */
	gone: ReadonlyMap<string, string>;
}

/** A short form of an id for messages. */
const short = (id: string) => id.slice(0, 8);

export class RepoRegistry extends Observable<RegistrySnapshot> {
	private repositories: Repository[] = [];
	private readonly byName = new Map<string, RepoModel>();
	/** Models by repository key (id and canonical location, see repo-key.ts). */
	private readonly byId = new Map<string, RepoModel>();
	private readonly gone = new Map<string, string>();
	private readonly unsubscribers = new Map<RepoModel, () => void>();
	private readonly eventListeners = new Set<(event: RegistryEvent) => void>();
	private historyCache: {all: DrillReport[]; byId: Map<string, DrillReport[]>; unattributed: DrillReport[]} | undefined;
	private unattributedNoticed = false;

	constructor(
		repositories: readonly Repository[],
		private readonly clientFactory: ClientFactory,
		private readonly options: {history?: () => DrillReport[]} = {},
	) {
		super({repositories: [], states: new Map(), gone: new Map()});
		this.setRepositories(repositories);
	}

	/** Hear about id changes, shared repositories, removals and history that cannot be attributed. */
	onEvent(listener: (event: RegistryEvent) => void): () => void {
		this.eventListeners.add(listener);
		// History without an id is reported to the first listener that can show it.
		if (!this.unattributedNoticed) {
			const {unattributed} = this.history();
			if (unattributed.length > 0) {
				this.unattributedNoticed = true;
				listener({type: 'unattributed-drills', count: unattributed.length, files: unattributed.map(r => r.reportFiles?.json ?? r.date)});
			}
		}
		return () => this.eventListeners.delete(listener);
	}

	private emit(event: RegistryEvent): void {
		for (const l of [...this.eventListeners]) l(event);
	}

	/** Every drill report on disk, split by repository id (read once, then kept up to date by recordDrill). */
	history(): {all: readonly DrillReport[]; unattributed: readonly DrillReport[]} {
		if (!this.historyCache) {
			const all = (this.options.history ?? drillHistory)();
			this.historyCache = {all, ...attributeHistory(all)};
		}
		return this.historyCache;
	}

	private drillsOf(key: string | undefined): DrillReport[] {
		return key ? (this.history(), this.historyCache!.byId.get(key) ?? []) : [];
	}

	/** The configured repositories, in order. */
	list(): readonly Repository[] {
		return this.repositories;
	}

	/** A configured (or added) repository by name. */
	repository(name: string): Repository | undefined {
		return this.repositories.find(r => r.name === name);
	}

	/** The model a name leads to right now (it changes when the id becomes known or changes). */
	modelFor(name: string): RepoModel | undefined {
		return this.byName.get(name);
	}

	/** The state of the model of a name. */
	stateOf(name: string): RepoModelState | undefined {
		return this.byName.get(name)?.getSnapshot();
	}

	/** Add a repository that is not in the configuration (`--repo /some/path`) and return its model. */
	ensure(repo: Repository): RepoModel {
		if (!this.repository(repo.name)) this.setRepositories([...this.repositories, repo]);
		return this.byName.get(repo.name)!;
	}

	/**
	 * Follow a new configuration: new names get a model, removed names leave theirs (a model no name leads
	 * to is retired: its listing and indexing stop; a running backup finishes and is still shown as a task).
	 */
	setRepositories(next: readonly Repository[]): void {
		const removed: string[] = [];
		for (const name of [...this.byName.keys()]) {
			const now = next.find(r => r.name === name);
			// Same name, other location or credentials: a different repository as far as resto knows.
			if (!now || JSON.stringify(now.access) !== JSON.stringify(this.repository(name)?.access)) {
				this.detach(name, now ? `the configuration of ${name} changed` : `${name} was removed from the configuration`);
				if (!now) {
					removed.push(name);
					this.gone.set(name, `${name} was removed from the configuration`);
				}
			}
		}
		this.repositories = [...next];
		for (const repo of next) {
			this.gone.delete(repo.name);
			if (!this.byName.has(repo.name)) this.attach(repo.name, this.newModel(repo));
		}
		this.publish();
		if (removed.length > 0) this.emit({type: 'removed', names: removed});
	}

	private newModel(repo: Repository, id?: string): RepoModel {
		const model = new RepoModel(repo, this.clientFactory(repo), id);
		this.unsubscribers.set(
			model,
			model.subscribe(() => this.publish()),
		);
		if (id) {
			const key = repoKey(id, repo.access.repository);
			this.byId.set(key, model);
			model.update({drills: this.drillsOf(key)});
		}
		return model;
	}

	private attach(name: string, model: RepoModel): void {
		this.byName.set(name, model);
		const names = model.getSnapshot().names;
		if (!names.includes(name)) model.update({names: [...names, name]});
	}

	private detach(name: string, reason: string): void {
		const model = this.byName.get(name);
		if (!model) return;
		this.byName.delete(name);
		const names = model.getSnapshot().names.filter(n => n !== name);
		if (names.length > 0) {
			model.update({names});
			return;
		}
		this.unsubscribers.get(model)?.();
		this.unsubscribers.delete(model);
		const key = model.id ? repoKey(model.id, model.getSnapshot().location) : undefined;
		if (key && this.byId.get(key) === model) this.byId.delete(key);
		model.retire(reason);
	}

	private publish(): void {
		const states = new Map<string, RepoModelState>();
		for (const repo of this.repositories) {
			const m = this.byName.get(repo.name);
			if (m) states.set(repo.name, m.getSnapshot());
		}
		this.set({repositories: this.repositories, states, gone: new Map(this.gone)});
	}

	/**
	 * Attach a name to the repository with this id. The first name to reach an id gives its model the id;
	 * a second name joins that model; a name whose id changed leaves its old model for a new one.
	 */
	private identified(name: string, id: string): RepoModel {
		const current = this.byName.get(name)!;
		if (current.id === id) return current;
		const key = repoKey(id, this.repository(name)!.access.repository);
		const existing = this.byId.get(key);
		if (current.id === undefined) {
			if (!existing) {
				current.update({id, drills: this.drillsOf(key)});
				this.byId.set(key, current);
				current.indexer().repoId ??= id;
				return current;
			}
			// The provisional model of this name goes; the shared one keeps the newest status of either.
			const status = current.getSnapshot().status;
			this.detach(name, `${name} is the same repository as ${existing.getSnapshot().names.join(', ')}`);
			this.attach(name, existing);
			if (status && status.health !== 'checking' && !existing.getSnapshot().status) existing.update({status});
			this.emit({type: 'shared', names: existing.getSnapshot().names.slice(), id});
			return existing;
		}
		// Re-initialised (or replaced) at the same location: a different repository from now on.
		const from = current.id;
		const location = current.getSnapshot().location;
		this.detach(name, `the repository at ${location} was replaced (id ${short(from)} → ${short(id)})`);
		const target = existing ?? this.newModel(this.repository(name)!, id);
		this.attach(name, target);
		this.publish();
		this.emit({type: 'id-changed', name, location, from, to: id});
		return target;
	}

	/** Ask restic for the repository id of a name (`restic cat config`) and attach the name accordingly. */
	async identify(name: string, signal?: AbortSignal): Promise<RepoModel> {
		const repo = this.repository(name);
		if (!repo) throw new Error(`unknown repository ${name}`);
		const id = await this.clientFactory(repo).repoId(signal);
		if (this.repository(name) !== repo) throw new Error(`${name} was removed from the configuration`);
		return this.identified(name, id);
	}

	/**
	 * Check one repository: its id (which model it is), the snapshots (count, latest; proves password and
	 * reachability) and the locks, side by side. The identity is asked with the name's own credentials on
	 * every check, so a repository re-initialised while resto runs is noticed. Never throws.
	 */
	async check(name: string, signal?: AbortSignal): Promise<RepoModel | undefined> {
		const repo = this.repository(name);
		const before = this.byName.get(name);
		if (!repo || !before) return undefined;
		before.checking();
		const client = this.clientFactory(repo);
		try {
			const idPromise = client.repoId(signal);
			const locksPromise = client.locks(signal).catch(() => []);
			idPromise.catch(() => undefined);
			const snapshots = await client.snapshots({}, signal);
			const id = await idPromise;
			const locks = await locksPromise;
			// The name may have left the configuration while restic ran.
			if (this.repository(name) !== repo) return undefined;
			const model = this.identified(name, id);
			model.checked(snapshots, locks);
			return model;
		} catch (error) {
			const model = this.byName.get(name);
			if (signal?.aborted) {
				if (model?.getSnapshot().status?.health === 'checking') model.update({status: undefined});
				return model;
			}
			model?.failed(error);
			return model;
		}
	}

	/** Check every repository concurrently; one broken repository never blocks the others. */
	async checkAll(signal?: AbortSignal): Promise<void> {
		await Promise.allSettled(this.repositories.map(r => this.check(r.name, signal)));
	}

	/** A drill finished: its report joins the history of its repository id (and only that one). */
	recordDrill(report: DrillReport): void {
		const h = this.history() && this.historyCache!;
		h.all = [report, ...h.all];
		const id = report.repository.id;
		if (!id) {
			h.unattributed = [report, ...h.unattributed];
			this.publish();
			return;
		}
		const key = repoKey(id, report.repository.location);
		const list = [report, ...(h.byId.get(key) ?? [])];
		h.byId.set(key, list);
		this.byId.get(key)?.update({drills: list});
		this.publish();
	}

	/** The name and location of a report's repository as a list shows it. */
	static reportLabel(report: DrillReport): string {
		const location = redactLocation(report.repository.location);
		return report.repository.name === location ? location : `${report.repository.name} (${location})`;
	}

	/** Stop background work of every model (resto is quitting). */
	dispose(): void {
		for (const name of [...this.byName.keys()]) this.detach(name, 'resto stopped');
	}
}
