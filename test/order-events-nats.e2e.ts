import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { CancelOrderDocument, UpdateOrderStatusDocument } from '@shop/sdk';
import { test } from './support/fixtures.js';
import { graphql } from './support/graphql.js';
import { createOrder, createProduct } from './support/checkout.js';

/** NATS with JetStream, as on every machine of this project's CI (`.ci/run` sets it); without it, skipped. */
const NATS_URL = process.env.TEST_NATS_URL;
/** A stream and subjects of this run's own, so runs sharing one NATS never see each other's events. */
const run = randomUUID().slice(0, 8);
const STREAM = `ORDERS_TEST_${run}`;
const PREFIX = `test-${run}.orders`;

const it = test.extend('stackOptions', { scope: 'file' }, {
  ordersEnv: NATS_URL ? { NATS_URL, ORDER_EVENTS_STREAM: STREAM, ORDER_EVENTS_SUBJECT_PREFIX: PREFIX, ORDER_EVENTS_POLL_MS: '100' } : {},
});

interface Published {
  subject: string;
  msgId: string | undefined;
  event: { id: string; type: string; schemaVersion: number; order: { id: string; status: string } };
}

/** Every message of the stream, in its order. */
async function streamMessages(manager: JetStreamManager): Promise<Published[]> {
  const { state } = await manager.streams.info(STREAM);
  const messages: Published[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq += 1) {
    const message = await manager.streams.getMessage(STREAM, { seq });
    if (!message) continue;
    messages.push({ subject: message.subject, msgId: message.header.get('Nats-Msg-Id') || undefined, event: message.json() });
  }
  return messages;
}

describe.skipIf(!NATS_URL)('order events on NATS JetStream (TEST_NATS_URL)', () => {
  it('publishes every status change once, in order per order, with the event id as message id', async ({ shop: { stack, alice, admin } }) => {
    const nats = await connect({ servers: NATS_URL! });
    const manager = await jetstreamManager(nats);
    try {
      const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
      const delivered = (await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }])).data!.createOrder.id;
      for (const status of ['PAID', 'SHIPPED', 'DELIVERED'] as const) {
        await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id: delivered, status } });
      }
      const cancelled = (await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }])).data!.createOrder.id;
      await graphql(stack.gatewayUrl, CancelOrderDocument, { token: alice, variables: { id: cancelled } });

      const outbox = () => stack.dbs.orders.query<{ id: string; order_id: string; type: string }>('SELECT id, order_id, type FROM order_events WHERE order_id = ANY($1::uuid[]) ORDER BY seq', [[delivered, cancelled]]);
      const deadline = Date.now() + 10_000;
      let published: Published[] = [];
      while (Date.now() < deadline) {
        published = (await streamMessages(manager)).filter((message) => [delivered, cancelled].includes(message.event.order.id));
        if (published.length >= 6) break;
        await sleep(100);
      }
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
    } finally {
      await manager.streams.delete(STREAM).catch(() => undefined);
      await nats.drain();
    }
  });
});
