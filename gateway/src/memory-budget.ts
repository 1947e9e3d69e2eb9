import { getHeapStatistics } from 'node:v8';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';

export const MiB = 1024 * 1024;

/** What an entry of an LRU cache costs beside its key and value (the cache's slots, the value's header). */
const ENTRY_OVERHEAD_BYTES = 256;

/**
 * A cached string's heap, with its key: V8 holds a string in one byte a character or two (any
 * character past Latin-1), counted at two so an answer in any script stays within the budget.
 */
export const stringEntryBytes = (value: string, key: string): number => 2 * (value.length + key.length) + ENTRY_OVERHEAD_BYTES;

/**
 * A cached object's heap (a parsed document, a query plan), with its key: five times its JSON
 * plus a kilobyte. Measured on Node 20: a parsed document (with its locations and tokens) takes
 * 1.7–4.8 times its JSON, a query plan 2.6–4.7 times; Apollo's own estimate (the JSON alone)
 * would let a cache of "30 MiB" hold five times that.
 */
export const objectEntryBytes = (value: object, key: string): number => 5 * Buffer.byteLength(JSON.stringify(value)) + 2 * key.length + 4 * ENTRY_OVERHEAD_BYTES;

/** Apollo's in-memory cache, bounded at `maxBytes` of heap as `entryBytes` estimates it (least recently used first out). */
export function boundedCache<Value extends object | string>(maxBytes: number, entryBytes: (value: Value, key: string) => number): InMemoryLRUCache<Value> {
  return new InMemoryLRUCache<Value>({ maxSize: Math.max(1, Math.floor(maxBytes)), sizeCalculation: (value, key) => Math.max(1, Math.ceil(entryBytes(value, key))) });
}

/**
 * The heap one entry of the fixed-size stores takes at most (measured on Node 20 with the
 * longest keys they hold, and rounded up): a rate-limit counter (key at most 96 characters, or
 * its hash: bounded-rate-limit-store.ts) took 238 bytes, an ended session (session-revocations.ts) 344.
 */
export const RATE_LIMIT_KEY_BYTES = 320;
export const SESSION_REVOCATION_BYTES = 400;
/**
 * The in-memory rate limiters, each with its own store of RATE_LIMIT_MEMORY_KEYS counters:
 * requests, logins per address, per email and address, per account, registrations (rate-limits.ts;
 * gateway/test/rate-limits.test.ts checks the count).
 */
export const IN_MEMORY_RATE_LIMITERS = 5;
/**
 * Parsed documents held by default (DOCUMENT_CACHE_MB): 7 MiB, one less than it was, to make room
 * for the operation cost formulas below within the 96 MiB. Taken from this cache because the
 * formulas are kept for the same documents, by the same hash, and 7 MiB still holds some
 * hundreds of parsed documents of the size the shop's clients send, where the SDK has a few dozen.
 */
export const DEFAULT_DOCUMENT_CACHE_MB = 7;
/** Counters each in-memory limiter holds by default (RATE_LIMIT_MEMORY_KEYS). */
export const DEFAULT_MEMORY_KEYS_PER_LIMITER = 10_000;
/**
 * The entity cache's ids of subgraph query texts (entity-cache.ts): the texts are the keys, so
 * they are bounded in bytes (two a character) and the memo starts again past it. Fixed: the plans'
 * entity fetches are few and short, so this holds all of them many times over.
 */
export const ENTITY_QUERY_IDS_BYTES = MiB;
/**
 * What declared authorization made of each document for each access (authorization/
 * declared-authorization.ts): most documents come to "nothing denied", a few bytes; the others
 * keep the document they are planned as. Fixed: the outcomes of a few hundred documents fit.
 */
export const AUTHORIZATION_OUTCOMES_BYTES = MiB;
/**
 * Demand control's cost formulas (demand-control/operation-costs.ts), one per document and
 * operation of the supergraph served, each with its estimate when no variable changes it. Fixed: a
 * formula of the SDK's largest operation (Orders) is counted at ~18 KiB (costingBytes; 12.5 KiB
 * measured on Node 24), so this holds the SDK's few dozen documents and as many others. (Per
 * supergraph: a reloaded one's go with it once its last request is done.)
 */
export const OPERATION_COST_FORMULAS_BYTES = MiB;
/**
 * The plans of the gateway's own planner (own-planner.ts: subscriptions and documents with
 * `@defer`), of the supergraph served. Fixed, and small: a plan of an entity join takes some
 * 10–20 KiB by objectEntryBytes, so this holds a few dozen, and clients subscribe and defer with a
 * handful of documents (the SDK's).
 */
export const OWN_PLANS_BYTES = 256 * 1024;
/**
 * The tokens service-kit remembers as verified (auth.ts: at most 10,000 for a minute each), each
 * a token the users service signed (~600 characters) and who it names: 1.5 KiB counted apiece.
 * Not configurable; listed so the sum is the whole.
 */
export const VERIFIED_TOKENS_BYTES = 10_000 * 1536;

/**
 * The heap one open subscription holds (its client's socket and response, the subgraph's stream
 * and parser, the plan's state), with room: ~30 KB measured (bench, 7 Dec 2026, idle SSE
 * subscriptions on the shop's orderUpdated).
 */
export const SUBSCRIPTION_HEAP_BYTES = 32 * 1024;
/**
 * What the gateway's heap holds with every cache empty and nothing open: the supergraph's schemas,
 * the planner, the libraries' state (measured at rest after start: 59–70 MB).
 */
export const BASELINE_HEAP_BYTES = 64 * MiB;

/** The settings that size the gateway's caches and limiter stores (names as in the environment). */
export interface MemorySettings {
  RESPONSE_CACHE_MB: number;
  ENTITY_CACHE_MB: number;
  PERSISTED_QUERIES_CACHE_MB: number;
  PERSISTED_DOCUMENTS_ONLY: boolean;
  DOCUMENT_CACHE_MB: number;
  QUERY_PLAN_CACHE_MB: number;
  RATE_LIMIT_MEMORY_KEYS: number;
  SESSION_REVOCATIONS_MAX: number;
}

export interface MemoryBudgetLine {
  store: string;
  /** What bounds it: the setting, or none when fixed. */
  setting: string | undefined;
  bytes: number;
}

/** Every cache and limiter store the gateway holds in its heap, with the most it may take. */
export function memoryBudget(settings: MemorySettings): MemoryBudgetLine[] {
  return [
    { store: 'response cache (whole anonymous answers)', setting: 'RESPONSE_CACHE_MB', bytes: settings.RESPONSE_CACHE_MB * MiB },
    { store: 'entity cache (public entities)', setting: 'ENTITY_CACHE_MB', bytes: settings.ENTITY_CACHE_MB * MiB },
    { store: "entity cache's query ids", setting: undefined, bytes: settings.ENTITY_CACHE_MB > 0 ? ENTITY_QUERY_IDS_BYTES : 0 },
    // With only the manifest's documents served, nothing is registered at run time.
    { store: 'automatic persisted queries', setting: 'PERSISTED_QUERIES_CACHE_MB', bytes: settings.PERSISTED_DOCUMENTS_ONLY ? 0 : settings.PERSISTED_QUERIES_CACHE_MB * MiB },
    { store: 'parsed documents', setting: 'DOCUMENT_CACHE_MB', bytes: settings.DOCUMENT_CACHE_MB * MiB },
    { store: 'query plans', setting: 'QUERY_PLAN_CACHE_MB', bytes: settings.QUERY_PLAN_CACHE_MB * MiB },
    { store: 'rate-limit counters in memory (per limiter)', setting: 'RATE_LIMIT_MEMORY_KEYS', bytes: IN_MEMORY_RATE_LIMITERS * settings.RATE_LIMIT_MEMORY_KEYS * RATE_LIMIT_KEY_BYTES },
    { store: 'ended sessions', setting: 'SESSION_REVOCATIONS_MAX', bytes: settings.SESSION_REVOCATIONS_MAX * SESSION_REVOCATION_BYTES },
    { store: 'verified tokens', setting: undefined, bytes: VERIFIED_TOKENS_BYTES },
    { store: 'authorization outcomes', setting: undefined, bytes: AUTHORIZATION_OUTCOMES_BYTES },
    { store: 'subscription and @defer plans', setting: undefined, bytes: OWN_PLANS_BYTES },
    { store: 'operation cost formulas', setting: undefined, bytes: OPERATION_COST_FORMULAS_BYTES },
  ];
}

const inMiB = (bytes: number) => `${Math.round((bytes / MiB) * 10) / 10} MiB`;

/** V8's default largest semi-space on 64-bit Node 20–22 (16 MiB): its young generation is three of them. */
const DEFAULT_SEMI_SPACE_MIB = 16;

/** The last value of a V8 size flag (in MiB) among Node's options, `--a-b=1`, `--a_b=1` or `--a-b 1`; undefined when absent. */
function flagMiB(options: readonly string[], flag: string): number | undefined {
  let found: number | undefined;
  options.forEach((option, index) => {
    const [name = '', inline] = option.split('=', 2);
    if (name.replaceAll('_', '-') !== flag) return;
    const value = Number(inline ?? options[index + 1]);
    if (Number.isFinite(value) && value > 0) found = value;
  });
  return found;
}

/**
 * The old generation's limit: where long-lived entries (every cache and counter) live; the young
 * generation (V8's heap_size_limit holds it too: three semi-spaces, 48 MiB with
 * --max-semi-space-size=16) only holds what dies young. Read from --max-old-space-size when Node
 * was given one (its command line wins over NODE_OPTIONS, as in Node); else heap_size_limit less
 * three semi-spaces (--max-semi-space-size, or V8's default), which is what V8 computes it from.
 */
export function oldSpaceLimitBytes(node: { execArgv: readonly string[]; nodeOptions: string | undefined; heapSizeLimit: number }): number {
  const options = [...(node.nodeOptions ?? '').split(/\s+/).filter((option) => option !== ''), ...node.execArgv];
  const oldSpace = flagMiB(options, '--max-old-space-size');
  if (oldSpace !== undefined) return oldSpace * MiB;
  return node.heapSizeLimit - 3 * (flagMiB(options, '--max-semi-space-size') ?? DEFAULT_SEMI_SPACE_MIB) * MiB;
}

/** This process's old-generation limit (see oldSpaceLimitBytes). */
export const processOldSpaceLimitBytes = () =>
  oldSpaceLimitBytes({ execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS, heapSizeLimit: getHeapStatistics().heap_size_limit });

/**
 * Refuses budgets that together exceed half the old generation this process may grow to (192 MiB
 * with the gateway's --max-old-space-size=192: at most 96 MiB): the other half is for the
 * requests in flight, the schema and the planner, and for the garbage collector to work in.
 */
export function memoryBudgetProblems(settings: MemorySettings & { SUBSCRIPTIONS_MAX: number }, heapLimitBytes = processOldSpaceLimitBytes()): string[] {
  const lines = memoryBudget(settings);
  const total = lines.reduce((sum, line) => sum + line.bytes, 0);
  const parts = lines.filter((line) => line.bytes > 0).map((line) => `${line.setting ?? line.store} ${inMiB(line.bytes)}`);
  const subscriptions = settings.SUBSCRIPTIONS_MAX * SUBSCRIPTION_HEAP_BYTES;
  return [
    ...(total <= heapLimitBytes / 2
      ? []
      : [
          `memory budgets: the caches and limiter stores may take ${inMiB(total)} (${parts.join(', ')}), more than half of this gateway's old-generation heap ` +
            `(${inMiB(heapLimitBytes)}, so at most ${inMiB(heapLimitBytes / 2)}); lower those settings or give Node a larger --max-old-space-size`,
        ]),
    // Open subscriptions are held by what clients choose to open: at the bound, beside full caches, they must still fit, or clients could exhaust the heap.
    ...(total + subscriptions + BASELINE_HEAP_BYTES <= heapLimitBytes
      ? []
      : [
          `SUBSCRIPTIONS_MAX: ${settings.SUBSCRIPTIONS_MAX} open subscriptions hold up to ${inMiB(subscriptions)} of heap (${SUBSCRIPTION_HEAP_BYTES / 1024} KiB each), which with the caches' ${inMiB(total)} ` +
            `and the ${inMiB(BASELINE_HEAP_BYTES)} the gateway holds at rest is more than its old-generation heap (${inMiB(heapLimitBytes)}); lower SUBSCRIPTIONS_MAX or give Node --max-old-space-size=${oldSpaceNeededMiB(total, settings.SUBSCRIPTIONS_MAX)}`,
        ]),
  ];
}

/** The smallest --max-old-space-size (MiB, a multiple of 16) that holds caches of `cachesBytes` and `subscriptions` open subscriptions beside the gateway at rest. */
export function oldSpaceNeededMiB(cachesBytes: number, subscriptions: number): number {
  return Math.ceil((cachesBytes + subscriptions * SUBSCRIPTION_HEAP_BYTES + BASELINE_HEAP_BYTES) / (16 * MiB)) * 16;
}
