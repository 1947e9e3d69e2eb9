import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { eventually } from '../../../test/support/poll.js';
import type { OrderStatus } from '../src/order-rows.js';
import type { OrdersServiceDeps } from '../src/server.js';
import { subscribe, type EventStream, type StreamEvent, type SubscribeOptions } from '../../../test/support/event-stream.js';
import { PGLITE_TIMEOUT } from './support/orders-database.js';
import { startOrdersService, type RunningOrdersService, type TestUser } from './support/orders-service.js';

/** NATS with JetStream, as on CI (`.ci/run` sets it); without it the stream's half is skipped. */
const NATS_URL = process.env.TEST_NATS_URL;

const ALICE: TestUser = { id: randomUUID(), role: 'CUSTOMER' };
const BOB: TestUser = { id: randomUUID(), role: 'CUSTOMER' };
const ADMIN: TestUser = { id: randomUUID(), role: 'ADMIN' };

const ORDER_UPDATED = `subscription ($id: ID!, $after: String) {
  orderUpdated(id: $id, after: $after) { id status total { amountCents currency } items { quantity } statusHistory { status } }
}`;
const MY_ORDER_UPDATES = 'subscription ($after: String) { myOrderUpdates(after: $after) { id status } }';
const ORDER_UPDATES = 'subscription ($after: String) { orderUpdates(after: $after) { id status } }';
const UPDATE_STATUS = 'mutation ($id: ID!, $status: OrderStatus!) { updateOrderStatus(id: $id, status: $status) { id status } }';

const codeOf = (event: StreamEvent) => event.data?.errors?.[0]?.extensions?.code;
const orderOf = (event: StreamEvent, field: string) => event.data?.data?.[field] as { id: string; status: OrderStatus; statusHistory?: unknown[] } | undefined;

/** The order and type of the event recorded at `sequence`: the event id names it. */
type RecordedEventAt = (orders: RunningOrdersService, sequence: number) => Promise<{ orderId: string; type: string } | undefined>;

/** The same behaviour whichever events subscriptions read: the outbox, or the ORDERS stream. */
function subscriptionsReading(eventRelay: OrdersServiceDeps['eventRelay'], recordedEventAt: RecordedEventAt) {
  let orders: RunningOrdersService;
  let stopped = false;
  const tokens = { alice: '', bob: '', admin: '' };
  const streams: EventStream[] = [];

  beforeAll(async () => {
    orders = await startOrdersService(eventRelay ? { eventRelay } : {});
    [tokens.alice, tokens.bob, tokens.admin] = await Promise.all([orders.token(ALICE), orders.token(BOB), orders.token(ADMIN)]);
  }, PGLITE_TIMEOUT);
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(async () => {
    if (!stopped) await orders?.stop();
  });

  const open = async (query: string, options: SubscribeOptions) => {
    const stream = await subscribe(orders.url, query, options);
    streams.push(stream);
    return stream;
  };
  /** Changes an order's status as an admin would, through the service's own mutation. */
  const move = async (id: string, status: OrderStatus) => {
    const answer = await orders.graphql(UPDATE_STATUS, { id, status }, tokens.admin);
    expect(answer.errors).toBeUndefined();
  };
  /** Alice's new order paid then shipped while a subscriber follows it, who then leaves: both events as it got them. */
  const paidAndShippedWhileFollowed = async () => {
    const orderId = await orders.placeOrder(ALICE);
    const first = await open(ORDER_UPDATED, { variables: { id: orderId }, token: tokens.alice });
    await move(orderId, 'PAID');
    const paid = await first.next();
    await move(orderId, 'SHIPPED');
    const shipped = await first.next();
    first.close();
    return { orderId, paid, shipped };
  };
  /** A stream refused at subscribe time: one `next` with the error, then `complete`, then the end. */
  const expectRefused = async (stream: EventStream, code: string) => {
    expect(stream.status).toBe(200);
    const refused = await stream.next();
    expect(refused.event).toBe('next');
    expect(codeOf(refused)).toBe(code);
    expect((await stream.next()).event).toBe('complete');
    await stream.ended();
  };

  it('sends the order after each change, its event id as the SSE id and as extensions.eventId, its commit time as extensions.committedAt', async () => {
    const orderId = await orders.placeOrder(ALICE);
    const subscribedAt = Date.now();
    const stream = await open(ORDER_UPDATED, { variables: { id: orderId }, token: tokens.alice });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);

    await move(orderId, 'PAID');
    const paid = await stream.next();
    expect(paid).toMatchObject({
      event: 'next',
      data: { data: { orderUpdated: { id: orderId, status: 'PAID', total: { amountCents: 900, currency: 'EUR' }, items: [{ quantity: 2 }] } } },
    });
    expect(paid.id).toMatch(/^\d+$/);
    expect(paid.data?.extensions?.eventId).toBe(paid.id);
    // The time the change's transaction wrote it: after the subscription opened, before the event came.
    const committedAt = Date.parse(String(paid.data?.extensions?.committedAt));
    expect(committedAt).toBeGreaterThanOrEqual(subscribedAt - 5);
    expect(committedAt).toBeLessThanOrEqual(Date.now());
    expect(await recordedEventAt(orders, Number(paid.id))).toEqual({ orderId, type: 'order.paid' });

    await move(orderId, 'SHIPPED');
    const shipped = await stream.next();
    // Read afresh for each event: the history has the new status too.
    expect(orderOf(shipped, 'orderUpdated')).toMatchObject({ status: 'SHIPPED', statusHistory: [{ status: 'PENDING' }, { status: 'PAID' }, { status: 'SHIPPED' }] });
    expect(Number(shipped.id)).toBeGreaterThan(Number(paid.id));
  });

  it('resumes after an event id with every later event, once, each with the order as that event left it', async () => {
    const { orderId, paid, shipped } = await paidAndShippedWhileFollowed();
    await move(orderId, 'DELIVERED');

    const resumed = await open(ORDER_UPDATED, { variables: { id: orderId, after: paid.id }, token: tokens.alice });
    const missed = [await resumed.next(), await resumed.next()];
    expect(missed[0]!.id).toBe(shipped.id);
    expect(Number(missed[1]!.id)).toBeGreaterThan(Number(shipped.id));
    expect(missed.map((event) => orderOf(event, 'orderUpdated')?.status)).toEqual(['SHIPPED', 'DELIVERED']);
    expect(await resumed.within(500)).toEqual([]);
  });

  it('resumed after two changes, gives each event its own status, history and time, the rest as the order is now', async () => {
    const orderId = await orders.placeOrder(ALICE);
    const follower = await open(ORDER_UPDATED, { variables: { id: orderId }, token: tokens.alice });
    await move(orderId, 'PAID');
    const paid = await follower.next();
    follower.close();
    await move(orderId, 'SHIPPED');
    await move(orderId, 'DELIVERED');

    const query = `subscription ($id: ID!, $after: String) {
      orderUpdated(id: $id, after: $after) { id user { id } status total { amountCents currency } items { quantity } statusHistory { status at } createdAt updatedAt }
    }`;
    const resumed = await open(query, { variables: { id: orderId, after: paid.id }, token: tokens.alice });
    const [shipped, delivered] = [orderOf(await resumed.next(), 'orderUpdated'), orderOf(await resumed.next(), 'orderUpdated')] as {
      id: string;
      user: { id: string };
      status: OrderStatus;
      total: unknown;
      items: unknown[];
      statusHistory: { status: OrderStatus; at: string }[];
      createdAt: string;
      updatedAt: string;
    }[];
    expect(shipped).toMatchObject({ id: orderId, user: { id: ALICE.id }, status: 'SHIPPED', total: { amountCents: 900, currency: 'EUR' }, items: [{ quantity: 2 }] });
    expect(shipped!.statusHistory.map((change) => change.status)).toEqual(['PENDING', 'PAID', 'SHIPPED']);
    expect(delivered).toMatchObject({ id: orderId, user: { id: ALICE.id }, status: 'DELIVERED' });
    expect(delivered!.statusHistory.map((change) => change.status)).toEqual(['PENDING', 'PAID', 'SHIPPED', 'DELIVERED']);
    // Each event's time is its change's; what never changes is the same in both.
    expect(shipped!.updatedAt).toBe(shipped!.statusHistory.at(-1)!.at);
    expect(delivered!.updatedAt).toBe(delivered!.statusHistory.at(-1)!.at);
    expect(Date.parse(delivered!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(shipped!.updatedAt));
    expect(shipped!.createdAt).toBe(delivered!.createdAt);
    expect(await resumed.within(500)).toEqual([]);
  });

  it('resumes from the Last-Event-ID header, then goes on with new events', async () => {
    const { orderId, paid, shipped } = await paidAndShippedWhileFollowed();

    const resumed = await open(ORDER_UPDATED, { variables: { id: orderId }, token: tokens.alice, headers: { 'last-event-id': paid.id! } });
    expect((await resumed.next()).id).toBe(shipped.id);
    await move(orderId, 'DELIVERED');
    const delivered = await resumed.next();
    expect(orderOf(delivered, 'orderUpdated')?.status).toBe('DELIVERED');
    expect(Number(delivered.id)).toBeGreaterThan(Number(shipped.id));
    expect(await resumed.within(500)).toEqual([]);
  });

  it("refuses a customer another customer's order, an unknown order, an anonymous subscriber and a malformed cursor", async () => {
    const orderId = await orders.placeOrder(ALICE);
    await expectRefused(await open(ORDER_UPDATED, { variables: { id: orderId }, token: tokens.bob }), 'FORBIDDEN');
    await expectRefused(await open(ORDER_UPDATED, { variables: { id: randomUUID() }, token: tokens.alice }), 'NOT_FOUND');
    await expectRefused(await open(ORDER_UPDATED, { variables: { id: orderId } }), 'UNAUTHENTICATED');
    await expectRefused(await open(ORDER_UPDATED, { variables: { id: orderId, after: 'latest' }, token: tokens.alice }), 'BAD_USER_INPUT');
  });

  it("myOrderUpdates yields the subscriber's orders only", async () => {
    const mine = await orders.placeOrder(ALICE);
    const theirs = await orders.placeOrder(BOB);
    const stream = await open(MY_ORDER_UPDATES, { token: tokens.alice });
    await move(theirs, 'PAID');
    await move(mine, 'PAID');
    expect(orderOf(await stream.next(), 'myOrderUpdates')).toEqual({ id: mine, status: 'PAID' });
    await move(theirs, 'SHIPPED');
    await move(mine, 'CANCELLED');
    expect(orderOf(await stream.next(), 'myOrderUpdates')).toEqual({ id: mine, status: 'CANCELLED' });
    expect(await stream.within(500)).toEqual([]);
  });

  it('orderUpdates yields every order to admins and is FORBIDDEN to customers', async () => {
    await expectRefused(await open(ORDER_UPDATES, { token: tokens.alice }), 'FORBIDDEN');
    const stream = await open(ORDER_UPDATES, { token: tokens.admin });
    const ofAlice = await orders.placeOrder(ALICE);
    const ofBob = await orders.placeOrder(BOB);
    await move(ofAlice, 'PAID');
    expect(orderOf(await stream.next(), 'orderUpdates')).toEqual({ id: ofAlice, status: 'PAID' });
    await move(ofBob, 'PAID');
    expect(orderOf(await stream.next(), 'orderUpdates')).toEqual({ id: ofBob, status: 'PAID' });
  });

  it('ends the stream with UNAUTHENTICATED when the token expires', async () => {
    const orderId = await orders.placeOrder(ALICE);
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const stream = await open(ORDER_UPDATED, { variables: { id: orderId }, token: await orders.token(ALICE, expiresAt) });
    expect(stream.status).toBe(200);
    const ending = await stream.next(5_000);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
    expect(codeOf(ending)).toBe('UNAUTHENTICATED');
    // Not an event to resume after: the client resumes after the last order it got.
    expect(ending.id).toBeUndefined();
    expect((await stream.next()).event).toBe('complete');
    await stream.ended();
  });

  it('refuses a bad token (401) and anything but a subscription (400) before any stream; validation errors come in it', async () => {
    const orderId = await orders.placeOrder(ALICE);
    const badToken = await open(ORDER_UPDATED, { variables: { id: orderId }, token: 'e30.e30.c2ln' });
    expect(badToken.status).toBe(401);
    expect(badToken.json).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });

    const query = await open('{ __typename }', { token: tokens.alice });
    expect(query.status).toBe(400);
    expect(query.json).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });

    await expectRefused(await open('subscription { noSuchField }', { token: tokens.alice }), 'BAD_USER_INPUT');
  });

  it('lets go of a subscription when its client leaves', async () => {
    const before = orders.service.orderUpdates.active();
    const stream = await open(MY_ORDER_UPDATES, { token: tokens.alice });
    expect(orders.service.orderUpdates.active()).toBe(before + 1);
    stream.close();
    await eventually(async () => orders.service.orderUpdates.active() === before, 'the subscription was let go', { timeoutMs: 5_000, intervalMs: 20 });
  });

  it('ends open streams with SERVICE_UNAVAILABLE when orders stops', async () => {
    const stream = await open(MY_ORDER_UPDATES, { token: tokens.alice });
    stopped = true;
    await orders.stop();
    const ending = await stream.next();
    expect(codeOf(ending)).toBe('SERVICE_UNAVAILABLE');
    expect((await stream.next()).event).toBe('complete');
    await stream.ended();
  });
}

describe('subscriptions read from the outbox (no NATS)', { timeout: 30_000 }, () => {
  // Event ids are order_events.seq.
  subscriptionsReading(undefined, async (orders, sequence) => {
    const [event] = await orders.db.query<{ orderId: string; type: string }>('SELECT order_id AS "orderId", type FROM order_events WHERE seq = $1', [sequence]);
    return event;
  });
});

describe.skipIf(!NATS_URL)('subscriptions read from the ORDERS stream (TEST_NATS_URL)', { timeout: 30_000 }, () => {
  // A stream and subjects of this run's own, so runs sharing one NATS never see each other's events.
  const run = randomUUID().slice(0, 8);
  const stream = `ORDERS_SUBSCRIPTIONS_TEST_${run}`;
  // Event ids are the stream's sequences.
  subscriptionsReading({ natsUrl: NATS_URL!, stream, subjectPrefix: `test-${run}.orders`, pollMs: 100 }, async (_orders, sequence) => {
    const nats = await connect({ servers: NATS_URL! });
    try {
      const message = await (await jetstreamManager(nats)).streams.getMessage(stream, { seq: sequence });
      const event = message?.json<{ type: string; order: { id: string } }>();
      return event && { orderId: event.order.id, type: event.type };
    } finally {
      await nats.close();
    }
  });
  afterAll(async () => {
    const nats = await connect({ servers: NATS_URL! });
    await (await jetstreamManager(nats)).streams.delete(stream).catch(() => undefined);
    await nats.close();
  });
});
