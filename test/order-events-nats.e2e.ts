import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { CancelOrderDocument, CreateWebhookDocument, UpdateOrderStatusDocument } from '@shop/sdk';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { test } from './support/fixtures.js';
import { ADMIN, ALICE, graphql, login } from './support/graphql.js';
import { registeredValue } from './support/prometheus.js';

/** What orders_events_published_total says now (this worker's registry holds the in-process orders'). */
const publishedCount = () => registeredValue('orders_events_published_total');

const loginAs = (url: string, who: 'admin' | 'alice') => (who === 'admin' ? login(url, ADMIN.email, ADMIN.password) : login(url, ALICE.email, ALICE.password));
import { createOrder, createProduct } from './support/checkout.js';
import { freePort, startExecutable, type RunningProcess } from '../scripts/processes.js';
import { openDatabase } from '@shop/service-kit';
import { seededServiceData } from './support/databases.js';
import { startOrdersProcess } from './support/orders-process.js';
import { eventually } from './support/poll.js';
import { streamMessages, type PublishedEvent as Published } from './support/event-stream-messages.js';
import { startWebhookReceiver } from './support/webhook-receiver.js';

/** NATS with JetStream, as on every machine of this project's CI (`.ci/run` sets it); without it, skipped. */
const NATS_URL = process.env.TEST_NATS_URL;
/** A stream and subjects of this run's own, so runs sharing one NATS never see each other's events. */
const run = randomUUID().slice(0, 8);
const STREAM = `ORDERS_TEST_${run}`;
const PREFIX = `test-${run}.orders`;

/** Debian's nats-server, for a NATS of the test's own that it can stop and start again. */
const NATS_SERVER = '/usr/sbin/nats-server';
const ownNatsPort = await freePort();
const OWN_NATS_URL = `nats://127.0.0.1:${ownNatsPort}`;

const it = test
  .extend('stackOptions', { scope: 'file' }, {
    ordersEnv: NATS_URL ? { NATS_URL, ORDER_EVENTS_STREAM: STREAM, ORDER_EVENTS_SUBJECT_PREFIX: PREFIX, ORDER_EVENTS_POLL_MS: '100' } : {},
  })
  // The stack whose orders publishes to the test's own NATS, down when the stack starts.
  .extend('secondStackOptions', { scope: 'file' }, {
    ordersEnv: { NATS_URL: OWN_NATS_URL, ORDER_EVENTS_STREAM: STREAM, ORDER_EVENTS_SUBJECT_PREFIX: PREFIX, ORDER_EVENTS_POLL_MS: '100' },
  });

/**
 * nats-server with JetStream on the test's own port and folder; resolves once it takes connections.
 * Fails with what the server printed if it exits first or is not taking them after 30 s (it
 * recovers its stream from the folder before it listens; alone that takes well under a second),
 * and then stops it, so no later start finds the port taken.
 */
async function startOwnNats(storeDir: string): Promise<RunningProcess> {
  const server = startExecutable(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(ownNatsPort), '-sd', storeDir]);
  const takesConnections = () =>
    connect({ servers: OWN_NATS_URL, reconnect: false, timeout: 500 }).then(
      (connection) => connection.close().then(() => true),
      () => false,
    );
  try {
    await server.waitUntil(takesConnections, 30_000);
    return server;
  } catch (error) {
    await server.stop(5_000);
    throw error;
  }
}

/** The stream sequence of the message with `eventId`. */
async function streamSeqOf(nats: NatsConnection, eventId: string): Promise<number> {
  const manager = await jetstreamManager(nats);
  const { state } = await manager.streams.info(STREAM);
  for (let seq = state.last_seq; seq >= state.first_seq; seq -= 1) {
    const message = await manager.streams.getMessage(STREAM, { seq });
    if (message?.header.get('Nats-Msg-Id') === eventId) return seq;
  }
  throw new Error(`no message ${eventId} on ${STREAM}`);
}

/**
 * The stream's messages of `orderIds`, in the stream's order, once there are `count` of them or
 * `timeoutMs` has passed (the test's assertions then say what is missing). A stream not there yet
 * (NATS just back) reads as empty.
 */
async function publishedOf(manager: JetStreamManager, orderIds: string[], count: number, timeoutMs = 15_000): Promise<Published[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mine = (await streamMessages(manager, STREAM).catch(() => [])).filter((message) => orderIds.includes(message.event.order.id));
    if (mine.length >= count || Date.now() > deadline) return mine;
    await sleep(100);
  }
}

describe.skipIf(!NATS_URL)('order events on NATS JetStream (TEST_NATS_URL)', () => {
  it('hands events to webhooks through a durable consumer of the stream', async ({ shop: { stack, alice, admin } }) => {
    const endpoint = await startWebhookReceiver();
    const nats = await connect({ servers: NATS_URL! });
    try {
      const created = await graphql(stack.gatewayUrl, CreateWebhookDocument, { token: admin, variables: { url: endpoint.url, events: ['ORDER_PLACED'] } });
      const { secret } = created.data!.createWebhook;
      const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
      const orderId = (await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }])).data!.createOrder.id;
      await eventually(async () => endpoint.received.length === 1, 'the webhook receives the order.placed event');
      const [request] = endpoint.received;
      expect(new StandardWebhook(secret).verify(request!.body, request!.headers as Record<string, string>)).toMatchObject({ type: 'order.placed', order: { id: orderId } });

      // It came through the consumer, which acknowledged it.
      const [published] = await publishedOf(await jetstreamManager(nats), [orderId], 1);
      const seq = await streamSeqOf(nats, published!.event.id);
      const consumer = () => jetstreamManager(nats).then((manager) => manager.consumers.info(STREAM, 'orders-webhooks'));
      expect((await consumer()).config.durable_name).toBe('orders-webhooks');
      // The ack travels on the consumer's own connection: it may reach the server a moment after the webhook.
      await eventually(async () => {
        const info = await consumer();
        return info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0;
      }, 'the consumer acknowledged the event');
    } finally {
      await endpoint.stop();
      await nats.drain();
    }
  });

  it('publishes every status change once, in order per order, with the event id as message id', async ({ shop: { stack, alice, admin } }) => {
    const nats = await connect({ servers: NATS_URL! });
    const manager = await jetstreamManager(nats);
    try {
      const before = await publishedCount();
      const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
      const delivered = (await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }])).data!.createOrder.id;
      for (const status of ['PAID', 'SHIPPED', 'DELIVERED'] as const) {
        await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id: delivered, status } });
      }
      const cancelled = (await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }])).data!.createOrder.id;
      await graphql(stack.gatewayUrl, CancelOrderDocument, { token: alice, variables: { id: cancelled } });

      const outbox = () => stack.dbs.orders.query<{ id: string; order_id: string; type: string }>('SELECT id, order_id, type FROM order_events WHERE order_id = ANY($1::uuid[]) ORDER BY seq', [[delivered, cancelled]]);
      const published = await publishedOf(manager, [delivered, cancelled], 6, 10_000);
      const written = await outbox();
      // Each event once, as written, in the outbox's order (so in order per order), with its id as JetStream's message id.
      expect(published.map((message) => message.event.id)).toEqual(written.map((event) => event.id));
      expect(published.map((message) => message.msgId)).toEqual(written.map((event) => event.id));
      expect(published.filter((message) => message.event.order.id === delivered).map((message) => message.subject)).toEqual(
        ['placed', 'paid', 'shipped', 'delivered'].map((name) => `${PREFIX}.${name}`),
      );
      expect(published.filter((message) => message.event.order.id === cancelled).map((message) => message.event.type)).toEqual(['order.placed', 'order.cancelled']);
      expect(published.every((message) => message.event.schemaVersion === 1)).toBe(true);
      const unpublished = await stack.dbs.orders.query<{ count: number }>('SELECT count(*)::int AS count FROM order_events WHERE published_at IS NULL AND order_id = ANY($1::uuid[])', [[delivered, cancelled]]);
      expect(unpublished[0]!.count).toBe(0);
      expect((await publishedCount()) - before).toBeGreaterThanOrEqual(6);
    } finally {
      await manager.streams.delete(STREAM).catch(() => undefined);
      await nats.drain();
    }
  });
});

// Longer than the suite's 60 s: each start of the own NATS may take 30 s before it says why it failed.
describe.skipIf(!NATS_URL || !existsSync(NATS_SERVER))('order events while NATS is down (TEST_NATS_URL, nats-server)', { timeout: 120_000 }, () => {
  it('keeps them in the outbox and publishes them all, once and in order, when NATS is back, also after a second outage', async ({ secondStack: stack }) => {
    const { admin, alice } = { admin: await loginAs(stack.gatewayUrl, 'admin'), alice: await loginAs(stack.gatewayUrl, 'alice') };
    const storeDir = await mkdtemp(join(tmpdir(), 'shop-nats-'));
    let server: RunningProcess | undefined;
    try {
      const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
      // NATS down since orders started: orders keeps taking orders.
      const first = (await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }])).data!.createOrder.id;
      await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id: first, status: 'PAID' } });
      const waiting = await stack.dbs.orders.query<{ count: number }>('SELECT count(*)::int AS count FROM order_events WHERE published_at IS NULL AND order_id = $1', [first]);
      expect(waiting[0]!.count).toBe(2);

      server = await startOwnNats(storeDir);
      const nats = await connect({ servers: OWN_NATS_URL });
      const manager = await jetstreamManager(nats);
      try {
        expect((await publishedOf(manager, [first], 2)).map((message) => message.event.type)).toEqual(['order.placed', 'order.paid']);

        // Down again (its stream kept on disk), an order placed and cancelled meanwhile.
        await nats.drain();
        await server.stop();
        server = undefined;
        const second = (await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }])).data!.createOrder.id;
        await graphql(stack.gatewayUrl, CancelOrderDocument, { token: alice, variables: { id: second } });
        server = await startOwnNats(storeDir);
        const again = await connect({ servers: OWN_NATS_URL });
        try {
          const all = await publishedOf(await jetstreamManager(again), [first, second], 4);
          const written = await stack.dbs.orders.query<{ id: string }>('SELECT id FROM order_events WHERE order_id = ANY($1::uuid[]) ORDER BY seq', [[first, second]]);
          expect(all.map((message) => message.event.id)).toEqual(written.map((event) => event.id));
        } finally {
          await again.drain();
        }
      } finally {
        if (!nats.isClosed()) await nats.drain().catch(() => undefined);
      }
    } finally {
      if (server) await server.stop();
      await rm(storeDir, { recursive: true, force: true });
    }
  });
});

/**
 * orders killed twice on the way from the outbox to the stream: once between the change's commit
 * and the publish (NATS down), once between the publish and the mark (held there by a row lock the
 * test takes on the events, which only PostgreSQL lets a test hold while orders runs). Started again
 * each time, it publishes every event, and the stream keeps each once (JetStream drops the repeat by
 * its message id).
 */
describe.skipIf(!NATS_URL || !existsSync(NATS_SERVER) || !process.env.TEST_DATABASE_URL)('orders killed on the way to NATS (TEST_NATS_URL, nats-server, TEST_DATABASE_URL)', { timeout: 120_000 }, () => {
  it('still puts every event on the stream exactly once', async ({ shop: { stack, admin } }) => {
    const data = await seededServiceData('orders');
    const db = await openDatabase({ url: data.env.DATABASE_URL, dataDir: data.env.DATA_DIR });
    const storeDir = await mkdtemp(join(tmpdir(), 'shop-nats-'));
    const port = await freePort();
    const natsEnv = { NATS_URL: OWN_NATS_URL, ORDER_EVENTS_STREAM: STREAM, ORDER_EVENTS_SUBJECT_PREFIX: PREFIX, ORDER_EVENTS_POLL_MS: '100' };
    const startOrders = async () => (await startOrdersProcess(stack, { ...data.env, ...natsEnv }, port)).process;
    const kill = async (orders: RunningProcess) => {
      orders.child.kill('SIGKILL');
      await orders.exited(10_000);
    };
    let server: RunningProcess | undefined;
    try {
      // 1. NATS down: two status changes committed, not published; orders killed.
      const first = await startOrders();
      const [order] = await db.query<{ id: string }>(`SELECT id FROM orders WHERE status = 'PENDING' ORDER BY seq LIMIT 1`);
      for (const status of ['PAID', 'SHIPPED']) {
        const moved = await graphql(`http://127.0.0.1:${port}`, 'mutation ($id: ID!, $status: OrderStatus!) { updateOrderStatus(id: $id, status: $status) { id } }', {
          token: admin,
          variables: { id: order!.id, status },
        });
        expect(moved.errors).toBeUndefined();
      }
      const events = await db.query<{ id: string }>('SELECT id FROM order_events WHERE order_id = $1 AND published_at IS NULL ORDER BY seq', [order!.id]);
      expect(events).toHaveLength(2);
      await kill(first);

      // 2. NATS up, the events' rows locked: orders publishes them, then waits to mark them; killed there.
      server = await startOwnNats(storeDir);
      const nats = await connect({ servers: OWN_NATS_URL });
      try {
        const manager = await jetstreamManager(nats);
        await db.transaction(async (tx) => {
          await tx.query('SELECT id FROM order_events WHERE order_id = $1 FOR SHARE', [order!.id]);
          const second = await startOrders();
          expect((await publishedOf(manager, [order!.id], 2)).map((message) => message.msgId)).toEqual(events.map((event) => event.id));
          await eventually(async () => {
            const [waiting] = await db.query<{ count: number }>(
              `SELECT count(*)::int AS count FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE order_events SET published_at%'`,
            );
            return waiting!.count > 0;
          }, 'the relay waits to mark the published events');
          await kill(second);
        });
        expect((await db.query('SELECT id FROM order_events WHERE order_id = $1 AND published_at IS NULL', [order!.id])).length).toBe(2);

        // 3. Started again: publishes both again, and marks them; the stream holds each once.
        const third = await startOrders();
        try {
          await eventually(async () => (await db.query('SELECT id FROM order_events WHERE order_id = $1 AND published_at IS NULL', [order!.id])).length === 0, 'the events are marked published');
          const published = await publishedOf(manager, [order!.id], 3, 1_000);
          expect(published.map((message) => [message.msgId, message.event.type])).toEqual([
            [events[0]!.id, 'order.paid'],
            [events[1]!.id, 'order.shipped'],
          ]);
        } finally {
          await third.stop();
        }
      } finally {
        await nats.drain();
      }
    } finally {
      if (server) await server.stop();
      await rm(storeDir, { recursive: true, force: true });
      await db.close();
      await data.drop();
    }
  });
});
