/**
 * The synthetic home of the benchmarks (one generator for bench-search and bench-union): code with
 * dependency trees, photos, documents, caches, music, plus the files a person looks for (taxes, a
 * resume, a README…) next to their machine-made look-alikes; optionally one folder of `bigFolder`
 * entries (a camera dump) for the open-a-big-folder figure. `syntheticIndex` adds ~1 % modified,
 * ~0.5 % added, ~0.3 % deleted between snapshots and feeds `restic ls --json` lines through the real
 * parser into a FileIndex.
 */
import {FileIndex} from '../source/index/file-index.js';
import {parseLsLine, type Snapshot} from '../source/restic/parse.js';
import {seededRandom} from '../source/util/random.js';

export const home = '/home/alice.johnson';
export const bigFolderPath = `${home}/Pictures/Camera Dump`;

export const words = ['report', 'final', 'draft', 'invoice', 'notes', 'meeting', 'budget', 'summary', 'thesis', 'chapter', 'resume', 'letter', 'contract', 'scan', 'receipt', 'plan', 'design', 'spec', 'review', 'backup'];
export const exts = ['pdf', 'docx', 'txt', 'md', 'xlsx', 'png', 'jpg', 'ts', 'js', 'json', 'py', 'go', 'rs', 'html', 'css', 'csv'];
const pkgs = ['react', 'lodash', 'typescript', 'webpack', 'babel-core', 'eslint', 'jest', 'express', 'chalk', 'yargs', 'semver', 'debug', 'ms', 'glob', 'minimatch'];
/** Files a person would look for (bench-search's relevance table checks where each lands). */
export const meantFiles = ['Documents/resume.pdf', 'projects/resto/README.md', 'projects/resto/package.json', 'Documents/invoice-2023.pdf', 'Documents/thesis.pdf', '.bashrc', 'Documents/budget-2024.xlsx', 'Pictures/photos/2024/beach.jpg'];

/** One generated entry. */
export interface HomeEntry {
	path: string;
	size: number;
	dir: boolean;
}

/**
 * The base list of (path, type, size) entries, about `targetPaths` long. `rand` is the caller's seeded
 * generator (bench-search draws its churn from the same stream afterwards).
 */
export function generateHome(targetPaths: number, rand: () => number, options: {bigFolder?: number} = {}): HomeEntry[] {
	const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
	const out: HomeEntry[] = [];
	const dirs = new Set<string>();
	const addFile = (p: string, size: number) => {
		const parts = p.split('/');
		for (let i = 2; i < parts.length; i++) {
			const d = parts.slice(0, i).join('/');
			if (!dirs.has(d)) {
				dirs.add(d);
				out.push({path: d, size: 0, dir: true});
			}
		}
		out.push({path: p, size, dir: false});
	};
	for (let i = 0; i < (options.bigFolder ?? 0); i++) addFile(`${bigFolderPath}/DSC_${String(i).padStart(6, '0')}.jpg`, 3_000_000 + i);
	for (const year of [2019, 2020, 2021, 2022, 2023, 2024, 2025]) {
		addFile(`${home}/Documents/taxes/${year}/return-final.pdf`, 200_000);
		addFile(`${home}/Documents/taxes/${year}/return-draft.pdf`, 180_000);
		for (let i = 0; i < 40; i++) addFile(`${home}/Documents/taxes/${year}/receipts/receipt-${year}-${String(i).padStart(3, '0')}.pdf`, 40_000);
	}
	addFile(`${home}/Documents/holiday-lisbon-2024/itinerary.pdf`, 90_000);
	// Files a person would look for (the relevance table checks where each lands), next to their
	// machine-made look-alikes: a README and package.json in every installed package, caches.
	for (const f of meantFiles) addFile(`${home}/${f}`, 50_000);
	for (let i = 0; i < 60; i++) addFile(`${home}/src/github.com/alicejohnson/project-${i}/README.md`, 4000);
	while (out.length < targetPaths) {
		const r = rand();
		if (r < 0.45) {
			// Code with dependency trees: deep and repetitive, as in real homes.
			const proj = `project-${Math.floor(rand() * 60)}`;
			const pkg = pick(pkgs);
			const pkgDir = `${home}/src/github.com/alicejohnson/${proj}/packages/${pick(['app', 'server', 'shared'])}/node_modules/${pkg}`;
			// Every installed package has its package.json (added once, like the directories).
			if (!dirs.has(pkgDir)) {
				addFile(`${pkgDir}/package.json`, 1500);
				addFile(`${pkgDir}/README.md`, 3000);
			}
			addFile(`${pkgDir}/${pick(['lib', 'dist', 'src', 'build'])}/${pick(['internal', 'utils', 'helpers', 'core'])}/${pick(words)}-${Math.floor(rand() * 500)}.${pick(['js', 'ts', 'json', 'map'])}`, Math.floor(rand() * 50_000));
		} else if (r < 0.65) {
			const year = 2015 + Math.floor(rand() * 11);
			addFile(`${home}/Pictures/Camera Uploads/${year}/${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${pick(['holiday', 'birthday', 'garden', 'hiking', 'wedding', 'lisbon', 'christmas'])}/IMG_${Math.floor(rand() * 9000) + 1000}.jpg`, 2_000_000 + Math.floor(rand() * 4_000_000));
		} else if (r < 0.8) {
			addFile(`${home}/Documents/${pick(['work', 'personal', 'school', 'archive'])}/${pick(['clients', 'projects', 'admin'])}/${2010 + Math.floor(rand() * 16)}/${pick(words)}-${pick(words)}-${Math.floor(rand() * 1000)}.${pick(exts)}`, Math.floor(rand() * 3_000_000));
		} else if (r < 0.95) {
			addFile(
				`${home}/.cache/${pick(['mozilla', 'pip', 'go-build', 'thumbnails', 'yarn'])}/objects-v2/${Math.floor(rand() * 256).toString(16)}/${Math.floor(rand() * 256).toString(16)}/${Math.floor(rand() * 2 ** 32).toString(16)}${Math.floor(rand() * 2 ** 32).toString(16)}`,
				Math.floor(rand() * 100_000),
			);
		} else {
			addFile(`${home}/Music/${pick(['Artist One', 'The Band', 'Composer X', 'DJ Y'])}/${pick(['Album A', 'Live 2019', 'Greatest Hits'])}/${String(Math.floor(rand() * 20)).padStart(2, '0')} - ${pick(words)} ${pick(words)}.flac`, 30_000_000);
		}
	}
	return out;
}

/** Snapshot number `s` of the synthetic home: weekly, newest first. */
export function syntheticSnapshot(s: number, now: number): Snapshot {
	return {id: (s + 1).toString(16).padStart(64, 'a'), shortId: (s + 1).toString(16).padStart(8, 'a'), time: now - s * 7 * 86_400_000, timeText: '', hostname: 'laptop', username: 'alice', paths: [home], tags: []};
}

/** An entry as restic 0.14 prints it in `ls --json` (so the real parser reads it). */
export function lsJsonLine(e: HomeEntry & {mtime: number}): string {
	const time = new Date(e.mtime).toISOString();
	return JSON.stringify({
		name: e.path.slice(e.path.lastIndexOf('/') + 1),
		type: e.dir ? 'dir' : 'file',
		path: e.path,
		uid: 1000,
		gid: 1000,
		size: e.dir ? undefined : e.size,
		mode: e.dir ? 2147484141 : 420,
		permissions: e.dir ? 'drwxr-xr-x' : '-rw-r--r--',
		mtime: time,
		atime: time,
		ctime: time,
		struct_type: 'node',
	});
}

/** Build the index; `targetPaths` paths per snapshot, `snapshotCount` weekly snapshots. */
export function syntheticIndex(targetPaths: number, snapshotCount: number, bigFolder = 10_000, now = Date.now()): FileIndex {
	const rand = seededRandom(42);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
	const old = now - 400 * 86_400_000;
	const out = generateHome(targetPaths, rand, {bigFolder}).map(e => ({...e, mtime: old}));
	const index = new FileIndex();
	let current = out;
	for (let s = snapshotCount - 1; s >= 0; s--) {
		if (s !== snapshotCount - 1) {
			current = current.filter(() => rand() > 0.003);
			for (const e of current) {
				if (!e.dir && rand() < 0.01) {
					e.size += 1 + Math.floor(rand() * 1000);
					e.mtime += 86_400_000;
				}
			}
			const adds = Math.floor(current.length * 0.005);
			for (let i = 0; i < adds; i++) current.push({path: `${home}/Documents/new/${s}/${pick(words)}-${i}.${pick(exts)}`, size: 1000, dir: false, mtime: now});
		}
		const slot = index.beginSnapshot(syntheticSnapshot(s, now));
		for (const e of current) {
			const parsed = parseLsLine(lsJsonLine(e));
			if (parsed.kind === 'node') index.add(slot, parsed.node);
		}
		index.completeSnapshot(slot);
	}
	return index;
}
