/**
 * Search over a FileIndex: the public face of source/index/search/.
 *
 * Semantics (deliberate): the query is split into terms at spaces, folded (case, accents, NFC/NFD).
 * Terms match the part of each path below its snapshot's backup root, in tiers a person would rank by
 * hand (see search/tiers.ts): whole name > name prefix or word start > substring of the name > a
 * folder > spread across folders in order ("tax2023pdf" → taxes/2023/…pdf) > scattered letters. The
 * headline count is of real matches; scattered-letter matches are counted apart and listed last.
 * Within a tier: the user's files before machine-made trees, then shallower, shorter, newer.
 * Regex and glob characters have no special meaning here (restic find mode takes globs).
 *
 * Modules: fold (characters and terms), tiers (ranking table and per-string tests), prepared (per-index
 * data and the candidate index), terms (per-term tables), top-k, engine (strict lookup, scan,
 * incremental searching), highlight.
 */
export {fold, foldWithMap, parseQuery, charMask} from './search/fold.js';
export {backupRoot, defaultMachineTrees} from './search/prepared.js';
export {Tier, tierNames, type TierName} from './search/tiers.js';
export {IncrementalSearch, prepareSearch, queryTerms, search, SearchAborted, type SearchFilters, type SearchHit, type SearchOptions, type SearchResult} from './search/engine.js';
