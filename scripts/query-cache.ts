/**
 * Times one query on the cached index of a repository, in-process (used by bench-find.mjs):
 * the first run on a freshly loaded and prepared index, then the same query again on the warm index
 * (what the TUI does on every keystroke). Prints JSON. Args: REPO_ID CACHE_DIR QUERY [RUNS].
 */
import {performance} from 'node:perf_hooks';
import {loadCache} from '../source/index/cache.js';
import {prepareSearch, search} from '../source/index/search.js';

const [repoId, cacheDir, query, runsArg] = process.argv.slice(2);
if (!repoId || !cacheDir || !query) throw new Error('usage: query-cache REPO_ID CACHE_DIR QUERY [RUNS]');
const runs = Number(runsArg ?? 20);
const t = performance.now();
const {index, problem} = loadCache(repoId, cacheDir);
if (!index) throw new Error(`no cache: ${problem ?? 'missing'}`);
await prepareSearch(index);
const loadMs = performance.now() - t;
let started = performance.now();
const first = await search(index, query, {limit: 5});
const firstMs = performance.now() - started;
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
	started = performance.now();
	await search(index, query, {limit: 5});
	warm.push(performance.now() - started);
}
warm.sort((a, b) => a - b);
const round = (n: number) => Math.round(n * 10) / 10;
console.log(JSON.stringify({loadAndPrepareMs: round(loadMs), firstQueryMs: round(firstMs), warmQueryMs: {p50: round(warm[Math.floor(runs / 2)]!), max: round(warm.at(-1)!)}, total: first.total, top: first.hits[0]?.path}));
