import { describe, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { SERVICE_CREDENTIAL_HEADER } from '@shop/service-kit';
import { CancelOrderDocument, OrderDocument, UpdateProductDocument } from '@shop/sdk';
import { SERVICE_CREDENTIAL } from './support/stack.js';
import { it } from './support/fixtures.js';
import { errorCodes, graphql } from './support/graphql.js';
import { createOrder, createProduct, newCustomer, stockOf } from './support/checkout.js';
import { ledgerMismatches } from '../scripts/stock-ledger.js';

// products' internal operations, asked of products directly: they are no part of the public API, nor of the SDK.
const RESERVE = `mutation ($orderId: ID!, $items: [StockItemInput!]!) {
  reserveStock(orderId: $orderId, items: $items) { orderId status items { productId quantity unitPrice { amountCents currency } } }
}`;
const RELEASE = 'mutation ($orderId: ID!) { releaseStock(orderId: $orderId) { orderId status items { quantity } } }';
interface Reservation {
  orderId: string;
  status: string;
  items: { productId?: string; quantity: number; unitPrice?: { amountCents: number; currency: string } }[];
}
const internal = { [SERVICE_CREDENTIAL_HEADER]: SERVICE_CREDENTIAL };

describe('stock', () => {
  it('sells exactly the stock to 200 concurrent orders from several customers', async ({ shop: { stack, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 50 });
    const customers = await Promise.all(Array.from({ length: 10 }, () => newCustomer(stack.gatewayUrl)));
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => createOrder(stack.gatewayUrl, customers[i % customers.length]!, [{ productId, quantity: 1 }])),
    );
    const succeeded = responses.filter((response) => !response.errors);
    const refused = responses.filter((response) => response.errors);
    expect(succeeded).toHaveLength(50);
    for (const response of refused) {
      expect(errorCodes(response)).toEqual(['INSUFFICIENT_STOCK']);
      expect(response.errors?.[0]?.extensions?.productId).toBe(productId);
    }
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(0);
    expect(await ledgerMismatches(stack.dbs)).toEqual([]);
  });

  it('keeps the internal operations out of the gateway\'s schema', async ({ shop: { stack, admin } }) => {
    interface Fields {
      fields: { name: string }[];
    }
    const schema = await graphql<{ __schema: { queryType: Fields; mutationType: Fields }; reservation: { name: string } | null }>(
      stack.gatewayUrl,
      '{ __schema { queryType { fields { name } } mutationType { fields { name } } } reservation: __type(name: "StockReservation") { name } }',
    );
    const names = [...schema.data!.__schema.queryType.fields, ...schema.data!.__schema.mutationType.fields].map((field) => field.name);
    expect(names).toContain('createOrder');
    for (const internalName of ['reserveStock', 'releaseStock', 'stockReservation']) expect(names).not.toContain(internalName);
    expect(schema.data!.reservation).toBeNull();
    const call = await graphql(stack.gatewayUrl, RESERVE, { token: admin, headers: internal, variables: { orderId: randomUUID(), items: [] } });
    expect(new Set(errorCodes(call))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(call.errors?.map((error) => error.message).join(' ')).toMatch(/Cannot query field "reserveStock"/);
  });

  it('refuses the internal operations at products without the service credential, even to an admin', async ({ shop: { stack, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 5 });
    const variables = { orderId: randomUUID(), items: [{ productId, quantity: 1 }] };
    for (const headers of [{}, { [SERVICE_CREDENTIAL_HEADER]: 'wrong-credential' }] as Record<string, string>[]) {
      expect(errorCodes(await graphql(stack.urls.products, RESERVE, { token: admin, headers, variables }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await graphql(stack.urls.products, RELEASE, { token: admin, headers, variables: { orderId: variables.orderId } }))).toEqual(['FORBIDDEN']);
      const find = await graphql(stack.urls.products, 'query ($orderId: ID!) { stockReservation(orderId: $orderId) { status } }', { token: admin, headers, variables: { orderId: variables.orderId } });
      expect(errorCodes(find)).toEqual(['FORBIDDEN']);
    }
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(5);
  });

  it('reserves and releases once per order, whatever the repeats', async ({ shop: { stack, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 5, priceCents: 700 });
    const orderId = randomUUID();
    const variables = { orderId, items: [{ productId, quantity: 2 }] };
    const first = await graphql<{ reserveStock: Reservation }>(stack.urls.products, RESERVE, { headers: internal, variables });
    expect(first.data!.reserveStock).toEqual({ orderId, status: 'RESERVED', items: [{ productId, quantity: 2, unitPrice: { amountCents: 700, currency: 'EUR' } }] });
    await graphql(stack.gatewayUrl, UpdateProductDocument, { token: admin, variables: { id: productId, input: { priceCents: 900 } } });
    const repeated = await graphql<{ reserveStock: Reservation }>(stack.urls.products, RESERVE, { headers: internal, variables: { orderId, items: [{ productId, quantity: 4 }] } });
    expect(repeated.data!.reserveStock).toEqual(first.data!.reserveStock);
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(3);

    for (let i = 0; i < 2; i++) {
      const released = await graphql<{ releaseStock: Reservation }>(stack.urls.products, RELEASE, { headers: internal, variables: { orderId } });
      expect(released.data!.releaseStock).toMatchObject({ orderId, status: 'RELEASED' });
      expect(await stockOf(stack.gatewayUrl, productId)).toBe(5);
    }
  });

  it('takes nothing for a reserve that arrives after its order was released', async ({ shop: { stack, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 5 });
    const orderId = randomUUID();
    expect((await graphql<{ releaseStock: Reservation }>(stack.urls.products, RELEASE, { headers: internal, variables: { orderId } })).data!.releaseStock).toEqual({ orderId, status: 'RELEASED', items: [] });
    const late = await graphql<{ reserveStock: Reservation }>(stack.urls.products, RESERVE, { headers: internal, variables: { orderId, items: [{ productId, quantity: 1 }] } });
    expect(late.data!.reserveStock).toMatchObject({ status: 'RELEASED', items: [] });
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(5);
  });

  it('is ordered by alice from Sandbox: two products, read back, cancelled, stock back', async ({ shop: { stack, alice, admin } }) => {
    const [first, second] = [await createProduct(stack.gatewayUrl, admin, { stock: 4, name: 'Mug' }), await createProduct(stack.gatewayUrl, admin, { stock: 4, name: 'Jug' })];
    const placed = await createOrder(stack.gatewayUrl, alice, [{ productId: first, quantity: 1 }, { productId: second, quantity: 2 }]);
    const id = placed.data!.createOrder.id;
    const read = await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id } });
    expect(read.data!.order!.items.map((item) => item.product?.name)).toEqual(['Mug', 'Jug']);
    expect([await stockOf(stack.gatewayUrl, first), await stockOf(stack.gatewayUrl, second)]).toEqual([3, 2]);
    await graphql(stack.gatewayUrl, CancelOrderDocument, { token: alice, variables: { id } });
    expect([await stockOf(stack.gatewayUrl, first), await stockOf(stack.gatewayUrl, second)]).toEqual([4, 4]);
  });
});
