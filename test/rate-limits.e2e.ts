import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';
import { ALICE, errorCodes, graphql, login } from './support/graphql.js';

const CATALOGUE = '{ products(first: 1) { totalCount } }';
const LOGIN = 'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }';

describe('rate limits at the gateway', () => {
  let stack: Stack;
  let alice: string;
  beforeAll(async () => {
    stack = await startStack({
      rateLimits: { requests: { points: 5, durationSeconds: 2 }, logins: { points: 2, durationSeconds: 60 } },
    });
    alice = await login(stack.gatewayUrl, ALICE.email, ALICE.password); // the address's first point, and alice@'s first login
  });
  afterAll(() => stack?.stop());

  it('answers 429 with Retry-After and RATE_LIMITED past the allowance of an address, keeps a signed-in user apart, and lets it go again after the window', async () => {
    for (let request = 2; request <= 5; request += 1) expect((await graphql(stack.gatewayUrl, CATALOGUE)).status).toBe(200);
    const limited = await graphql(stack.gatewayUrl, CATALOGUE);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(errorCodes(limited)).toEqual(['RATE_LIMITED']);
    expect(limited.data).toBeUndefined();

    // Without trusted proxies, a client naming another address in X-Forwarded-For is still itself.
    const forged = await graphql(stack.gatewayUrl, CATALOGUE, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(forged.status).toBe(429);

    // alice counts on her own allowance, not her address's.
    expect((await graphql(stack.gatewayUrl, CATALOGUE, { token: alice })).status).toBe(200);

    // The window passes: the address may ask again (bounded wait, no timing asserted).
    let status = limited.status;
    for (let attempt = 0; attempt < 50 && status === 429; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await graphql(stack.gatewayUrl, CATALOGUE)).status;
    }
    expect(status).toBe(200);
  });

  it('limits login attempts per email and address more strictly, whatever the password', async () => {
    const attempt = (email: string, password: string) => graphql(stack.gatewayUrl, LOGIN, { variables: { email, password }, token: alice });
    // alice@ logged in once already (beforeAll): one attempt left.
    expect(errorCodes(await attempt(ALICE.email, 'wrong-password'))).toEqual(['UNAUTHENTICATED']);
    const refused = await attempt(ALICE.email, ALICE.password);
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The email written in the document rather than as a variable counts the same.
    const inline = await graphql(stack.gatewayUrl, `mutation { login(email: "${ALICE.email.toUpperCase()}", password: "x") { token } }`, { token: alice });
    expect(errorCodes(inline)).toEqual(['RATE_LIMITED']);
    // Another account is not affected.
    expect(errorCodes(await attempt('admin@example.com', 'wrong-password'))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('rate limits behind a trusted proxy', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ trustedProxies: ['loopback'], rateLimits: { requests: { points: 1, durationSeconds: 60 } } });
  });
  afterAll(() => stack?.stop());

  it('counts each client the proxy names in X-Forwarded-For on its own', async () => {
    const from = (address: string) => graphql(stack.gatewayUrl, CATALOGUE, { headers: { 'x-forwarded-for': address } });
    expect((await from('203.0.113.1')).status).toBe(200);
    expect((await from('203.0.113.1')).status).toBe(429);
    expect((await from('203.0.113.2')).status).toBe(200);
  });
});
