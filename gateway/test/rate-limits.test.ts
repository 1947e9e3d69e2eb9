import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '@shop/service-kit';
import { consume, createRateLimiters, type RateLimitOptions } from '../src/rate-limits.js';
import { testLogger } from '../../test/support/logger.js';

const redisUrl = process.env.TEST_REDIS_URL;
const allowance = { points: 2, durationSeconds: 60 };

describe('createRateLimiters', () => {
  it('counts in memory without Redis', async () => {
    const limiters = createRateLimiters({ requests: allowance, logins: allowance, keyPrefix: randomUUID() }, testLogger('gateway'));
    await consume(limiters.requests, 'address:1');
    await consume(limiters.requests, 'address:1');
    await expect(consume(limiters.requests, 'address:1')).rejects.toBeInstanceOf(RateLimitedError);
    await consume(limiters.requests, 'address:2');
  });

  it('counts in memory meanwhile when Redis cannot be reached', async () => {
    const limiters = createRateLimiters(
      { requests: allowance, logins: allowance, keyPrefix: randomUUID(), redisUrl: 'redis://127.0.0.1:9' },
      testLogger('gateway'),
    );
    try {
      await consume(limiters.requests, 'address:1');
      await consume(limiters.requests, 'address:1');
      await expect(consume(limiters.requests, 'address:1')).rejects.toBeInstanceOf(RateLimitedError);
    } finally {
      await limiters.close();
    }
  });

  it.skipIf(!redisUrl)('shares counts between gateway replicas through Redis (TEST_REDIS_URL)', async () => {
    const options: RateLimitOptions = { requests: allowance, logins: allowance, keyPrefix: `test-${randomUUID()}`, redisUrl: redisUrl! };
    const [first, second] = [createRateLimiters(options, testLogger('gateway')), createRateLimiters(options, testLogger('gateway'))];
    try {
      await Promise.all([first.whenShared(), second.whenShared()]);
      await consume(first.requests, 'user:u1');
      await consume(second.requests, 'user:u1');
      const refused = await consume(first.requests, 'user:u1').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RateLimitedError);
      expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
