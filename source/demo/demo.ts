/**
 * The demo repository: a realistic small home directory, backed up as several snapshots from two hosts
 * over the last four months, with edits, renames and deletions between them. Deterministic (seeded).
 */
import {randomBytes} from 'node:crypto';
import {existsSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {restoPaths, writePrivateFile} from '../config/paths.js';
import {ResticCli} from '../restic/client.js';
import {ResticError} from '../restic/errors.js';
import {seededRandom} from '../util/random.js';

/** Written last: the directory holds a complete demo that resto created. */
const demoMarker = '.resto-demo';
/** Written first: a creation in progress (or interrupted), which resto may clean up and redo. */
const incompleteMarker = '.resto-demo-incomplete';
const incompleteText = 'resto demo creation in progress\n';

/** Where the demo lives by default. */
export function demoDirectory(): string {
	return path.join(restoPaths().data, 'demo');
}

/** True when a demo repository was created in `dir` before. */
export function demoExists(dir = demoDirectory()): boolean {
	return existsSync(path.join(dir, 'repo', 'config')) && existsSync(path.join(dir, 'password')) && existsSync(path.join(dir, demoMarker));
}

const words = 'the of and backup restore file snapshot repository archive photo invoice tax return letter garden trip summer winter budget plan meeting notes draft final review project client report holiday family recipe music book list'.split(' ');

function sentence(rand: () => number, n: number): string {
	const out: string[] = [];
	for (let i = 0; i < n; i++) out.push(words[Math.floor(rand() * words.length)]!);
	const s = out.join(' ');
	return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}

function paragraph(rand: () => number, sentences: number): string {
	return Array.from({length: sentences}, () => sentence(rand, 6 + Math.floor(rand() * 10))).join(' ');
}

function bytes(rand: () => number, size: number, header: number[]): Buffer {
	const b = Buffer.alloc(size);
	for (let i = 0; i < size; i++) b[i] = Math.floor(rand() * 256);
	Buffer.from(header).copy(b);
	return b;
}

type Tree = Map<string, string | Buffer>;

/** The initial home directory: a few hundred files. Keys are paths relative to the home. */
export function initialTree(seed = 2026): Tree {
	const rand = seededRandom(seed);
	const t: Tree = new Map();
	const people = ['grandma', 'landlord', 'insurance', 'bank', 'school', 'employer', 'dentist', 'club'];
	for (const [i, who] of people.entries()) {
		t.set(`documents/letters/2025-${String(i + 1).padStart(2, '0')}-to-${who}.txt`, `Dear ${who},\n\n${paragraph(rand, 4)}\n\n${paragraph(rand, 3)}\n\nKind regards,\nAlice\n`);
	}
	for (let i = 0; i < 24; i++) t.set(`documents/notes/${['ideas', 'todo', 'journal', 'reading', 'recipes', 'meeting'][i % 6]}-${String(i).padStart(2, '0')}.md`, `# ${sentence(rand, 4)}\n\n- ${sentence(rand, 5)}\n- ${sentence(rand, 7)}\n\n${paragraph(rand, 3)}\n`);
	t.set('documents/notes/todo.md', '# To do\n\n- renew passport\n- test restoring the backup (World Backup Day, March 31)\n- sort the holiday photos\n');
	for (const year of [2022, 2023, 2024]) {
		t.set(`documents/taxes/${year}/return-final.pdf`, Buffer.concat([Buffer.from(`%PDF-1.7\n% tax return ${year}\n`), bytes(rand, 6000 + Math.floor(rand() * 20000), [])]));
		t.set(`documents/taxes/${year}/return-draft.pdf`, Buffer.concat([Buffer.from(`%PDF-1.7\n% draft ${year}\n`), bytes(rand, 4000, [])]));
		for (let r = 0; r < 6; r++) t.set(`documents/taxes/${year}/receipts/receipt-${year}-${String(r + 1).padStart(3, '0')}.pdf`, Buffer.concat([Buffer.from('%PDF-1.4\n'), bytes(rand, 1500 + Math.floor(rand() * 3000), [])]));
	}
	t.set('documents/old-draft.txt', `${paragraph(rand, 5)}\n`);
	t.set('documents/budget-2025.csv', ['month,income,rent,food,savings', ...Array.from({length: 12}, (_, m) => `2025-${String(m + 1).padStart(2, '0')},${3000 + Math.floor(rand() * 500)},1200,${400 + Math.floor(rand() * 200)},${200 + Math.floor(rand() * 300)}`)].join('\n') + '\n');
	const albums: Array<[string, number]> = [
		['2024/08-holiday-lisbon', 24],
		['2024/12-christmas', 12],
		['2025/03-birthday', 10],
		['2025/06-garden', 14],
	];
	let img = 1000;
	for (const [album, count] of albums) {
		for (let i = 0; i < count; i++) t.set(`photos/${album}/IMG_${img++}.jpg`, bytes(rand, 4000 + Math.floor(rand() * 28000), [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]));
	}
	t.set('photos/2024/08-holiday-lisbon/notes.txt', 'Tram 28, pastéis de nata, Alfama at sunset.\n');
	const modules = ['index', 'config', 'snapshot', 'restore', 'backup', 'search', 'report', 'format', 'crypto', 'cache'];
	for (const m of modules) {
		t.set(`code/tiny-backup/src/${m}.ts`, `/** ${sentence(rand, 5)} */\nexport function ${m}Main(input: string): string {\n\t// ${sentence(rand, 6)}\n\treturn input.trim();\n}\n`);
		t.set(`code/tiny-backup/test/${m}.test.ts`, `import {${m}Main} from '../src/${m}.js';\n\ntest('${m}', () => {\n\texpect(${m}Main(' x ')).toBe('x');\n});\n`);
	}
	t.set('code/tiny-backup/package.json', '{\n  "name": "tiny-backup",\n  "version": "0.3.1",\n  "type": "module"\n}\n');
	t.set('code/tiny-backup/README.md', `# tiny-backup\n\n${paragraph(rand, 3)}\n`);
	for (let i = 0; i < 12; i++) t.set(`code/dotfiles/config/app${i}/settings.conf`, `# app ${i}\ntheme = dark\nfont_size = ${10 + (i % 5)}\n`);
	for (let i = 0; i < 16; i++) t.set(`music/playlists/${['running', 'focus', 'sunday', 'roadtrip'][i % 4]}-${i}.m3u`, Array.from({length: 8}, (_, k) => `track-${i}-${k}.mp3`).join('\n') + '\n');
	// Nested folders 4–6 deep.
	for (let i = 0; i < 18; i++) t.set(`projects/2025/q${(i % 4) + 1}/client-${String.fromCharCode(97 + (i % 3))}/drafts/v${(i % 3) + 1}/section-${i}.md`, `## Section ${i}\n\n${paragraph(rand, 2)}\n`);
	for (let i = 0; i < 8; i++) t.set(`projects/archive/2023/website/assets/css/part-${i}.css`, `.part-${i} { margin: ${i}px; }\n`);
	// Awkward names: the demo is also where resto shows how it treats hostile file names.
	t.set('dir with spaces/file one.txt', 'spaces in names\n');
	t.set('café-menu.txt', 'Croissant, café au lait, crème brûlée.\n');
	t.set('日本語メモ.txt', 'バックアップを確認する\n');
	t.set('emoji-😀-notes.txt', 'emoji in a file name\n');
	t.set('-notes.txt', 'a name that starts with a dash: never let it become a flag\n');
	t.set('new\nline.txt', 'a file name with a newline in it\n');
	t.set('ansi-\x1b[31mred\x1b[0m.txt', 'a file name with an ANSI colour escape\n');
	t.set(`${'a-very-long-file-name-'.repeat(9)}end.txt`, 'long name\n');
	return t;
}

function writeTree(root: string, tree: Tree): void {
	for (const [rel, content] of tree) {
		const file = path.join(root, rel);
		mkdirSync(path.dirname(file), {recursive: true});
		writeFileSync(file, content);
	}
}

/** restic's --time format for `daysAgo` days before now ("2026-08-01 10:00:00", local time). */
function timeDaysAgo(daysAgo: number, now: Date): string {
	const d = new Date(now.getTime() - daysAgo * 86_400_000);
	const p = (n: number) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * Give what changed since `since` (real clock) modification times from before the snapshot taken at
 * `snapshotAt`, after `notBefore`: a demo home where every file says "today" while its snapshots are
 * months old makes the version timeline, "changed" runs and the drill's checks look fake.
 */
function backdate(dir: string, since: number, notBefore: number, snapshotAt: number, rand: () => number, spreadHours: number): void {
	for (const name of readdirSync(dir)) {
		const file = path.join(dir, name);
		const st = lstatSync(file);
		if (st.isDirectory()) backdate(file, since, notBefore, snapshotAt, rand, spreadHours);
		if (st.mtimeMs < since - 1000 && !st.isDirectory()) continue;
		if (st.isDirectory() && st.mtimeMs < since - 1000) continue;
		// Some hours before the snapshot, never before the previous one.
		const t = Math.max(notBefore + 60_000, snapshotAt - (1 + rand() * spreadHours) * 3_600_000) / 1000;
		lutimesSync(file, t, t);
	}
}

/** One step of the demo history: a change to the home, then a snapshot. */
interface Step {
	daysAgo: number;
	host: string;
	tags: string[];
	change: (home: string, rand: () => number) => void;
}

const steps: Step[] = [
	{daysAgo: 122, host: 'laptop', tags: ['home'], change: () => {}},
	{
		daysAgo: 95,
		host: 'desktop',
		tags: ['home'],
		change: (home, rand) => {
			writeFileSync(path.join(home, 'documents/letters/2025-01-to-grandma.txt'), `Dear grandma,\n\n${paragraph(rand, 5)}\n\nLove,\nAlice\n`);
			writeTree(
				home,
				new Map([
					['photos/2025/09-hiking/IMG_2001.jpg', bytes(rand, 9000, [0xff, 0xd8, 0xff, 0xe0])],
					['photos/2025/09-hiking/IMG_2002.jpg', bytes(rand, 12000, [0xff, 0xd8, 0xff, 0xe0])],
				]),
			);
		},
	},
	{
		daysAgo: 64,
		host: 'laptop',
		tags: ['home', 'weekly'],
		change: home => {
			renameSync(path.join(home, 'documents/notes/todo.md'), path.join(home, 'documents/notes/todo-2025.md'));
			rmSync(path.join(home, 'photos/2024/12-christmas/IMG_1030.jpg'));
		},
	},
	{
		daysAgo: 33,
		host: 'laptop',
		tags: ['home', 'weekly'],
		change: (home, rand) => {
			writeFileSync(path.join(home, 'documents/taxes/2024/return-final.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n% tax return 2024 (amended)\n'), bytes(rand, 15000, [])]));
			writeTree(
				home,
				new Map([
					['projects/new-client/brief.md', `# Brief\n\n${paragraph(rand, 3)}\n`],
					['projects/new-client/estimate.csv', 'item,hours\ndesign,12\nbuild,30\n'],
				]),
			);
		},
	},
	{
		daysAgo: 15,
		host: 'desktop',
		tags: ['home'],
		change: (home, rand) => {
			rmSync(path.join(home, 'documents/old-draft.txt'));
			writeFileSync(path.join(home, 'documents/budget-2025.csv'), `month,income,rent,food,savings\n2025-12,${3100 + Math.floor(rand() * 100)},1200,450,300\n`, {flag: 'a'});
		},
	},
	{
		daysAgo: 4,
		host: 'laptop',
		tags: ['home', 'weekly'],
		change: (home, rand) => {
			writeFileSync(path.join(home, 'documents/letters/2025-01-to-grandma.txt'), `Dear grandma,\n\n${paragraph(rand, 6)}\n\nSee you at Christmas!\nAlice\n`);
			writeFileSync(path.join(home, 'documents/notes/todo-2025.md'), '# To do\n\n- renew passport (done)\n- test restoring the backup (World Backup Day, March 31)\n');
		},
	},
	{
		daysAgo: 1,
		host: 'desktop',
		tags: ['home'],
		change: (home, rand) => {
			writeTree(home, new Map([['documents/notes/ideas-99.md', `# New idea\n\n${paragraph(rand, 2)}\n`]]));
		},
	},
];

/** The demo's home directory in a demo directory (what its snapshots back up). */
export function demoHome(dir: string): string {
	return path.join(dir, 'home', 'alice');
}

export interface DemoRepository {
	dir: string;
	repository: string;
	passwordFile: string;
	created: boolean;
	snapshots: number;
}

/** Thrown when `resto demo DIR` names a directory that resto did not create. */
export class DemoDirectoryError extends ResticError {
	constructor(dir: string, why: string) {
		super('failed', `${dir} ${why}; resto demo only writes into a new or empty directory, or one it created itself (marked by ${demoMarker}). Nothing was changed: choose another directory.`);
		this.name = 'DemoDirectoryError';
	}
}

/** True when `file` is a regular file holding exactly what resto wrote into it. */
function isOurMarker(file: string, text: string): boolean {
	try {
		return lstatSync(file).isFile() && readFileSync(file, 'utf8') === text;
	} catch {
		return false;
	}
}

/**
 * Create the demo in `dir` (home/, repo/, password) unless it exists. Only a new directory, an empty
 * one, or one holding resto's own marker is used: anything else is refused before a byte is written,
 * so the demo never deletes, overwrites or re-permissions what someone else put there.
 */
export async function ensureDemoRepository(dir = demoDirectory(), options: {now?: Date; onProgress?: (message: string) => void} = {}): Promise<DemoRepository> {
	const repository = path.join(dir, 'repo');
	const passwordFile = path.join(dir, 'password');
	const access = {repository, passwordFile};
	if (demoExists(dir)) {
		const snapshots = (await new ResticCli(access).snapshots()).length;
		return {dir, repository, passwordFile, created: false, snapshots};
	}
	const home = demoHome(dir);
	const incomplete = path.join(dir, incompleteMarker);
	const st = lstatSync(dir, {throwIfNoEntry: false});
	if (st && !st.isDirectory()) throw new DemoDirectoryError(dir, st.isSymbolicLink() ? 'is a symbolic link' : 'exists and is not a directory');
	if (st && isOurMarker(incomplete, incompleteText)) {
		// A creation that was interrupted (Ctrl-C, crash) left its own marker: start it again from scratch
		// instead of refusing our own half-made repository forever. Only what the demo writes is removed.
		options.onProgress?.(`removing an unfinished demo in ${dir}`);
		rmSync(repository, {recursive: true, force: true});
		rmSync(path.join(dir, 'home'), {recursive: true, force: true});
		rmSync(passwordFile, {force: true});
	} else if (st) {
		const entries = readdirSync(dir);
		if (entries.length > 0) throw new DemoDirectoryError(dir, existsSync(path.join(dir, demoMarker)) ? 'holds a damaged resto demo (its repository or password file is missing)' : 'exists, is not empty and was not created by resto demo');
		// An empty directory someone made (mktemp -d): used as it is, its mode left alone.
	} else {
		mkdirSync(path.dirname(dir), {recursive: true, mode: 0o700});
		mkdirSync(dir, {mode: 0o700});
	}
	writePrivateFile(incomplete, incompleteText);
	writePrivateFile(passwordFile, `${randomBytes(24).toString('base64url')}\n`);
	const client = new ResticCli(access);
	let changedSince = Date.now();
	writeTree(home, initialTree());
	options.onProgress?.(`initialising ${repository}`);
	await client.init();
	const rand = seededRandom(7);
	const now = options.now ?? new Date();
	const timesRand = seededRandom(11);
	// The first snapshot's files are from the year before it.
	let previousSnapshot = now.getTime() - (steps[0]!.daysAgo + 365) * 86_400_000;
	for (const [i, step] of steps.entries()) {
		if (i > 0) changedSince = Date.now();
		step.change(home, rand);
		const snapshotAt = now.getTime() - step.daysAgo * 86_400_000;
		backdate(home, changedSince, previousSnapshot, snapshotAt, timesRand, i === 0 ? 300 * 24 : 47);
		previousSnapshot = snapshotAt;
		options.onProgress?.(`snapshot ${i + 1}/${steps.length} (${step.host}, ${step.daysAgo} days ago)`);
		await client.backup({paths: [home], host: step.host, tags: step.tags, time: timeDaysAgo(step.daysAgo, now)});
	}
	writePrivateFile(path.join(dir, demoMarker), 'created by resto demo\n');
	rmSync(incomplete, {force: true});
	return {dir, repository, passwordFile, created: true, snapshots: steps.length};
}
