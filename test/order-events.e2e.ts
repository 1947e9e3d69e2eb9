import { describe, expect } from 'vitest';
import { DEMO_USERS } from '@shop/service-kit';
import { CancelOrderDocument, UpdateOrderStatusDocument } from '@shop/sdk';
import { it } from './support/fixtures.js';
import { errorCodes, graphql } from './support/graphql.js';
import { createOrder, createProduct, newCustomer } from './support/checkout.js';
import { subscribe } from './support/event-stream.js';
import { startExtraGateway } from './support/extra-gateway.js';
import type { Stack } from './support/stack.js';

const ALICE_USER = DEMO_USERS[1];

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
