import { describe, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DEMO_ORDERS, DEMO_PRODUCTS, DEMO_USERS } from '@shop/service-kit';
import { MyOrdersDocument, OrderDocument, OrdersDocument, RegisterDocument } from '@shop/sdk';
import { test } from './support/fixtures.js';
import { ALICE, errorCodes, graphql } from './support/graphql.js';
import { CANONICAL } from '../bench/canonical-query.js';

const [adminUser, aliceUser] = DEMO_USERS;
const [aliceDelivered, alicePending, adminPaid] = DEMO_ORDERS;

interface Money {
  amountCents: number;
  currency: string;
}
/** What the bench's canonical query selects (the SDK's Order has no product prices). */
interface CanonicalAnswer {
  order: {
    id: string;
    status: string;
    total: Money;
    user: { id: string; email: string; name: string } | null;
    items: { quantity: number; unitPrice: Money; product: { id: string; name: string; price: { amountCents: number } } | null }[];
  } | null;
}
/** The README's first queries, with the count: me with my email, my orders with their user; the SDK's MyOrders selects neither. */
const QUICK_START = '{ me { email orders { totalCount nodes { id status total { amountCents currency } user { email } items { quantity unitPrice { amountCents } product { name } } } } } }';
interface QuickStartAnswer {
  me: { email: string; orders: { totalCount: number; nodes: { id: string; user: { email: string } | null }[] } | null } | null;
}

/** A customer of the file's own, with no orders. */
const it = test.extend('bob', { scope: 'file' }, async ({ stack }) => {
  const registered = await graphql(stack.gatewayUrl, RegisterDocument, {
    variables: { input: { email: `bob-${randomUUID()}@example.com`, password: 'bob-password', name: 'Bob' } },
  });
  return registered.data!.register.token;
});

describe('orders across the three services', () => {
  it('answers the canonical query: an order with its user and its products, each from its owner', async ({ shop: { stack, alice } }) => {
    const response = await graphql<CanonicalAnswer>(stack.gatewayUrl, CANONICAL, { token: alice, variables: { id: aliceDelivered.id } });
    expect(response.errors).toBeUndefined();
    const order = response.data!.order!;
    expect(order).toMatchObject({ id: aliceDelivered.id, status: 'DELIVERED', user: { id: aliceUser.id, email: ALICE.email, name: aliceUser.name } });
    const expectedItems = aliceDelivered.items.map((item) => {
      const product = DEMO_PRODUCTS.find((p) => p.id === item.productId)!;
      return {
        quantity: item.quantity,
        unitPrice: { amountCents: product.priceCents, currency: 'EUR' },
        product: { id: product.id, name: product.name, price: { amountCents: product.priceCents } },
      };
    });
    expect(order.items).toEqual(expectedItems);
    const total = expectedItems.reduce((sum, item) => sum + item.quantity * item.unitPrice.amountCents, 0);
    expect(order.total).toEqual({ amountCents: total, currency: 'EUR' });
  });

  it('answers the sign-in query of the quick start: me with my orders, newest first', async ({ shop: { stack, alice } }) => {
    const response = await graphql<QuickStartAnswer>(stack.gatewayUrl, QUICK_START, { token: alice });
    expect(response.errors).toBeUndefined();
    const orders = response.data!.me!.orders!;
    expect(orders.totalCount).toBe(2);
    expect(orders.nodes.map((order) => order.id)).toEqual([alicePending.id, aliceDelivered.id]);
    expect(orders.nodes[0]!.user!.email).toBe(ALICE.email);
  });

  it("lets the owner and admins read an order, gives others FORBIDDEN and an unknown id null", async ({ shop: { stack, alice, admin }, bob }) => {
    const read = (token: string | undefined, id: string) => graphql(stack.gatewayUrl, OrderDocument, { token, variables: { id } });
    expect((await read(admin, aliceDelivered.id)).data!.order!.id).toBe(aliceDelivered.id);
    expect(errorCodes(await read(alice, adminPaid.id))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await read(bob, aliceDelivered.id))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await read(undefined, aliceDelivered.id))).toEqual(['UNAUTHENTICATED']);
    expect((await read(alice, randomUUID())).data!.order).toBeNull();
  });

  it('lists a customer their own orders and an admin all, filtered by status', async ({ shop: { stack, alice, admin }, bob }) => {
    const own = await graphql(stack.gatewayUrl, OrdersDocument, { token: alice });
    expect(own.data!.orders.totalCount).toBe(2);
    expect(own.data!.orders.nodes.every((order) => order.user?.id === aliceUser.id)).toBe(true);
    expect((await graphql(stack.gatewayUrl, OrdersDocument, { token: bob })).data!.orders.totalCount).toBe(0);

    const all = await graphql(stack.gatewayUrl, OrdersDocument, { token: admin });
    expect(all.data!.orders.totalCount).toBe(DEMO_ORDERS.length);
    const paid = await graphql(stack.gatewayUrl, OrdersDocument, { token: admin, variables: { status: 'PAID' } });
    expect(paid.data!.orders.nodes.map((order) => order.id)).toEqual([adminPaid.id]);

    expect(errorCodes(await graphql(stack.gatewayUrl, OrdersDocument))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await graphql(stack.gatewayUrl, OrdersDocument, { token: admin, variables: { first: 101 } }))).toEqual(['BAD_USER_INPUT']);
  });

  it('pages a user\'s orders with cursors', async ({ shop: { stack, alice } }) => {
    const page = async (after?: string | null) => (await graphql(stack.gatewayUrl, MyOrdersDocument, { token: alice, variables: { first: 1, after } })).data!.me!.orders!;
    const first = await page();
    expect(first).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ id: alicePending.id }] });
    const second = await page(first.pageInfo.endCursor);
    expect(second).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false }, nodes: [{ id: aliceDelivered.id }] });
  });

  it("shows a user's email and orders only to themself and admins, checked by the owning subgraph", async ({ shop: { stack, admin }, bob }) => {
    // Each subgraph is asked directly, as the gateway would: an internal entity query, not a public operation.
    const entities = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id email orders { totalCount } } } }`;
    interface Entities {
      _entities: { email?: string; orders?: { totalCount: number } }[];
    }
    const variables = { representations: [{ __typename: 'User', id: aliceUser.id }] };
    const asBob = await graphql<Entities>(stack.urls.users, entities.replace(' orders { totalCount }', ''), { token: bob, variables });
    expect(errorCodes(asBob)).toEqual(['FORBIDDEN']);
    expect(asBob.errors?.[0]?.path).toEqual(['_entities', 0, 'email']);
    const ordersAsBob = await graphql<Entities>(stack.urls.orders, entities.replace(' email', ''), { token: bob, variables });
    expect(errorCodes(ordersAsBob)).toEqual(['FORBIDDEN']);
    const asAdmin = await graphql<Entities>(stack.urls.users, entities.replace(' orders { totalCount }', ''), { token: admin, variables });
    expect(asAdmin.data!._entities[0]!.email).toBe(ALICE.email);
    const ordersAsAdmin = await graphql<Entities>(stack.urls.orders, entities.replace(' email', ''), { token: admin, variables });
    expect(ordersAsAdmin.data!._entities[0]!.orders!.totalCount).toBe(2);
    expect(adminUser.id).not.toBe(aliceUser.id);
  });

  it('forwards the token, the request id and, not tracing itself, the client\'s trace context to every subgraph it calls', async ({ shop: { stack, alice } }) => {
    for (const name of ['users', 'products', 'orders'] as const) stack.requests[name].length = 0;
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    // no-cache: every subgraph is called, products too (its entities may be in the gateway's entity cache).
    const response = await graphql(stack.gatewayUrl, OrderDocument, {
      token: alice,
      variables: { id: aliceDelivered.id },
      headers: { 'x-request-id': 'test-request-1', traceparent, tracestate: 'shop=1', 'cache-control': 'no-cache' },
    });
    expect(response.headers.get('x-request-id')).toBe('test-request-1');
    for (const name of ['users', 'products', 'orders'] as const) {
      const graphqlRequests = stack.requests[name].filter((headers) => headers['content-type']?.includes('json'));
      expect(graphqlRequests.length).toBeGreaterThan(0);
      for (const headers of graphqlRequests) {
        expect(headers.authorization).toBe(`Bearer ${alice}`);
        expect(headers['x-request-id']).toBe('test-request-1');
        expect(headers.traceparent).toBe(traceparent);
        expect(headers.tracestate).toBe('shop=1');
      }
    }
    stack.requests.products.length = 0;
    // A malformed traceparent is no trace context: nothing goes on.
    await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: aliceDelivered.id }, headers: { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, 'cache-control': 'no-cache' } });
    const untraced = stack.requests.products.filter((headers) => headers['content-type']?.includes('json'));
    expect(untraced.length).toBeGreaterThan(0);
    expect(untraced.every((headers) => headers.traceparent === undefined)).toBe(true);
  });

  it('ignores identity headers a client adds: only a verified token says who is asking', async ({ shop: { stack, alice } }) => {
    const headers = { 'x-user-id': adminUser.id, 'x-role': 'ADMIN', 'x-user-role': 'ADMIN' };
    const response = await graphql(stack.gatewayUrl, OrderDocument, {
      token: alice,
      headers,
      variables: { id: adminPaid.id },
    });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    // orders itself, asked directly: the SDK's Orders selects users' fields, which orders' own schema lacks.
    const anonymous = await graphql(stack.urls.orders, '{ orders { totalCount } }', { headers });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });
});
