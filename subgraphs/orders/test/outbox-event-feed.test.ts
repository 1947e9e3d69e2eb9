import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@shop/service-kit';
import { testLogger } from '../../../test/support/logger.js';
import { createOrderSeeding } from '../src/order-seeding.js';
import { createOutboxEventFeed } from '../src/subscriptions/outbox-event-feed.js';
import type { OrderEventFeed, OrderEventNotice } from '../src/subscriptions/order-event-feed.js';
import { openOrdersDatabase, PGLITE_TIMEOUT } from './support/orders-database.js';

const GAP_SETTLE_MS = 1_000;

describe('the outbox feed of subscriptions', { timeout: PGLITE_TIMEOUT }, () => {
  let db: Database;
  let feed: OrderEventFeed;

  beforeAll(async () => {
    db = await openOrdersDatabase();
    feed = createOutboxEventFeed({ db, pollMs: 5_000, logger: testLogger('orders'), gapSettleMs: GAP_SETTLE_MS });
  }, PGLITE_TIMEOUT);
  afterAll(async () => {
    await feed?.stop();
    await db?.close();
  });

  /** Commits an event with sequence `seq`, as a transaction that took its sequence earlier would commit it later. */
  const commitEvent = async (orderId: string, seq: number) => {
    await db.query(
      `INSERT INTO order_events (seq, order_id, type, schema_version, payload) OVERRIDING SYSTEM VALUE VALUES ($1, $2, 'order.paid', 1, '{}')`,
      [seq, orderId],
    );
    feed.wake();
  };

  it('hands events on in sequence order, holding back at a missing sequence until it comes or has long been missing', async () => {
    const { id: orderId } = await createOrderSeeding(db).createOrder({ userId: randomUUID(), status: 'PENDING', currency: 'EUR', items: [] });
    const following = new AbortController();
    const events = (await feed.follow({ orderId }, null, following.signal))[Symbol.asyncIterator]();
    const sequenceOf = (step: IteratorResult<OrderEventNotice>) => (step.done ? undefined : step.value.sequence);
    const [{ seq: last } = { seq: 0 }] = await db.query<{ seq: number }>('SELECT coalesce(max(seq), 0)::int AS seq FROM order_events');

    // On PostgreSQL a later sequence can commit first: the tail waits for the earlier one.
    const first = events.next();
    await commitEvent(orderId, last + 2);
    expect(await Promise.race([first, sleep(200, 'held back')])).toBe('held back');
    await commitEvent(orderId, last + 1);
    expect(sequenceOf(await first)).toBe(last + 1);
    expect(sequenceOf(await events.next())).toBe(last + 2);

    // One that never comes (its transaction rolled back) holds the tail back for a while only.
    const passedAt = Date.now();
    await commitEvent(orderId, last + 4);
    expect(sequenceOf(await events.next())).toBe(last + 4);
    expect(Date.now() - passedAt).toBeGreaterThanOrEqual(GAP_SETTLE_MS - 50);

    following.abort();
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });
});
