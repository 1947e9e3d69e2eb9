import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '@shop/service-kit';
import { consume, createRateLimiters, takePasswordPoints, type RateLimitOptions } from '../src/rate-limits.js';
import { testLogger } from '../../test/support/logger.js';

const redisUrl = process.env.TEST_REDIS_URL;
const allowance = { points: 2, durationSeconds: 60 };
const allowances = { requests: allowance, logins: allowance, loginAccounts: allowance, registrations: allowance };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('createRateLimiters', () => {
  it('counts in memory without Redis', async () => {
    const limiters = createRateLimiters({ ...allowances, keyPrefix: randomUUID() }, testLogger('gateway'));
    await consume(limiters.requests, 'address:1');
    await consume(limiters.requests, 'address:1');
    await expect(consume(limiters.requests, 'address:1')).rejects.toBeInstanceOf(RateLimitedError);
    await consume(limiters.requests, 'address:2');
  });

  it('counts in memory meanwhile when Redis cannot be reached', async () => {
    const limiters = createRateLimiters(
      { ...allowances, keyPrefix: randomUUID(), redisUrl: 'redis://127.0.0.1:9' },
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
    const options: RateLimitOptions = { ...allowances, keyPrefix: `test-${randomUUID()}`, redisUrl: redisUrl! };
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

describe('takePasswordPoints', () => {
  const limiters = () => createRateLimiters({ ...allowances, keyPrefix: randomUUID() }, testLogger('gateway'));
  const login = (email: string) => ({ kind: 'login' as const, email });

  it('keys a login by the hash of its email, never by what the client sent', async () => {
    const rateLimiters = limiters();
    const email = `${'a'.repeat(900_000)}@example.com`;
    await takePasswordPoints(rateLimiters, login(` ${email.toUpperCase()} `), { clientAddress: '203.0.113.1' });
    const account = sha256(email);
    expect((await rateLimiters.logins.get(`${account}|203.0.113.1`))?.consumedPoints).toBe(1);
    expect((await rateLimiters.loginAccounts.get(account))?.consumedPoints).toBe(1);
  });

  it('limits one account’s logins from many addresses, beside each address’s own allowance', async () => {
    const rateLimiters = limiters();
    await takePasswordPoints(rateLimiters, login('alice@example.com'), { clientAddress: '203.0.113.1' });
    await takePasswordPoints(rateLimiters, login('alice@example.com'), { clientAddress: '203.0.113.2' });
    await expect(takePasswordPoints(rateLimiters, login('Alice@example.com'), { clientAddress: '203.0.113.3' })).rejects.toBeInstanceOf(RateLimitedError);
    await takePasswordPoints(rateLimiters, login('bob@example.com'), { clientAddress: '203.0.113.3' });
  });

  it('does not let one address spend an account’s allowance past its own', async () => {
    const rateLimiters = limiters();
    for (let attempt = 0; attempt < 2; attempt += 1) await takePasswordPoints(rateLimiters, login('alice@example.com'), { clientAddress: '203.0.113.1' });
    await expect(takePasswordPoints(rateLimiters, login('alice@example.com'), { clientAddress: '203.0.113.1' })).rejects.toBeInstanceOf(RateLimitedError);
    expect((await rateLimiters.loginAccounts.get(sha256('alice@example.com')))?.consumedPoints).toBe(2);
  });

  it('limits register per address, an IPv6 client per /64', async () => {
    const rateLimiters = limiters();
    await takePasswordPoints(rateLimiters, { kind: 'register' }, { clientAddress: '2001:db8:1:2::1' });
    await takePasswordPoints(rateLimiters, { kind: 'register' }, { clientAddress: '2001:db8:1:2::ffff' });
    await expect(takePasswordPoints(rateLimiters, { kind: 'register' }, { clientAddress: '2001:db8:1:2:abcd::9' })).rejects.toBeInstanceOf(RateLimitedError);
    await takePasswordPoints(rateLimiters, { kind: 'register' }, { clientAddress: '2001:db8:1:3::1' });
    await takePasswordPoints(rateLimiters, { kind: 'register' }, { clientAddress: '::ffff:203.0.113.1' });
  });

  it('counts a check of the signed-in user’s password per user, and none for an anonymous one', async () => {
    const rateLimiters = limiters();
    await takePasswordPoints(rateLimiters, { kind: 'currentPassword' }, { clientAddress: '203.0.113.1' });
    expect(await rateLimiters.logins.get('user:u1')).toBeNull();
    await takePasswordPoints(rateLimiters, { kind: 'currentPassword' }, { clientAddress: '203.0.113.1', userId: 'u1' });
    await takePasswordPoints(rateLimiters, { kind: 'currentPassword' }, { clientAddress: '203.0.113.2', userId: 'u1' });
    await expect(takePasswordPoints(rateLimiters, { kind: 'currentPassword' }, { clientAddress: '203.0.113.3', userId: 'u1' })).rejects.toBeInstanceOf(RateLimitedError);
  });
});
