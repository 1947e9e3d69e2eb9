import { describe, expect, vi } from 'vitest';
import { DEMO_ORDERS } from '@shop/service-kit';
import { OrderDocument } from '@shop/sdk';
import { test } from './support/fixtures.js';
import { ALICE, graphql } from './support/graphql.js';

const [aliceDelivered] = DEMO_ORDERS;
const PRODUCT_PATHS = aliceDelivered.items.map((_, index) => ['SERVICE_UNAVAILABLE', ['order', 'items', index, 'product']]);

const it = test
  // Nothing cached, so every request reaches products (the entity cache would answer from memory);
  // 2 s: time for a sign-in's password hash on a busy machine, short enough to wait for.
  .extend('stackOptions', { scope: 'file' }, { gatewayTimeoutMs: 2_000, gatewayBreakerResetMs: 2_000, entityCacheMegabytes: 0 })
  /** Asks for alice's delivered order with its user and products; the errors on its products, once its user is checked to be there. */
  .extend('productErrors', ({ proxiedShop: { stack, alice } }) => async () => {
    const response = await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: aliceDelivered.id } });
    expect(response.data?.order?.user?.email).toBe(ALICE.email);
    return response.errors?.map((error) => [error.extensions?.code, error.path]);
  });

/** products behind a proxy that makes it slow, broken or not ready on demand. */
describe("the gateway's timeout, circuit breaker and readiness per subgraph", () => {
  it('ends a call to a subgraph that never finishes its answer at the deadline, with SERVICE_UNAVAILABLE on its fields only', async ({ proxiedShop: { stack, proxy }, productErrors }) => {
    proxy.setMode('trickle');
    expect(await productErrors()).toEqual(PRODUCT_PATHS);
    proxy.setMode('pass');
    expect(await productErrors()).toBeUndefined();
    expect(stack.gatewayBreakerState('products')).toBe('closed');
  });

  it('opens the breaker after repeated failures, fails fast while open, half-opens and closes once products answers', async ({ proxiedShop: { stack, proxy }, productErrors }) => {
    proxy.setMode('drop');
    await vi.waitFor(
      async () => {
        expect(await productErrors()).toEqual(PRODUCT_PATHS);
        expect(stack.gatewayBreakerState('products')).toBe('open');
      },
      { timeout: 20_000, interval: 50 },
    );

    // products works again, but the open breaker does not ask it yet.
    proxy.setMode('pass');
    const forwarded = proxy.forwarded();
    expect(await productErrors()).toEqual(PRODUCT_PATHS);
    expect(proxy.forwarded()).toBe(forwarded);
    expect(stack.gatewayBreakerState('products')).toBe('open');

    await vi.waitFor(() => expect(stack.gatewayBreakerState('products')).toBe('halfOpen'), { timeout: 15_000, interval: 50 });
    expect(await productErrors()).toBeUndefined();
    expect(proxy.forwarded()).toBeGreaterThan(forwarded);
    expect(stack.gatewayBreakerState('products')).toBe('closed');
  });

  it("names a subgraph on /ready when that subgraph's own /ready fails, though it is alive", async ({ proxiedShop: { stack, proxy } }) => {
    expect((await fetch(`${stack.gatewayUrl}/ready`)).status).toBe(200);
    proxy.setMode('not-ready');
    expect((await fetch(`${proxy.url}/health`)).status).toBe(200);
    // The gateway's verdict is cached for a second (READINESS_CACHE_MS).
    const readyStatus = async (status: number) =>
      vi.waitFor(async () => expect((await fetch(`${stack.gatewayUrl}/ready`)).status).toBe(status), { timeout: 5_000, interval: 200 });
    await readyStatus(503);
    const ready = await fetch(`${stack.gatewayUrl}/ready`);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', problems: ['products: not ready (HTTP 503)'] });
    proxy.setMode('pass');
    await readyStatus(200);
  });
});
