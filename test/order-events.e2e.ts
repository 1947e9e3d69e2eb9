import { describe, expect } from 'vitest';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { DEMO_USERS } from '@shop/service-kit';
import { CancelOrderDocument, createShopClient, OrderUpdatedDocument, SignOutDocument, UpdateOrderStatusDocument, type OrderStatus } from '@shop/sdk';
import { test } from './support/fixtures.js';
import { ALICE, errorCodes, graphql, login } from './support/graphql.js';
import { createOrder, createProduct, newCustomer } from './support/checkout.js';
import { subscribe, type GraphQLStreamResult } from './support/event-stream.js';
import { subscribeMultipart } from './support/multipart-stream.js';
import { startExtraGateway, startGatewayOnOwnSupergraph } from './support/extra-gateway.js';
import type { Stack } from './support/stack.js';

const ALICE_USER = DEMO_USERS[1];

/**
 * `ownGateway`: one more gateway on the stack's subgraphs, started for the first test that asks,
 * serving a supergraph file the tests control (so a test can make it reload), and ending an ended
 * session's streams within 2 s (the stack's own gateway checks open subscriptions' tokens every 5 s).
 */
const it = test.extend('ownGateway', { scope: 'file' }, async ({ stack }, { onCleanup }) => {
  const gateway = await startGatewayOnOwnSupergraph(stack, 'gateway-own-supergraph', { SESSION_REVOCATIONS_POLL_SECONDS: '1', SUBSCRIPTION_SESSION_CHECK_SECONDS: '1' });
  onCleanup(() => gateway.stop());
  return gateway;
});

interface EventRow {
  id: string;
  type: string;
  schema_version: number;
  occurred_at: Date;
  payload: {
    id: string;
    userId: string;
    status: string;
    items: { productId: string; quantity: number; unitPrice: { amountCents: number; currency: string } }[];
    total: { amountCents: number; currency: string };
  };
}

/** The outbox's events of one order, oldest first. */
const eventsOf = (stack: Stack, orderId: string) =>
  stack.dbs.orders.query<EventRow>('SELECT id, type, schema_version, occurred_at, payload FROM order_events WHERE order_id = $1 ORDER BY seq', [orderId]);

describe('order events (the outbox)', () => {
  it('writes one event per status change, in order, each with its own id and the order as it is after the change', async ({ shop: { stack, alice, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10, priceCents: 1250 });
    const placed = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 2 }]);
    const order = placed.data!.createOrder;
    for (const status of ['PAID', 'SHIPPED', 'DELIVERED'] as const) {
      expect((await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id: order.id, status } })).errors).toBeUndefined();
    }
    // A refused move changes nothing, and announces nothing.
    expect(errorCodes(await graphql(stack.gatewayUrl, CancelOrderDocument, { token: admin, variables: { id: order.id } }))).toEqual(['CONFLICT']);

    const events = await eventsOf(stack, order.id);
    expect(events.map((event) => [event.type, event.payload.status])).toEqual([
      ['order.placed', 'PENDING'],
      ['order.paid', 'PAID'],
      ['order.shipped', 'SHIPPED'],
      ['order.delivered', 'DELIVERED'],
    ]);
    expect(new Set(events.map((event) => event.id)).size).toBe(4);
    for (const event of events) {
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(event.schema_version).toBe(1);
      expect(event.payload).toMatchObject({
        id: order.id,
        userId: ALICE_USER.id,
        items: [{ productId, quantity: 2, unitPrice: { amountCents: 1250, currency: 'EUR' } }],
        total: { amountCents: 2500, currency: 'EUR' },
      });
    }
    const times = events.map((event) => event.occurred_at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('announces a cancellation after the placing', async ({ shop: { stack, alice, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
    const order = (await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }])).data!.createOrder;
    expect((await graphql(stack.gatewayUrl, CancelOrderDocument, { token: alice, variables: { id: order.id } })).errors).toBeUndefined();
    expect((await eventsOf(stack, order.id)).map((event) => [event.type, event.payload.status])).toEqual([
      ['order.placed', 'PENDING'],
      ['order.cancelled', 'CANCELLED'],
    ]);
  });

  it('announces nothing for an order that failed to be placed', async ({ shop: { stack, alice } }) => {
    const refused = await createOrder(stack.gatewayUrl, alice, [{ productId: '00000000-0000-4000-a000-00000000dead', quantity: 1 }]);
    expect(errorCodes(refused)).toEqual(['NOT_FOUND']);
    const failed = await stack.dbs.orders.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.status IN ('FAILED', 'PLACING')`,
    );
    expect(failed[0]!.count).toBe(0);
  });
});

describe('live order tracking through the gateway (GraphQL over SSE)', () => {
  const ORDER_UPDATED = `subscription ($id: ID!) {
    orderUpdated(id: $id) { id status user { name } items { quantity product { name } } }
  }`;

  const RESUMABLE = 'subscription ($id: ID!, $after: String) { orderUpdated(id: $id, after: $after) { id status } }';

  it('delivers each status change with the order joined to its user (users) and products (products), as a query would', async ({ shop: { stack, alice, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10, priceCents: 900, name: 'Live kettle' });
    const order = (await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }])).data!.createOrder;
    const stream = await subscribe(stack.gatewayUrl, ORDER_UPDATED, { token: alice, variables: { id: order.id } });
    try {
      expect(stream.status).toBe(200);
      expect((await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id: order.id, status: 'PAID' } })).errors).toBeUndefined();
      const event = await stream.next(15_000);
      expect(event.event).toBe('next');
      expect(event.data?.errors).toBeUndefined();
      expect(event.data?.data).toEqual({
        orderUpdated: { id: order.id, status: 'PAID', user: { name: ALICE_USER.name }, items: [{ quantity: 1, product: { name: 'Live kettle' } }] },
      });
      // The id a client resumes from: a client that was away meanwhile gets what it missed, once.
      expect(event.id).toMatch(/^\w+$/);
      stream.close();
      expect((await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id: order.id, status: 'SHIPPED' } })).errors).toBeUndefined();
      const resumed = await subscribe(stack.gatewayUrl, RESUMABLE, { token: alice, variables: { id: order.id, after: event.id } });
      try {
        const missed = await resumed.next(15_000);
        expect(missed.data?.data).toEqual({ orderUpdated: { id: order.id, status: 'SHIPPED' } });
        expect(await resumed.within(500)).toEqual([]);
      } finally {
        resumed.close();
      }
    } finally {
      stream.close();
    }
  });

  it('resumes on another gateway replica after the first one stops mid-stream: nothing lost, nothing doubled', async ({ shop: { stack, alice, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
    const order = (await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }])).data!.createOrder;
    const replicas = await Promise.all(['first', 'second'].map((name) => startExtraGateway(stack, `gateway-${name}`)));
    const [first, second] = replicas as [(typeof replicas)[number], (typeof replicas)[number]];
    try {
      const move = async (status: 'PAID' | 'SHIPPED' | 'DELIVERED') =>
        expect((await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id: order.id, status } })).errors).toBeUndefined();
      const stream = await subscribe(first.url, RESUMABLE, { token: alice, variables: { id: order.id } });
      await move('PAID');
      const paid = await stream.next(15_000);
      expect(paid.data?.data).toEqual({ orderUpdated: { id: order.id, status: 'PAID' } });
      // The replica goes away: its stream ends with a code saying to subscribe again.
      await first.gateway.stop();
      const last = await stream.next(15_000).catch(() => undefined);
      if (last?.data?.errors) expect(last.data.errors.map((error) => error.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
      stream.close();
      await move('SHIPPED');
      await move('DELIVERED');
      const resumed = await subscribe(second.url, RESUMABLE, { token: alice, variables: { id: order.id, after: paid.id } });
      try {
        const statuses = [(await resumed.next(15_000)).data?.data, (await resumed.next(15_000)).data?.data];
        expect(statuses).toEqual([{ orderUpdated: { id: order.id, status: 'SHIPPED' } }, { orderUpdated: { id: order.id, status: 'DELIVERED' } }]);
        expect(await resumed.within(500)).toEqual([]);
      } finally {
        resumed.close();
      }
    } finally {
      await Promise.allSettled(replicas.map(({ gateway }) => gateway.stop()));
    }
  });

  it("refuses another customer's order, and an anonymous subscriber, with their codes", async ({ shop: { stack, alice, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
    const order = (await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }])).data!.createOrder;
    const bob = await newCustomer(stack.gatewayUrl);
    const codesOf = async (token: string | undefined) => {
      const stream = await subscribe(stack.gatewayUrl, ORDER_UPDATED, { ...(token ? { token } : {}), variables: { id: order.id } });
      try {
        if (stream.json !== undefined) return ((stream.json as { errors?: { extensions?: { code?: string } }[] }).errors ?? []).map((error) => error.extensions?.code);
        const event = await stream.next(15_000);
        return (event.data?.errors ?? []).map((error) => error.extensions?.code);
      } finally {
        stream.close();
      }
    };
    expect(await codesOf(bob)).toEqual(['FORBIDDEN']);
    expect(await codesOf(undefined)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('live order tracking on the other transports, and the streams the gateway ends', () => {
  const LIVE_ORDER = `subscription ($id: ID!, $after: String) {
    orderUpdated(id: $id, after: $after) { id status user { name } items { quantity product { name } } }
  }`;
  const PRODUCT_NAME = 'Tracked teapot';
  /** An event of alice's order as every transport should deliver it: joined with users' and products' fields. */
  const joined = (id: string, status: OrderStatus) => ({ orderUpdated: { id, status, user: { name: ALICE_USER.name }, items: [{ quantity: 1, product: { name: PRODUCT_NAME } }] } });
  const reasonsOf = (result: GraphQLStreamResult | null | undefined) => (result?.errors ?? []).map((error) => [error.extensions?.code, error.extensions?.reason]);

  /**
   * A fresh order of alice's (each test moves its own along), how the admin moves it, and its
   * placing's event id: a client that is told nothing when its subscription is open (Apollo
   * Client, graphql-ws, graphql-sse) resumes after it, so every move counts, made before or after.
   */
  async function trackedOrder({ stack, alice, admin }: { stack: Stack; alice: string; admin: string }) {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10, name: PRODUCT_NAME });
    const { id } = (await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }])).data!.createOrder;
    const move = async (status: OrderStatus) =>
      expect((await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id, status } })).errors).toBeUndefined();
    const [placed] = await stack.dbs.orders.query<{ seq: string }>('SELECT seq::text AS seq FROM order_events WHERE order_id = $1 ORDER BY seq LIMIT 1', [id]);
    return { id, move, placedEventId: placed!.seq };
  }

  it("streams alice's order over Apollo's multipart HTTP subscriptions: each status a payload part, joined with users and products, readable once it came", async ({ shop }) => {
    const order = await trackedOrder(shop);
    // Its head comes once the orders subgraph's stream is open (as for SSE): the moves come after it.
    const stream = await subscribeMultipart(shop.stack.gatewayUrl, LIVE_ORDER, { token: shop.alice, variables: { id: order.id } });
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
      for (const status of ['PAID', 'SHIPPED', 'DELIVERED'] as const) {
        await order.move(status);
        const part = await stream.next(15_000);
        // Read when its bytes came, not when the next part (a heartbeat, up to 5 s on) came after them.
        expect(stream.held).toEqual([]);
        expect(part.errors).toBeUndefined();
        expect(part.payload?.errors).toBeUndefined();
        expect(part.payload?.data).toEqual(joined(order.id, status));
      }
    } finally {
      stream.close();
    }
  });

  it("streams alice's order to Apollo Client 4's HttpLink (multipart, as Sandbox subscribes), each status as it is sent", async ({ shop }) => {
    const order = await trackedOrder(shop);
    const client = new ApolloClient({ link: new HttpLink({ uri: `${shop.stack.gatewayUrl}/graphql`, headers: { authorization: `Bearer ${shop.alice}` } }), cache: new InMemoryCache() });
    const received: { data?: unknown; error?: unknown }[] = [];
    const subscription = client.subscribe({ query: gql(LIVE_ORDER), variables: { id: order.id, after: order.placedEventId } }).subscribe({
      next: (result) => received.push(result),
      error: (error: unknown) => received.push({ error }),
    });
    try {
      for (const [index, status] of (['PAID', 'SHIPPED'] as const).entries()) {
        await order.move(status);
        // Within a heartbeat (5 s) only if each part is readable once sent; the wait is generous for a noisy machine, the check below is not timed.
        await expect.poll(() => received.length, { timeout: 15_000 }).toBe(index + 1);
        expect(received[index]!.error).toBeUndefined();
        // Apollo Client's cache adds __typename and keeps what the query asked.
        expect(received[index]!.data).toMatchObject(joined(order.id, status));
      }
    } finally {
      subscription.unsubscribe();
      client.stop();
    }
  });

  it("streams alice's order over graphql-ws, her token in connection_init, each status joined with users and products", async ({ shop }) => {
    const order = await trackedOrder(shop);
    const client = createWsClient({
      url: `${shop.stack.gatewayUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${shop.alice}` },
      retryAttempts: 0,
    });
    const updates = client.iterate({ query: LIVE_ORDER, variables: { id: order.id, after: order.placedEventId } });
    try {
      for (const status of ['PAID', 'SHIPPED'] as const) {
        await order.move(status);
        const { value } = await updates.next();
        expect(value?.errors).toBeUndefined();
        expect(value?.data).toEqual(joined(order.id, status));
        expect(value?.extensions?.eventId).toMatch(/^\d+$/);
      }
    } finally {
      await updates.return?.();
      await client.dispose();
    }
  });

  it("streams alice's order over GraphQL over SSE's single connection mode (graphql-sse's client), each status joined with users and products", async ({ shop }) => {
    const order = await trackedOrder(shop);
    const client = createSseClient({ url: `${shop.stack.gatewayUrl}/graphql`, singleConnection: true, headers: { authorization: `Bearer ${shop.alice}` }, retryAttempts: 0 });
    const updates = client.iterate({ query: LIVE_ORDER, variables: { id: order.id, after: order.placedEventId } });
    try {
      for (const status of ['PAID', 'SHIPPED'] as const) {
        await order.move(status);
        const { value } = await updates.next();
        expect(value?.errors).toBeUndefined();
        expect(value?.data).toEqual(joined(order.id, status));
      }
    } finally {
      await updates.return?.();
      client.dispose();
    }
  });

  it('ends the stream of a session signed out with UNAUTHENTICATED (SESSION_ENDED), within the revocation poll and the session check', { timeout: 30_000 }, async ({ shop: { stack }, ownGateway }) => {
    const session = await login(stack.gatewayUrl, ALICE.email, ALICE.password);
    const stream = await subscribe(ownGateway.url, 'subscription { myOrderUpdates { id status } }', { token: session });
    try {
      expect(stream.status).toBe(200);
      expect((await graphql(stack.gatewayUrl, SignOutDocument, { token: session })).errors).toBeUndefined();
      // Within 1 s + 1 s here; the generous wait only keeps a noisy machine from failing it.
      const last = await stream.next(20_000);
      expect(last.event).toBe('next');
      expect(reasonsOf(last.data)).toEqual([['UNAUTHENTICATED', 'SESSION_ENDED']]);
      await stream.ended(5_000);
    } finally {
      stream.close();
    }
  });

  it('ends open streams with SUPERGRAPH_RELOADED when the supergraph is served again, and a client that subscribes again gets the next change', async ({ shop, ownGateway }) => {
    const order = await trackedOrder(shop);
    const stream = await subscribe(ownGateway.url, LIVE_ORDER, { token: shop.alice, variables: { id: order.id } });
    try {
      expect(stream.status).toBe(200);
      await ownGateway.serveAgain();
      const last = await stream.next(15_000);
      expect(last.event).toBe('next');
      expect(reasonsOf(last.data)).toEqual([['SERVICE_UNAVAILABLE', 'SUPERGRAPH_RELOADED']]);
      await stream.ended(5_000);
    } finally {
      stream.close();
    }
    const again = await subscribe(ownGateway.url, LIVE_ORDER, { token: shop.alice, variables: { id: order.id } });
    try {
      await order.move('PAID');
      expect((await again.next(15_000)).data?.data).toEqual(joined(order.id, 'PAID'));
    } finally {
      again.close();
    }
  });

  it("the SDK's subscription subscribes again by itself after SUPERGRAPH_RELOADED, resuming after the last event: nothing lost, nothing doubled", async ({ shop, ownGateway }) => {
    const order = await trackedOrder(shop);
    let streams = 0;
    const client = createShopClient({
      url: `${ownGateway.url}/graphql`,
      token: shop.alice,
      subscriptionRetry: { initialDelayMs: 50 },
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (response.headers.get('content-type')?.startsWith('text/event-stream')) streams += 1;
        return response;
      },
    });
    const updates = client.subscribe(OrderUpdatedDocument, { id: order.id });
    const expected = (status: OrderStatus) => ({ id: order.id, status, user: { name: ALICE_USER.name }, items: [{ product: { name: PRODUCT_NAME } }] });
    try {
      const paid = updates.next();
      await expect.poll(() => streams, { timeout: 10_000 }).toBe(1);
      await order.move('PAID');
      expect((await paid).value?.orderUpdated).toMatchObject(expected('PAID'));

      // A generator runs only while it is read: a read waiting is what lets it subscribe again.
      const shipped = updates.next();
      // Awaited below; should the resubscription fail first, the poll's failure is the one to read.
      shipped.catch(() => undefined);
      await ownGateway.serveAgain();
      await expect.poll(() => streams, { timeout: 10_000 }).toBe(2);
      await order.move('SHIPPED');
      expect((await shipped).value?.orderUpdated).toMatchObject(expected('SHIPPED'));
      await order.move('DELIVERED');
      expect((await updates.next()).value?.orderUpdated).toMatchObject(expected('DELIVERED'));
    } finally {
      await updates.close();
    }
  });
});
