import { createHash, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimitedError } from '@shop/service-kit';
import { boundedMemoryLimiter, BoundedRateLimitStore } from '../src/bounded-rate-limit-store.js';
import { consume, createRateLimiters, refundLoginAccountPoint, takePasswordPoints, type RateLimitOptions } from '../src/rate-limits.js';
import { capturingLogger } from '../../test/support/logger.js';
import { testLogger } from '../../test/support/logger.js';

const redisUrl = process.env.TEST_REDIS_URL;
const allowance = { points: 2, durationSeconds: 60 };
const allowances = { requests: allowance, loginAddresses: allowance, logins: allowance, loginAccounts: allowance, registrations: allowance };
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
    const rateLimiters = createRateLimiters({ ...allowances, loginAddresses: { points: 100, durationSeconds: 60 }, keyPrefix: randomUUID() }, testLogger('gateway'));
    for (let attempt = 0; attempt < 2; attempt += 1) await takePasswordPoints(rateLimiters, login('alice@example.com'), { clientAddress: '203.0.113.1' });
    await expect(takePasswordPoints(rateLimiters, login('alice@example.com'), { clientAddress: '203.0.113.1' })).rejects.toBeInstanceOf(RateLimitedError);
    expect((await rateLimiters.loginAccounts.get(sha256('alice@example.com')))?.consumedPoints).toBe(2);
  });

  it('limits the logins of one address whatever the emails, before any per-email point is taken', async () => {
    const rateLimiters = createRateLimiters({ ...allowances, loginAddresses: { points: 5, durationSeconds: 60 }, logins: { points: 100, durationSeconds: 60 }, loginAccounts: { points: 100, durationSeconds: 60 }, keyPrefix: randomUUID() }, testLogger('gateway'));
    for (let index = 0; index < 5; index += 1) await takePasswordPoints(rateLimiters, login(`user-${index}@example.com`), { clientAddress: '2001:db8:7:8::1' });
    await expect(takePasswordPoints(rateLimiters, login('user-5@example.com'), { clientAddress: '2001:db8:7:8::2' })).rejects.toBeInstanceOf(RateLimitedError);
    // The refused attempt took no per-account point; another address is not affected.
    expect(await rateLimiters.loginAccounts.get(sha256('user-5@example.com'))).toBeNull();
    await takePasswordPoints(rateLimiters, login('user-5@example.com'), { clientAddress: '2001:db8:7:9::1' });
  });

  it('gives a successful login’s per-account point back, never one that was not taken', async () => {
    const rateLimiters = limiters();
    await takePasswordPoints(rateLimiters, login('alice@example.com'), { clientAddress: '203.0.113.1' });
    await takePasswordPoints(rateLimiters, login('alice@example.com'), { clientAddress: '203.0.113.2' });
    await refundLoginAccountPoint(rateLimiters, ' Alice@example.com');
    expect((await rateLimiters.loginAccounts.get(sha256('alice@example.com')))?.consumedPoints).toBe(1);
    // The owner signs in from a third address although two guesses were made: the allowance is 2.
    await takePasswordPoints(rateLimiters, login('alice@example.com'), { clientAddress: '203.0.113.3' });
    await refundLoginAccountPoint(rateLimiters, 'nobody@example.com');
    expect(await rateLimiters.loginAccounts.get(sha256('nobody@example.com'))).toBeNull();
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

describe('BoundedRateLimitStore', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses new keys rather than forget a live counter, for the password limits: a flood of new emails cannot reset an account’s count', async () => {
    const { logger, lines } = capturingLogger();
    const store = new BoundedRateLimitStore({ maxKeys: 1_000, whenFull: 'refuse', onRefusedWhileFull: () => logger.warn('full') });
    const accounts = boundedMemoryLimiter(store, { keyPrefix: 'test:login-accounts', points: 3, duration: 300 });
    await accounts.consume('victim');
    await accounts.consume('victim');
    for (let index = 0; index < 3_000; index += 1) await accounts.consume(`flood-${index}@example.com`).catch(() => undefined);
    expect(store.size).toBe(1_000);
    expect(store.evictions).toBe(0);
    expect(store.refusals).toBe(2_001);
    // Logged once for the window, not once per refusal.
    expect(lines.filter((line) => line.msg === 'full')).toHaveLength(1);
    // The victim's count survived: one attempt left, then refused.
    await accounts.consume('victim');
    await expect(accounts.consume('victim')).rejects.toMatchObject({ consumedPoints: 4 });
    // A new key is refused while the store is full, with a retry after the first counter's window.
    const refused = await consume(accounts, 'someone-new').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(1);
  });

  it('makes room from expired counters only', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = new BoundedRateLimitStore({ maxKeys: 1_000, whenFull: 'refuse' });
    const logins = boundedMemoryLimiter(store, { keyPrefix: 'test:logins', points: 3, duration: 60 });
    for (let index = 0; index < 999; index += 1) await logins.consume(`early-${index}`);
    vi.advanceTimersByTime(30_000);
    await logins.consume('late');
    await expect(logins.consume('refused')).rejects.toBeDefined();
    vi.advanceTimersByTime(30_000);
    // The early counters' window ended: they make room; the late one is kept.
    await logins.consume('admitted');
    expect(store.size).toBe(2);
    expect((await logins.get('late'))?.consumedPoints).toBe(1);
  });

  it('pushes out the least recently used counter for the request limit, and counts the evictions', async () => {
    const store = new BoundedRateLimitStore({ maxKeys: 1_000, whenFull: 'evictLeastRecent' });
    const requests = boundedMemoryLimiter(store, { keyPrefix: 'test:requests', points: 2, duration: 60 });
    await requests.consume('address:alice');
    for (let index = 0; index < 3_000; index += 1) {
      await requests.consume(`address:${'x'.repeat(500)}${index}`);
      if (index % 500 === 0) await requests.consume('address:alice').catch(() => undefined);
      expect(store.size).toBeLessThanOrEqual(1_000);
    }
    expect(store.evictions).toBe(2_001);
    // alice, counted recently, kept her counter: refused.
    await expect(requests.consume('address:alice')).rejects.toBeDefined();
  });
});
