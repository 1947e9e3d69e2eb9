import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RequestHandler } from 'express';
import { RateLimitedError, type Logger } from '@shop/service-kit';
import { addressKey } from './address-key.js';
import { BoundedRateLimitStore, boundedMemoryLimiter, type WhenFull } from './bounded-rate-limit-store.js';
import type { PasswordWork } from './password-fields.js';
import { DEFAULT_MEMORY_KEYS_PER_LIMITER } from './memory-budget.js';
import { sha256Hex } from './sha256.js';

/** So many points per window of so many seconds. */
export interface Allowance {
  points: number;
  durationSeconds: number;
}

export interface RateLimitOptions {
  /** Every GraphQL request, per signed-in user, else per client address. */
  requests: Allowance;
  /** `login` attempts per client address, whatever the email. */
  loginAddresses: Allowance;
  /** `login` attempts, per email and client address (and checks of a signed-in user's password, per user). */
  logins: Allowance;
  /** `login` attempts per account (its email), from whatever addresses. */
  loginAccounts: Allowance;
  /** `register` calls, per client address. */
  registrations: Allowance;
  /** Shared counters across gateway replicas; in this process's memory when absent. */
  redisUrl?: string;
  /** Keeps one deployment's (or one test's) counters apart from another's in a shared Redis. */
  keyPrefix: string;
  /** The most counters each limiter holds in memory (RATE_LIMIT_MEMORY_KEYS; see bounded-rate-limit-store.ts). */
  memoryKeysPerLimiter?: number;
}

export interface RateLimiters {
  requests: RateLimiterAbstract;
  loginAddresses: RateLimiterAbstract;
  logins: RateLimiterAbstract;
  loginAccounts: RateLimiterAbstract;
  registrations: RateLimiterAbstract;
  /** Resolves once counts are shared (Redis connected); at once without Redis. Until then each replica counts alone. */
  whenShared(): Promise<void>;
  close(): Promise<void>;
}

/** The limiters, by name; the password limiters fail closed when their store is full. */
const LIMITERS = {
  requests: { name: 'requests', whenFull: 'evictLeastRecent' },
  loginAddresses: { name: 'login-addresses', whenFull: 'refuse' },
  logins: { name: 'logins', whenFull: 'refuse' },
  loginAccounts: { name: 'login-accounts', whenFull: 'refuse' },
  registrations: { name: 'registrations', whenFull: 'refuse' },
} as const satisfies Record<string, { name: string; whenFull: WhenFull }>;

/**
 * rate-limiter-flexible counters, in Redis when REDIS_URL is set so replicas share them. While
 * Redis cannot answer, each replica counts in its own memory (the insurance limiter) rather than
 * letting everything through or refusing everything. In memory each limiter has its own bounded
 * store, so a flood of keys for one (new emails) never pushes out another's counters.
 */
export function createRateLimiters(options: RateLimitOptions, logger: Logger): RateLimiters {
  const maxKeys = options.memoryKeysPerLimiter ?? DEFAULT_MEMORY_KEYS_PER_LIMITER;
  const memory = (limiter: keyof typeof LIMITERS) => {
    const { name, whenFull } = LIMITERS[limiter];
    const store = new BoundedRateLimitStore({
      maxKeys,
      whenFull,
      onRefusedWhileFull: () =>
        logger.warn({ limiter: name, maxKeys }, 'rate-limit store full of live counters: new clients refused (RATE_LIMITED) until some expire; raise RATE_LIMIT_MEMORY_KEYS or set REDIS_URL'),
    });
    const allowance = options[limiter];
    return boundedMemoryLimiter(store, { keyPrefix: `${options.keyPrefix}:${name}`, points: allowance.points, duration: allowance.durationSeconds });
  };
  if (!options.redisUrl) {
    return {
      requests: memory('requests'),
      loginAddresses: memory('loginAddresses'),
      logins: memory('logins'),
      loginAccounts: memory('loginAccounts'),
      registrations: memory('registrations'),
      whenShared: async () => {},
      close: async () => {},
    };
  }
  // No offline queue: a request waits for Redis no longer than one failed call before the insurance limiter answers.
  const redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'rate-limit store (Redis) unavailable: counting in memory meanwhile'));
  const shared = (limiter: keyof typeof LIMITERS) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${options.keyPrefix}:${LIMITERS[limiter].name}`,
      points: options[limiter].points,
      duration: options[limiter].durationSeconds,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory(limiter),
    });
  return {
    requests: shared('requests'),
    loginAddresses: shared('loginAddresses'),
    logins: shared('logins'),
    loginAccounts: shared('loginAccounts'),
    registrations: shared('registrations'),
    whenShared: () => (redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', () => resolve()))),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Takes a point for `key`; RATE_LIMITED when there is none left. Store failures are the insurance limiter's. */
export async function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    throw rejection;
  }
}

/**
 * Every request to /graphql takes a point before Apollo parses it: the key is the signed-in user
 * (so a user behind a shared address keeps their own allowance), else the client's address as
 * Express derives it under the trusted-proxy setting, keyed by addressKey (an IPv6 client per /64).
 */
export function requestRateLimit(limiter: RateLimiterAbstract, keyOf: (req: Parameters<RequestHandler>[0]) => Promise<string>): RequestHandler {
  return async (req, res, next) => {
    try {
      await consume(limiter, await keyOf(req));
      next();
    } catch (error) {
      if (!(error instanceof RateLimitedError)) {
        next(error);
        return;
      }
      res
        .status(429)
        .set('retry-after', String(error.retryAfterSeconds))
        .json({ errors: [{ message: error.message, extensions: { code: 'RATE_LIMITED', retryAfterSeconds: error.retryAfterSeconds } }] });
    }
  };
}

/** Who is asking, as far as the password allowances go. */
export interface PasswordClient {
  /** The client's address as Express derives it (its rate-limit key is addressKey's). */
  clientAddress: string;
  /** The signed-in user, when there is one. */
  userId?: string;
}

/**
 * Takes the points a root field's password work costs, before it runs. `login`: one per client
 * address whatever the email (else one address could try any number of accounts, one email at a
 * time), then one per email and client address, then one per account (the hashed email, whatever the address), so neither one
 * address nor many can guess one account's password faster than the allowances; the account's
 * point is taken only once the address's was, so one address cannot spend an account's allowance
 * past its own. `register`: one per client address. A check of the signed-in user's current
 * password (`changePassword`, `deleteMe`, `updateMe` with `currentPassword`) takes from the logins
 * allowance per user whatever the address, so a stolen token cannot guess its user's password any
 * faster than signing in could; anonymous, those check no password (UNAUTHENTICATED first): no point.
 * Keys are hashes or addresses: never longer than a few dozen characters, whatever the client sent.
 */
export async function takePasswordPoints(limiters: RateLimiters, work: PasswordWork, client: PasswordClient): Promise<void> {
  const address = addressKey(client.clientAddress);
  switch (work.kind) {
    case 'login': {
      const account = accountKey(work.email);
      await consume(limiters.loginAddresses, address);
      await consume(limiters.logins, `${account}|${address}`);
      await consume(limiters.loginAccounts, account);
      return;
    }
    case 'register':
      await consume(limiters.registrations, address);
      return;
    case 'currentPassword':
      if (client.userId !== undefined) await consume(limiters.logins, `user:${client.userId}`);
  }
}

/** The per-account key of a login: its email's hash (trimmed, lower case), never what the client sent. */
const accountKey = (email: string) => sha256Hex(email.trim().toLowerCase());

/**
 * Gives back the per-account point of a login that succeeded: the per-account allowance bounds
 * guessing, and a right password is no guess, so the owner signing in does not bring their own
 * account nearer its lockout. The per-address points stay taken.
 */
export async function refundLoginAccountPoint(limiters: RateLimiters, email: string): Promise<void> {
  const account = accountKey(email);
  // Only a point still counted: a window that ended meanwhile would otherwise start with one to spare.
  if (((await limiters.loginAccounts.get(account))?.consumedPoints ?? 0) > 0) await limiters.loginAccounts.reward(account);
}
