import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DEMO_ORDERS, DEMO_PRODUCTS, DEMO_USERS } from '@shop/service-kit';
import type { Stack } from './support/stack.js';
import { startShop } from './support/shop.js';
import { ALICE, errorCodes, graphql } from './support/graphql.js';
import { CANONICAL } from '../bench/canonical-query.js';

const ORDERS = `query ($first: Int, $after: String, $status: OrderStatus) {
  orders(first: $first, after: $after, status: $status) { totalCount pageInfo { hasNextPage endCursor } edges { node { id status user { id } } } }
}`;
const [adminUser, aliceUser] = DEMO_USERS;
const [aliceDelivered, alicePending, adminPaid] = DEMO_ORDERS;

describe('orders across the three services', () => {
  let stack: Stack;
  let admin: string;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    ({ stack, alice, admin } = await startShop());
    const registered = await graphql(stack.gatewayUrl, 'mutation ($input: RegisterInput!) { register(input: $input) { token } }', {
      variables: { input: { email: `bob-${randomUUID()}@example.com`, password: 'bob-password', name: 'Bob' } },
    });
    bob = registered.data.register.token;
  });
  afterAll(() => stack?.stop());

  it('answers the canonical query: an order with its user and its products, each from its owner', async () => {
    const response = await graphql(stack.gatewayUrl, CANONICAL, { token: alice, variables: { id: aliceDelivered.id } });
    expect(response.errors).toBeUndefined();
    const order = response.data.order;
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

  it('answers the sign-in query of the quick start: me with my orders, newest first', async () => {
    const response = await graphql(
      stack.gatewayUrl,
      '{ me { email orders { totalCount nodes { id status total { amountCents currency } user { email } items { quantity unitPrice { amountCents } product { name } } } } } }',
      { token: alice },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.me.orders.totalCount).toBe(2);
    expect(response.data.me.orders.nodes.map((order: { id: string }) => order.id)).toEqual([alicePending.id, aliceDelivered.id]);
    expect(response.data.me.orders.nodes[0].user.email).toBe(ALICE.email);
  });

  it("lets the owner and admins read an order, gives others FORBIDDEN and an unknown id null", async () => {
    const query = 'query ($id: ID!) { order(id: $id) { id } }';
    expect((await graphql(stack.gatewayUrl, query, { token: admin, variables: { id: aliceDelivered.id } })).data.order.id).toBe(aliceDelivered.id);
    expect(errorCodes(await graphql(stack.gatewayUrl, query, { token: alice, variables: { id: adminPaid.id } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(stack.gatewayUrl, query, { token: bob, variables: { id: aliceDelivered.id } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(stack.gatewayUrl, query, { variables: { id: aliceDelivered.id } }))).toEqual(['UNAUTHENTICATED']);
    expect((await graphql(stack.gatewayUrl, query, { token: alice, variables: { id: randomUUID() } })).data.order).toBeNull();
  });

  it('lists a customer their own orders and an admin all, filtered by status', async () => {
    const own = await graphql(stack.gatewayUrl, ORDERS, { token: alice });
    expect(own.data.orders.totalCount).toBe(2);
    expect(own.data.orders.edges.every((edge: { node: { user: { id: string } } }) => edge.node.user.id === aliceUser.id)).toBe(true);
    expect((await graphql(stack.gatewayUrl, ORDERS, { token: bob })).data.orders.totalCount).toBe(0);

    const all = await graphql(stack.gatewayUrl, ORDERS, { token: admin });
    expect(all.data.orders.totalCount).toBe(DEMO_ORDERS.length);
    const paid = await graphql(stack.gatewayUrl, ORDERS, { token: admin, variables: { status: 'PAID' } });
    expect(paid.data.orders.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([adminPaid.id]);

    expect(errorCodes(await graphql(stack.gatewayUrl, ORDERS))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await graphql(stack.gatewayUrl, ORDERS, { token: admin, variables: { first: 101 } }))).toEqual(['BAD_USER_INPUT']);
  });

  it('pages a user\'s orders with cursors', async () => {
    const query = 'query ($after: String) { me { orders(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }';
    const first = (await graphql(stack.gatewayUrl, query, { token: alice })).data.me.orders;
    expect(first).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, edges: [{ node: { id: alicePending.id } }] });
    const second = (await graphql(stack.gatewayUrl, query, { token: alice, variables: { after: first.pageInfo.endCursor } })).data.me.orders;
    expect(second).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false }, edges: [{ node: { id: aliceDelivered.id } }] });
  });

  it("shows a user's email and orders only to themself and admins, checked by the owning subgraph", async () => {
    const entities = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id email orders { totalCount } } } }`;
    const variables = { representations: [{ __typename: 'User', id: aliceUser.id }] };
    const asBob = await graphql(stack.urls.users, entities.replace(' orders { totalCount }', ''), { token: bob, variables });
    expect(errorCodes(asBob)).toEqual(['FORBIDDEN']);
    expect(asBob.errors?.[0]?.path).toEqual(['_entities', 0, 'email']);
    const ordersAsBob = await graphql(stack.urls.orders, entities.replace(' email', ''), { token: bob, variables });
    expect(errorCodes(ordersAsBob)).toEqual(['FORBIDDEN']);
    const asAdmin = await graphql(stack.urls.users, entities.replace(' orders { totalCount }', ''), { token: admin, variables });
    expect(asAdmin.data._entities[0].email).toBe(ALICE.email);
    const ordersAsAdmin = await graphql(stack.urls.orders, entities.replace(' email', ''), { token: admin, variables });
    expect(ordersAsAdmin.data._entities[0].orders.totalCount).toBe(2);
    expect(adminUser.id).not.toBe(aliceUser.id);
  });

  it('forwards the token, the request id and the trace context to every subgraph it calls', async () => {
    for (const name of ['users', 'products', 'orders'] as const) stack.requests[name].length = 0;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await graphql(stack.gatewayUrl, CANONICAL, {
      token: alice,
      variables: { id: aliceDelivered.id },
      headers: { 'x-request-id': 'test-request-1', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(response.headers.get('x-request-id')).toBe('test-request-1');
    for (const name of ['users', 'products', 'orders'] as const) {
      const graphqlRequests = stack.requests[name].filter((headers) => headers['content-type']?.includes('json'));
      expect(graphqlRequests.length).toBeGreaterThan(0);
      for (const headers of graphqlRequests) {
        expect(headers.authorization).toBe(`Bearer ${alice}`);
        expect(headers['x-request-id']).toBe('test-request-1');
        expect(headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
        expect(headers.traceparent).not.toContain('00f067aa0ba902b7');
      }
    }
  });

  it('ignores identity headers a client adds: only a verified token says who is asking', async () => {
    const headers = { 'x-user-id': adminUser.id, 'x-role': 'ADMIN', 'x-user-role': 'ADMIN' };
    const response = await graphql(stack.gatewayUrl, 'query ($id: ID!) { order(id: $id) { id } }', {
      token: alice,
      headers,
      variables: { id: adminPaid.id },
    });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    const anonymous = await graphql(stack.urls.orders, '{ orders { totalCount } }', { headers });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });
});
