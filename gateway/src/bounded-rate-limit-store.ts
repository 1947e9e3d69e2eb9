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
 * What a full store does with a new key. `evictLeastRecent`: the least recently used counter
 * makes room (for the request limit: a flood that pushes out other clients' counters only gives
 * them a fresh allowance of requests that are each counted again). `refuse`: only expired
 * counters make room; while every counter is live the new key is answered as over its allowance
 * (for the password limits: a flood of new emails or addresses must not reset the counter of an
 * account under attack, so it fails closed instead).
 */
export type WhenFull = 'evictLeastRecent' | 'refuse';

export interface BoundedRateLimitStoreOptions {
  maxKeys: number;
  whenFull: WhenFull;
  /** Told when a new key is refused because the store is full: at most once per window. */
  onRefusedWhileFull?: (maxKeys: number) => void;
}

/**
 * The counters of one in-memory rate limiter of the gateway, at most `maxKeys` of them.
 * rate-limiter-flexible's own memory store is a Map with a timer per key and no bound: a flood of
 * distinct keys (emails, addresses) grows it until the heap runs out. Here a Map in the order the
 * counters were made (every counter of one limiter has the same window, so the first is the first
 * to expire) or, for evictLeastRecent, of last use (a counter moves to the end when counted).
 * Expired counters go when met or when room is needed, from the front (lazily, with no timers).
 *
 * It stands in for RateLimiterMemory's store (`_memoryStorage`, rate-limiter-flexible 11.4;
 * gateway/test/rate-limits.test.ts fails when it moves), so the limiter's own counting, blocking
 * and insurance logic stays the library's.
 */
export class BoundedRateLimitStore {
  private readonly counters = new Map<string, Counter>();
  /** Live counters pushed out to make room (evictLeastRecent). */
  evictions = 0;
  /** New keys refused because every counter was live (refuse). */
  refusals = 0;
  private lastRefusalReportAt = -Infinity;

  constructor(private readonly options: BoundedRateLimitStoreOptions) {}

  get maxKeys(): number {
    return this.options.maxKeys;
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
    if (this.options.whenFull === 'evictLeastRecent') {
      // Moved to the end: the most recently used. (Left in place otherwise: the order created is the order to expire.)
      this.counters.delete(storedKey);
      this.counters.set(storedKey, counter);
    }
    return new RateLimiterRes(0, msBefore(counter), counter.value, false);
  }

  set(key: string, value: number, durationSec: number): RateLimiterRes {
    const storedKey = boundedKey(key);
    const durationMs = durationSec * 1000;
    const counter: Counter = { value: Math.trunc(value), expiresAt: durationMs > 0 ? Date.now() + durationMs : null };
    this.counters.delete(storedKey);
    if (!this.makeRoom(durationMs)) {
      // Over any allowance (the limiter refuses what exceeds its points), until the oldest counter's window ends.
      return new RateLimiterRes(0, this.msBeforeRoom(durationMs), Number.POSITIVE_INFINITY, false);
    }
    this.counters.set(storedKey, counter);
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
    this.counters.delete(boundedKey(key));
    if (this.makeRoom(0)) this.counters.set(boundedKey(key), { value, expiresAt });
  }

  private live(storedKey: string): Counter | undefined {
    const counter = this.counters.get(storedKey);
    if (counter && isExpired(counter, Date.now())) {
      this.counters.delete(storedKey);
      return undefined;
    }
    return counter;
  }

  /** Room for one more counter: expired ones go first, then (evictLeastRecent) the least recently used. */
  private makeRoom(windowMs: number): boolean {
    if (this.counters.size < this.options.maxKeys) return true;
    const now = Date.now();
    // The oldest first: with one window per limiter, the expired ones are at the front.
    for (const [key, counter] of this.counters) {
      if (!isExpired(counter, now)) break;
      this.counters.delete(key);
    }
    if (this.counters.size < this.options.maxKeys) return true;
    if (this.options.whenFull === 'evictLeastRecent') {
      const oldest = this.counters.keys().next().value;
      if (oldest !== undefined) this.counters.delete(oldest);
      this.evictions += 1;
      return true;
    }
    this.refusals += 1;
    if (now - this.lastRefusalReportAt >= Math.max(windowMs, 1000)) {
      this.lastRefusalReportAt = now;
      this.options.onRefusedWhileFull?.(this.options.maxKeys);
    }
    return false;
  }

  /** How long until the first counter's window ends (at least a second): when a refused key may try again. */
  private msBeforeRoom(windowMs: number): number {
    const first = this.counters.values().next().value;
    const ms = first ? msBefore(first) : windowMs;
    return Math.max(1000, ms > 0 ? ms : windowMs);
  }
}

const isExpired = (counter: Counter, now: number) => counter.expiresAt !== null && counter.expiresAt <= now;
const boundedKey = (key: string) => (key.length <= MAX_STORED_KEY_LENGTH ? key : `#${sha256Hex(key)}`);
const msBefore = (counter: Counter) => (counter.expiresAt === null ? -1 : counter.expiresAt - Date.now());

/** rate-limiter-flexible's memory limiter, counting in `store` (its own: one store per limiter). */
export function boundedMemoryLimiter(store: BoundedRateLimitStore, options: ConstructorParameters<typeof RateLimiterMemory>[0]): RateLimiterMemory {
  const limiter = new RateLimiterMemory(options);
  // The library's store is an undeclared field (see BoundedRateLimitStore).
  (limiter as unknown as { _memoryStorage: BoundedRateLimitStore })._memoryStorage = store;
  return limiter;
}
