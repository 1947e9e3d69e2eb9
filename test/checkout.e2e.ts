import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DEMO_PRODUCTS } from '@shop/service-kit';
import type { Stack } from './support/stack.js';
import { startShop } from './support/shop.js';
import { errorCodes, graphql } from './support/graphql.js';
import { createOrder, createProduct, stockOf } from './support/checkout.js';
import { ledgerMismatches } from '../scripts/stock-ledger.js';

const ORDER = `query ($id: ID!) { order(id: $id) { id status total { amountCents } items { quantity unitPrice { amountCents } product { name } } } }`;

describe('placing orders', () => {
  let stack: Stack;
  let alice: string;
  let admin: string;
  beforeAll(async () => {
    ({ stack, alice, admin } = await startShop());
  });
  afterAll(() => stack?.stop());

  it('places an order for two products at their current prices, takes the stock, and records PENDING', async () => {
    const [cup, beans] = [DEMO_PRODUCTS[0]!, DEMO_PRODUCTS[3]!];
    const [cupStock, beansStock] = [await stockOf(stack.gatewayUrl, cup.id), await stockOf(stack.gatewayUrl, beans.id)];
    const response = await createOrder(stack.gatewayUrl, alice, [
      { productId: cup.id, quantity: 2 },
      { productId: beans.id, quantity: 1 },
    ]);
    expect(response.errors).toBeUndefined();
    const order = response.data!.createOrder as {
      id: string;
      status: string;
      total: unknown;
      items: unknown[];
      statusHistory: { status: string; at: string }[];
    };
    expect(order.status).toBe('PENDING');
    expect(order.total).toEqual({ amountCents: 2 * cup.priceCents + beans.priceCents, currency: 'EUR' });
    expect(order.items).toEqual([
      { quantity: 2, unitPrice: { amountCents: cup.priceCents, currency: 'EUR' }, product: { id: cup.id, name: cup.name, stock: cupStock - 2 } },
      { quantity: 1, unitPrice: { amountCents: beans.priceCents, currency: 'EUR' }, product: { id: beans.id, name: beans.name, stock: beansStock - 1 } },
    ]);
    expect(order.statusHistory.map((change) => change.status)).toEqual(['PENDING']);
    const read = await graphql(stack.gatewayUrl, ORDER, { token: alice, variables: { id: order.id } });
    expect(read.data!.order).toMatchObject({ id: order.id, status: 'PENDING' });
    expect(await ledgerMismatches(stack.dbs)).toEqual([]);
  });

  it('creates one order for twenty concurrent calls with one key, reserving once', async () => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 100 });
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 3 }], key)),
    );
    for (const response of responses) expect(response.errors).toBeUndefined();
    const ids = new Set(responses.map((response) => (response.data!.createOrder as { id: string }).id));
    expect(ids.size).toBe(1);
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(97);
    const again = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 3 }], key);
    expect((again.data!.createOrder as { id: string }).id).toBe([...ids][0]);
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(97);
  });

  it('refuses a reused key with other items as CONFLICT, and keeps keys apart per user', async () => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
    const key = randomUUID();
    expect((await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }], key)).errors).toBeUndefined();
    expect(errorCodes(await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 2 }], key))).toEqual(['CONFLICT']);
    const byAdmin = await createOrder(stack.gatewayUrl, admin, [{ productId, quantity: 1 }], key);
    expect(byAdmin.errors).toBeUndefined();
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(8);
  });

  it('reserves nothing when the last item lacks stock, and names that product', async () => {
    const plenty = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
    const scarce = await createProduct(stack.gatewayUrl, admin, { stock: 1 });
    const key = randomUUID();
    const response = await createOrder(stack.gatewayUrl, alice, [
      { productId: plenty, quantity: 5 },
      { productId: scarce, quantity: 2 },
    ], key);
    expect(errorCodes(response)).toEqual(['INSUFFICIENT_STOCK']);
    expect(response.errors?.[0]?.extensions?.productId).toBe(scarce);
    expect(await stockOf(stack.gatewayUrl, plenty)).toBe(10);
    expect(await stockOf(stack.gatewayUrl, scarce)).toBe(1);
    // The failed attempt holds no key: once stock allows, the same key places the order.
    await graphql(stack.gatewayUrl, 'mutation ($id: ID!) { updateProduct(id: $id, input: { stock: 2 }) { id } }', { token: admin, variables: { id: scarce } });
    const retried = await createOrder(stack.gatewayUrl, alice, [{ productId: plenty, quantity: 5 }, { productId: scarce, quantity: 2 }], key);
    expect(retried.errors).toBeUndefined();
    expect(await ledgerMismatches(stack.dbs)).toEqual([]);
  });

  it('refuses an unknown product, or an id that cannot be one, as NOT_FOUND with its id', async () => {
    for (const unknown of [randomUUID(), 'not-a-product-id']) {
      const response = await createOrder(stack.gatewayUrl, alice, [{ productId: unknown, quantity: 1 }]);
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
      expect(response.errors?.[0]?.extensions?.productId).toBe(unknown);
    }
  });

  it('takes a product id in any letter case as the same product', async () => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 5 });
    const key = randomUUID();
    const upper = await createOrder(stack.gatewayUrl, alice, [{ productId: productId.toUpperCase(), quantity: 1 }], key);
    expect(upper.errors).toBeUndefined();
    const lower = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }], key);
    expect((lower.data!.createOrder as { id: string }).id).toBe((upper.data!.createOrder as { id: string }).id);
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(4);
  });

  it('refuses mixed currencies and every bound on items, quantities and the key as BAD_USER_INPUT with the field', async () => {
    const euros = await createProduct(stack.gatewayUrl, admin, { stock: 10, currency: 'EUR' });
    const dollars = await createProduct(stack.gatewayUrl, admin, { stock: 10, currency: 'USD' });
    const cases: [Parameters<typeof createOrder>[2], string, string?][] = [
      [[{ productId: euros, quantity: 1 }, { productId: dollars, quantity: 1 }], 'items'],
      [[], 'items'],
      [Array.from({ length: 51 }, () => ({ productId: randomUUID(), quantity: 1 })), 'items'],
      [[{ productId: euros, quantity: 0 }], 'items.0.quantity'],
      [[{ productId: euros, quantity: 1001 }], 'items.0.quantity'],
      [[{ productId: euros, quantity: 1 }, { productId: euros, quantity: 2 }], 'items.1.productId'],
      [[{ productId: euros, quantity: 1 }], 'idempotencyKey', ''],
      [[{ productId: euros, quantity: 1 }], 'idempotencyKey', 'k'.repeat(201)],
    ];
    for (const [items, field, key] of cases) {
      const response = await createOrder(stack.gatewayUrl, alice, items, key);
      expect(errorCodes(response), field).toEqual(['BAD_USER_INPUT']);
      expect(response.errors?.[0]?.extensions?.field, JSON.stringify(items).slice(0, 80)).toBe(field);
    }
    expect(await stockOf(stack.gatewayUrl, euros)).toBe(10);
    expect(await stockOf(stack.gatewayUrl, dollars)).toBe(10);
  });

  it('keeps the prices an order was placed at when the price changes later', async () => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10, priceCents: 1000 });
    const placed = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 2 }]);
    const id = (placed.data!.createOrder as { id: string }).id;
    await graphql(stack.gatewayUrl, 'mutation ($id: ID!) { updateProduct(id: $id, input: { priceCents: 5000 }) { id } }', { token: admin, variables: { id: productId } });
    const order = (await graphql(stack.gatewayUrl, ORDER, { token: alice, variables: { id } })).data!.order as { total: unknown; items: { unitPrice: unknown }[] };
    expect(order.total).toEqual({ amountCents: 2000 });
    expect(order.items[0]!.unitPrice).toEqual({ amountCents: 1000 });
  });

  it('lets only signed-in users order', async () => {
    const response = await graphql(stack.gatewayUrl, 'mutation { createOrder(input: { items: [], idempotencyKey: "k" }) { id } }');
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });
});
