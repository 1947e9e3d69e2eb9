import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { DEMO_ORDERS, DEMO_PRODUCTS } from '@shop/service-kit';
import { CancelOrderDocument, LoginDocument, OrderDocument, RegisterDocument, UpdateProductDocument } from '@shop/sdk';
import { test } from '../support/fixtures.js';
import { errorCodes, graphql } from '../support/graphql.js';
import { statementsFor } from '../support/statements.js';

/**
 * What an anonymous client chooses, sent as an attacker would. The gateway trusts its loopback
 * proxy (these tests name their client's address in X-Forwarded-For); one registration per
 * address, five logins per address and three per account, the other allowances out of reach.
 */
const it = test.extend('stackOptions', { scope: 'file' }, {
  trustedProxies: ['loopback'],
  rateLimits: { registrations: { points: 1, durationSeconds: 3600 }, loginAccounts: { points: 3, durationSeconds: 300 }, loginAddresses: { points: 5, durationSeconds: 300 } },
});

const HUGE = 'x'.repeat(900 * 1024);
const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
const refusal = (field: string) => ({ status: 400, data: undefined, errors: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field } })] });
const answer = ({ status, data, errors }: { status: number; data?: unknown; errors?: unknown }) => ({ status, data, errors });

describe('values an anonymous client chooses, at the gateway', () => {
  it('refuses a 900 KB email or id, as a variable or in the document, before any work (400 BAD_USER_INPUT naming it)', async ({ stack }) => {
    expect(answer(await graphql(stack.gatewayUrl, LoginDocument, { variables: { email: HUGE, password: 'password' } }))).toEqual(refusal('email'));
    expect(answer(await graphql(stack.gatewayUrl, `mutation { login(email: "${HUGE}", password: "password") { token } }`))).toEqual(refusal('email'));
    expect(answer(await graphql(stack.gatewayUrl, CancelOrderDocument, { variables: { id: HUGE } }))).toEqual(refusal('id'));
  });

  it('refuses a second password field in one operation: 15 aliased registrations run none', async ({ stack }) => {
    const emails = Array.from({ length: 15 }, () => `alias-${randomUUID()}@example.com`);
    const fields = emails.map((email, index) => `r${index}: register(input: { email: "${email}", password: "password-${index}", name: "A" }) { token }`);
    expect(answer(await graphql(stack.gatewayUrl, `mutation { ${fields.join(' ')} }`, from('198.51.100.10')))).toEqual(refusal('register'));
    // None was registered: the first email is still free (this address's one registration).
    const first = await graphql(stack.gatewayUrl, RegisterDocument, { variables: { input: { email: emails[0]!, password: 'password-0', name: 'A' } }, ...from('198.51.100.10') });
    expect(first.errors).toBeUndefined();
  });

  it('allows one registration per address, an IPv6 client per /64', async ({ stack }) => {
    const register = (address: string) =>
      graphql(stack.gatewayUrl, RegisterDocument, { variables: { input: { email: `limited-${randomUUID()}@example.com`, password: 'password', name: 'L' } }, ...from(address) });
    expect((await register('198.51.100.1')).errors).toBeUndefined();
    expect(errorCodes(await register('198.51.100.1'))).toEqual(['RATE_LIMITED']);
    expect((await register('198.51.100.2')).errors).toBeUndefined();
    expect((await register('2001:db8:5:6::1')).errors).toBeUndefined();
    const sameSlash64 = await register('2001:db8:5:6:ffff::2');
    expect(sameSlash64.status).toBe(429);
    expect(errorCodes(sameSlash64)).toEqual(['RATE_LIMITED']);
    expect((await register('2001:db8:5:7::1')).errors).toBeUndefined();
  });

  it('limits the logins to one account from many addresses together', async ({ stack }) => {
    const email = `target-${randomUUID()}@example.com`;
    const attempt = (address: string) => graphql(stack.gatewayUrl, LoginDocument, { variables: { email, password: 'guess' }, ...from(address) });
    for (const address of ['203.0.113.1', '203.0.113.2', '2001:db8:9::1']) expect(errorCodes(await attempt(address))).toEqual(['UNAUTHENTICATED']);
    const refused = await attempt('203.0.113.4');
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
  });

  it('limits the logins of one address whatever the emails: a new email each time gains nothing', async ({ stack }) => {
    const attempt = () => graphql(stack.gatewayUrl, LoginDocument, { variables: { email: `sprayed-${randomUUID()}@example.com`, password: 'guess' }, ...from('198.51.100.40') });
    for (let index = 0; index < 5; index += 1) expect(errorCodes(await attempt())).toEqual(['UNAUTHENTICATED']);
    const refused = await attempt();
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
  });

  it('refuses a number, an alias or an operation name over the bounds, as it does a long string', async ({ stack }) => {
    expect(answer(await graphql(stack.gatewayUrl, `{ product(id: ${'9'.repeat(300_000)}) { id } }`))).toEqual(refusal('id'));
    expect(answer(await graphql(stack.gatewayUrl, `{ ${'a'.repeat(300_000)}: product(id: "${DEMO_PRODUCTS[0]!.id}") { id } }`))).toEqual(refusal('alias'));
    expect(answer(await graphql(stack.gatewayUrl, `query ${'Q'.repeat(300_000)} { products(first: 1) { totalCount } }`))).toEqual(refusal('operation name'));
  });

  it('keeps a cached product when an anonymous client’s write to it is refused', async ({ stack, alice }) => {
    const order = () => graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: DEMO_ORDERS[1].id } });
    const before = await order();
    const product = before.data!.order!.items[0]!.product!;
    expect(DEMO_PRODUCTS.map((demo) => demo.id)).toContain(product.id);
    const write = await graphql(stack.gatewayUrl, UpdateProductDocument, { variables: { id: product.id, input: { name: 'evicted' } }, ...from('198.51.100.20') });
    expect(errorCodes(write)).toEqual(['UNAUTHENTICATED']);
    const after = await statementsFor(stack, order);
    expect(after.counts.products).toBe(0);
    expect(after.response.data).toEqual(before.data);
  });
});
