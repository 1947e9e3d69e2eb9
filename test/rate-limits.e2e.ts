import { describe, expect } from 'vitest';
import { LoginDocument, ProductsDocument } from '@shop/sdk';
import type { Stack } from './support/stack.js';
import { test } from './support/fixtures.js';
import { ALICE, errorCodes, graphql, type RequestOptions } from './support/graphql.js';

const catalogue = (stack: Stack, options: Omit<RequestOptions, 'variables'> = {}) => graphql(stack.gatewayUrl, ProductsDocument, { ...options, variables: { first: 1 } });

/**
 * `stack` with small allowances for the first describe, `secondStack` behind a trusted proxy for the
 * second. Only `alice` signs in (not `shop`, which signs in the admin too): her sign-in is her
 * address's first point and alice@'s first login.
 */
const it = test
  .extend('stackOptions', { scope: 'file' }, { rateLimits: { requests: { points: 5, durationSeconds: 2 }, logins: { points: 2, durationSeconds: 60 } } })
  .extend('secondStackOptions', { scope: 'file' }, { trustedProxies: ['loopback'], rateLimits: { requests: { points: 1, durationSeconds: 60 } } });

describe('rate limits at the gateway', () => {
  it('answers 429 with Retry-After and RATE_LIMITED past the allowance of an address, keeps a signed-in user apart, and lets it go again after the window', async ({ stack, alice }) => {
    for (let request = 2; request <= 5; request += 1) expect((await catalogue(stack)).status).toBe(200);
    const limited = await catalogue(stack);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(errorCodes(limited)).toEqual(['RATE_LIMITED']);
    expect(limited.data).toBeUndefined();

    // Without trusted proxies, a client naming another address in X-Forwarded-For is still itself.
    const forged = await catalogue(stack, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(forged.status).toBe(429);

    // alice counts on her own allowance, not her address's.
    expect((await catalogue(stack, { token: alice })).status).toBe(200);

    // The window passes: the address may ask again (bounded wait, no timing asserted).
    let status = limited.status;
    for (let attempt = 0; attempt < 50 && status === 429; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await catalogue(stack)).status;
    }
    expect(status).toBe(200);
  });

  it('limits login attempts per email and address more strictly, whatever the password', async ({ stack, alice }) => {
    const attempt = (email: string, password: string) => graphql(stack.gatewayUrl, LoginDocument, { variables: { email, password }, token: alice });
    // alice@ logged in once already (the alice fixture): one attempt left.
    expect(errorCodes(await attempt(ALICE.email, 'wrong-password'))).toEqual(['UNAUTHENTICATED']);
    const refused = await attempt(ALICE.email, ALICE.password);
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The email written in the document rather than as a variable counts the same (a document of its own, not the SDK's).
    const inline = await graphql(stack.gatewayUrl, `mutation { login(email: "${ALICE.email.toUpperCase()}", password: "x") { token } }`, { token: alice });
    expect(errorCodes(inline)).toEqual(['RATE_LIMITED']);
    // Another account is not affected.
    expect(errorCodes(await attempt('admin@example.com', 'wrong-password'))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('rate limits behind a trusted proxy', () => {
  it('counts each client the proxy names in X-Forwarded-For on its own', async ({ secondStack: stack }) => {
    const from = (address: string) => catalogue(stack, { headers: { 'x-forwarded-for': address } });
    expect((await from('203.0.113.1')).status).toBe(200);
    expect((await from('203.0.113.1')).status).toBe(429);
    expect((await from('203.0.113.2')).status).toBe(200);
  });

  it('answers a client past its allowance before reading its body: invalid JSON is 429, not 400', async ({ secondStack: stack }) => {
    const send = (body: string) =>
      fetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.50' }, body });
    expect((await send('{ "query": "{ __typename }"')).status).toBe(400);
    const refused = await send(`{ "query": "${'x'.repeat(100_000)}`);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('RATE_LIMITED');
  });

  it('counts an IPv6 client per /64, so one customer’s addresses share one allowance', async ({ secondStack: stack }) => {
    const from = (address: string) => catalogue(stack, { headers: { 'x-forwarded-for': address } });
    expect((await from('2001:db8:7:8::1')).status).toBe(200);
    expect((await from('2001:db8:7:8:a:b:c:d')).status).toBe(429);
    expect((await from('2001:db8:7:9::1')).status).toBe(200);
  });
});
