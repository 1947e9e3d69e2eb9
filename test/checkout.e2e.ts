import { describe, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DEMO_PRODUCTS } from '@shop/service-kit';
import { CreateOrderDocument, OrderDocument, UpdateProductDocument } from '@shop/sdk';
import { it } from './support/fixtures.js';
import { errorCodes, graphql } from './support/graphql.js';
import { createOrder, createProduct, stockOf } from './support/checkout.js';
import { ledgerMismatches } from '../scripts/stock-ledger.js';

describe('placing orders', () => {
  it('places an order for two products at their current prices, takes the stock, and records PENDING', async ({ shop: { stack, alice } }) => {
    const [cup, beans] = [DEMO_PRODUCTS[0]!, DEMO_PRODUCTS[3]!];
    const [cupStock, beansStock] = [await stockOf(stack.gatewayUrl, cup.id), await stockOf(stack.gatewayUrl, beans.id)];
    const response = await createOrder(stack.gatewayUrl, alice, [
      { productId: cup.id, quantity: 2 },
      { productId: beans.id, quantity: 1 },
    ]);
    expect(response.errors).toBeUndefined();
    const order = response.data!.createOrder;
    expect(order.status).toBe('PENDING');
    expect(order.total).toEqual({ amountCents: 2 * cup.priceCents + beans.priceCents, currency: 'EUR' });
    // The SDK's order selects each product's description too; this checks what the order took.
    expect(order.items.map(({ quantity, unitPrice, product }) => ({ quantity, unitPrice, product: { id: product?.id, name: product?.name, stock: product?.stock } }))).toEqual([
      { quantity: 2, unitPrice: { amountCents: cup.priceCents, currency: 'EUR' }, product: { id: cup.id, name: cup.name, stock: cupStock - 2 } },
      { quantity: 1, unitPrice: { amountCents: beans.priceCents, currency: 'EUR' }, product: { id: beans.id, name: beans.name, stock: beansStock - 1 } },
    ]);
    expect(order.statusHistory.map((change) => change.status)).toEqual(['PENDING']);
    const read = await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: order.id } });
    expect(read.data!.order).toMatchObject({ id: order.id, status: 'PENDING' });
    expect(await ledgerMismatches(stack.dbs)).toEqual([]);
  });

  it('creates one order for twenty concurrent calls with one key, reserving once', async ({ shop: { stack, alice, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 100 });
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 3 }], key)),
    );
    for (const response of responses) expect(response.errors).toBeUndefined();
    const ids = new Set(responses.map((response) => response.data!.createOrder.id));
    expect(ids.size).toBe(1);
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(97);
    const again = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 3 }], key);
    expect(again.data!.createOrder.id).toBe([...ids][0]);
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(97);
  });

  it('refuses a reused key with other items as CONFLICT, and keeps keys apart per user', async ({ shop: { stack, alice, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
    const key = randomUUID();
    expect((await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }], key)).errors).toBeUndefined();
    expect(errorCodes(await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 2 }], key))).toEqual(['CONFLICT']);
    const byAdmin = await createOrder(stack.gatewayUrl, admin, [{ productId, quantity: 1 }], key);
    expect(byAdmin.errors).toBeUndefined();
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(8);
  });

  it('reserves nothing when the last item lacks stock, and names that product', async ({ shop: { stack, alice, admin } }) => {
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
    await graphql(stack.gatewayUrl, UpdateProductDocument, { token: admin, variables: { id: scarce, input: { stock: 2 } } });
    const retried = await createOrder(stack.gatewayUrl, alice, [{ productId: plenty, quantity: 5 }, { productId: scarce, quantity: 2 }], key);
    expect(retried.errors).toBeUndefined();
    expect(await ledgerMismatches(stack.dbs)).toEqual([]);
  });

  it('refuses an unknown product as NOT_FOUND with its id, and an id that cannot be one as BAD_USER_INPUT', async ({ shop: { stack, alice } }) => {
    const unknown = randomUUID();
    const response = await createOrder(stack.gatewayUrl, alice, [{ productId: unknown, quantity: 1 }]);
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    expect(response.errors?.[0]?.extensions?.productId).toBe(unknown);
    const malformed = await createOrder(stack.gatewayUrl, alice, [{ productId: 'not-a-product-id', quantity: 1 }]);
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
    expect(malformed.errors?.[0]?.extensions?.field).toBe('items.0.productId');
  });

  it('takes a product id in any letter case as the same product', async ({ shop: { stack, alice, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 5 });
    const key = randomUUID();
    const upper = await createOrder(stack.gatewayUrl, alice, [{ productId: productId.toUpperCase(), quantity: 1 }], key);
    expect(upper.errors).toBeUndefined();
    const lower = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }], key);
    expect(lower.data!.createOrder.id).toBe(upper.data!.createOrder.id);
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(4);
  });

  it('refuses mixed currencies and every bound on items, quantities and the key as BAD_USER_INPUT with the field', async ({ shop: { stack, alice, admin } }) => {
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

  it('keeps the prices an order was placed at when the price changes later', async ({ shop: { stack, alice, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10, priceCents: 1000 });
    const placed = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 2 }]);
    const id = placed.data!.createOrder.id;
    await graphql(stack.gatewayUrl, UpdateProductDocument, { token: admin, variables: { id: productId, input: { priceCents: 5000 } } });
    const order = (await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id } })).data!.order!;
    expect(order.total.amountCents).toBe(2000);
    expect(order.items[0]!.unitPrice.amountCents).toBe(1000);
  });

  it('lets only signed-in users order', async ({ shop: { stack } }) => {
    const response = await graphql(stack.gatewayUrl, CreateOrderDocument, { variables: { input: { items: [], idempotencyKey: 'k' } } });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });
});
