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
 * The tokens service-kit remembers as verified (auth.ts: at most 10,000 for a minute each), each
 * a token the users service signed (~600 characters) and who it names: 1.5 KiB counted apiece.
 * Not configurable; listed so the sum is the whole.
 */
export const VERIFIED_TOKENS_BYTES = 10_000 * 1536;

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
    // With only the manifest's documents served, nothing is registered at run time.
    { store: 'automatic persisted queries', setting: 'PERSISTED_QUERIES_CACHE_MB', bytes: settings.PERSISTED_DOCUMENTS_ONLY ? 0 : settings.PERSISTED_QUERIES_CACHE_MB * MiB },
    { store: 'parsed documents', setting: 'DOCUMENT_CACHE_MB', bytes: settings.DOCUMENT_CACHE_MB * MiB },
    { store: 'query plans', setting: 'QUERY_PLAN_CACHE_MB', bytes: settings.QUERY_PLAN_CACHE_MB * MiB },
    { store: 'rate-limit counters in memory', setting: 'RATE_LIMIT_MEMORY_KEYS', bytes: settings.RATE_LIMIT_MEMORY_KEYS * RATE_LIMIT_KEY_BYTES },
    { store: 'ended sessions', setting: 'SESSION_REVOCATIONS_MAX', bytes: settings.SESSION_REVOCATIONS_MAX * SESSION_REVOCATION_BYTES },
    { store: 'verified tokens', setting: undefined, bytes: VERIFIED_TOKENS_BYTES },
  ];
}

const inMiB = (bytes: number) => `${Math.round((bytes / MiB) * 10) / 10} MiB`;

/**
 * Refuses budgets that together exceed half the heap this process may grow to (V8's
 * heap_size_limit: --max-old-space-size and the young generation): the other half is for the
 * requests in flight, the schema and the planner, and for the garbage collector to work in.
 */
export function memoryBudgetProblems(settings: MemorySettings, heapLimitBytes = getHeapStatistics().heap_size_limit): string[] {
  const lines = memoryBudget(settings);
  const total = lines.reduce((sum, line) => sum + line.bytes, 0);
  if (total <= heapLimitBytes / 2) return [];
  const parts = lines.filter((line) => line.bytes > 0).map((line) => `${line.setting ?? line.store} ${inMiB(line.bytes)}`);
  return [
    `memory budgets: the caches and limiter stores may take ${inMiB(total)} (${parts.join(', ')}), more than half of this gateway's heap ` +
      `(${inMiB(heapLimitBytes)}, so at most ${inMiB(heapLimitBytes / 2)}); lower those settings or give Node a larger --max-old-space-size`,
  ];
}
