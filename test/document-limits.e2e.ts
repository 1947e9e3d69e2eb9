import { describe, expect } from 'vitest';
import { ProductsDocument } from '@shop/sdk';
import type { Stack } from './support/stack.js';
import { it } from './support/fixtures.js';
import { startExtraGateway } from './support/extra-gateway.js';
import { errorCodes, graphql } from './support/graphql.js';
import { registeredValue } from './support/prometheus.js';

/** A page of 100 orders with each item's product: 1 + 100 × (1 order + 50 items × (1 + 1 product)) = 10,101 by the schema's @listSize. */
const ORDERS_WITH_PRODUCTS = 'orders(first: 100) { nodes { id items { product { name } } } }';
const aliased = (count: number, field: string) => `{ ${Array.from({ length: count }, (_, index) => `a${index}: ${field}`).join(' ')} }`;

/** The gateway answers the SDK's catalogue query: it keeps serving. */
async function expectServing(stack: Stack) {
  expect((await graphql(stack.gatewayUrl, ProductsDocument, { variables: { first: 1 } })).data?.products.totalCount).toBe(12);
}

/** Refused with HTTP 400, BAD_USER_INPUT and a message naming the limit; the gateway keeps serving. */
async function expectRefused(stack: Stack, query: string, message: RegExp) {
  const response = await graphql(stack.gatewayUrl, query);
  expect(response.status).toBe(400);
  expect(errorCodes(response)[0]).toBe('BAD_USER_INPUT');
  expect(response.errors?.[0]?.message).toMatch(message);
  expect(response.data).toBeUndefined();
  await expectServing(stack);
}

describe('document limits at the gateway (defaults)', () => {
  it('refuses a document deeper than 8 fields, counting fields and not fragment spreads', async ({ stack }) => {
    await expectRefused(stack, '{ orders { edges { node { user { orders { nodes { items { product { name } } } } } } } } }', /depth limit of 8 exceeded, found 9/);
    // The deepest list the contract needs: orders through edges { node }, with their products' prices.
    const ordersWithPrices = '{ orders { edges { node { items { product { price { amountCents } } } } } } }';
    expect((await graphql(stack.gatewayUrl, ordersWithPrices)).errors?.[0]?.extensions?.code).not.toBe('BAD_USER_INPUT');
    const throughFragments = 'query { products(first: 1) { nodes { ...P } } } fragment P on Product { price { ...M } } fragment M on Money { amountCents }';
    expect((await graphql(stack.gatewayUrl, throughFragments)).errors).toBeUndefined();
  });

  it('refuses more than 15 aliases', async ({ stack }) => {
    await expectRefused(stack, aliased(16, 'products(first: 1) { totalCount }'), /Aliases limit of 15 exceeded, found 16/);
    expect((await graphql(stack.gatewayUrl, aliased(15, 'products(first: 1) { totalCount }'))).errors).toBeUndefined();
  });

  it('refuses more than 50 directives', async ({ stack }) => {
    await expectRefused(stack, aliased(26, '__typename @include(if: true) @skip(if: false)'), /Directives limit of 50 exceeded, found 52/);
    expect((await graphql(stack.gatewayUrl, aliased(25, '__typename @include(if: true) @skip(if: false)'))).errors).toBeUndefined();
  });

  it('refuses more than 1000 tokens before parsing the rest', async ({ stack }) => {
    await expectRefused(stack, `{ ${'__typename '.repeat(1000)}}`, /Document contains more th\w+ 1000 tokens/);
  });

  it('refuses an operation estimated above MAX_OPERATION_COST (16000) with COST_ESTIMATED_TOO_EXPENSIVE, before any subgraph call', async ({ shop: { stack, admin } }) => {
    const subgraphCalls = () => Object.values(stack.requests).flat().filter((headers) => headers['content-type']?.includes('json')).length;
    const refusedBefore = await registeredValue('operation_cost_refusals_total', { mode: 'enforce' });
    const callsBefore = subgraphCalls();
    const response = await graphql(stack.gatewayUrl, aliased(2, ORDERS_WITH_PRODUCTS), { token: admin });
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'COST_ESTIMATED_TOO_EXPENSIVE', cost: 20_202, maxCost: 16_000 } }),
    ]);
    expect(subgraphCalls()).toBe(callsBefore);
    expect(await registeredValue('operation_cost_refusals_total', { mode: 'enforce' })).toBe(refusedBefore + 1);
    // One such page is served, and asks the subgraphs.
    expect((await graphql(stack.gatewayUrl, aliased(1, ORDERS_WITH_PRODUCTS), { token: admin })).errors).toBeUndefined();
    expect(subgraphCalls()).toBeGreaterThan(callsBefore);
    await expectServing(stack);
  });

  it('serves that operation with DEMAND_CONTROL_MODE=measure, and counts it', async ({ shop: { stack, admin } }) => {
    const measuring = await startExtraGateway(stack, 'gateway-measure', { DEMAND_CONTROL_MODE: 'measure' });
    try {
      const countedBefore = await registeredValue('operation_cost_refusals_total', { mode: 'measure' });
      const response = await graphql<{ a0: { nodes: unknown[] } }>(measuring.url, aliased(2, ORDERS_WITH_PRODUCTS), { token: admin });
      expect(response.errors).toBeUndefined();
      expect(response.data?.a0.nodes.length).toBeGreaterThan(0);
      expect(await registeredValue('operation_cost_refusals_total', { mode: 'measure' })).toBe(countedBefore + 1);
    } finally {
      await measuring.gateway.stop();
    }
  });

  it('refuses a batch of operations in one request', async ({ stack }) => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({ message: expect.stringMatching(/batching/i), extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('refuses a body over MAX_BODY_BYTES (1 MB) with HTTP 413', async ({ stack }) => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(1_000_001) } }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ errors: [{ message: 'The request body is too large', extensions: { code: 'BAD_USER_INPUT' } }] });
    await expectServing(stack);
  });

  it('still suggests field names outside production', async ({ stack }) => {
    const response = await graphql(stack.gatewayUrl, '{ products(first: 1) { totalCout } }');
    expect(response.errors?.[0]?.message).toMatch(/Did you mean "totalCount"\?/);
  });
});
