import { LRUCache } from 'lru-cache';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { sha256Hex } from './sha256.js';

/** Keys longer than this are stored as their hash, so every entry has a bounded size whatever the key. */
const MAX_STORED_KEY_LENGTH = 96;

interface Counter {
  value: number;
  /** Epoch ms when the window ends; null for a counter that never expires (duration 0). */
  expiresAt: number | null;
}

/**
 * Counters of every in-memory rate limiter of the gateway, in one store of at most `maxKeys`
 * keys. rate-limiter-flexible's own memory store is a Map with a timer per key and no bound: a
 * flood of distinct keys (emails, addresses) grows it until the heap runs out. Here the least
 * recently used counter makes room for a new one: evicting a counter someone relies on takes
 * `maxKeys` other keys, each one a request the request limit has already counted, so a flood buys
 * at most one fresh attempt per `maxKeys` requests. Expired counters go at their window's end
 * (lazily, with no timers).
 *
 * It stands in for RateLimiterMemory's store (`_memoryStorage`, rate-limiter-flexible 11.4;
 * gateway/test/bounded-rate-limit-store.test.ts fails when it moves), so the limiter's own
 * counting, blocking and insurance logic stays the library's.
 */
export class BoundedRateLimitStore {
  private readonly counters: LRUCache<string, Counter>;
  evictions = 0;

  constructor(readonly maxKeys: number) {
    this.counters = new LRUCache<string, Counter>({
      max: maxKeys,
      dispose: (_counter, _key, reason) => {
        if (reason === 'evict') this.evictions += 1;
      },
    });
  }

  /** How many counters are held now. */
  get size(): number {
    return this.counters.size;
  }

  incrby(key: string, value: number, durationSec: number): RateLimiterRes {
    const storedKey = boundedKey(key);
    const counter = this.live(storedKey);
    if (!counter) return this.set(key, value, durationSec);
    counter.value += value;
    return new RateLimiterRes(0, msBefore(counter), counter.value, false);
  }

  set(key: string, value: number, durationSec: number): RateLimiterRes {
    const durationMs = durationSec * 1000;
    const counter: Counter = { value: Math.trunc(value), expiresAt: durationMs > 0 ? Date.now() + durationMs : null };
    this.counters.set(boundedKey(key), counter, durationMs > 0 ? { ttl: durationMs } : {});
    return new RateLimiterRes(0, durationMs > 0 ? durationMs : -1, counter.value, true);
  }

  get(key: string): RateLimiterRes | null {
    const counter = this.live(boundedKey(key));
    return counter ? new RateLimiterRes(0, msBefore(counter), counter.value, false) : null;
  }

  delete(key: string): boolean {
    return this.counters.delete(boundedKey(key));
  }

  /** What RateLimiterMemory.restore() calls; restoring dumps is not something the gateway does. */
  _restoreRecord(key: string, value: number, expiresAt: number | null): void {
    if (expiresAt !== null && expiresAt <= Date.now()) return;
    this.counters.set(boundedKey(key), { value, expiresAt }, expiresAt === null ? {} : { ttl: expiresAt - Date.now() });
  }

  private live(storedKey: string): Counter | undefined {
    const counter = this.counters.get(storedKey);
    if (counter?.expiresAt != null && counter.expiresAt <= Date.now()) {
      this.counters.delete(storedKey);
      return undefined;
    }
    return counter;
  }
}

const boundedKey = (key: string) => (key.length <= MAX_STORED_KEY_LENGTH ? key : `#${sha256Hex(key)}`);
const msBefore = (counter: Counter) => (counter.expiresAt === null ? -1 : counter.expiresAt - Date.now());

/** rate-limiter-flexible's memory limiter, counting in `store` (shared by every limiter: their key prefixes keep them apart). */
export function boundedMemoryLimiter(store: BoundedRateLimitStore, options: ConstructorParameters<typeof RateLimiterMemory>[0]): RateLimiterMemory {
  const limiter = new RateLimiterMemory(options);
  // The library's store is an undeclared field (see BoundedRateLimitStore).
  (limiter as unknown as { _memoryStorage: BoundedRateLimitStore })._memoryStorage = store;
  return limiter;
}
