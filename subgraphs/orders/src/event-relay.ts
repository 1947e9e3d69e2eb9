import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { defineCounter, defineGauge, type Database, type Logger } from '@shop/service-kit';
import { ENVELOPE_COLUMNS, orderEventEnvelope, type EnvelopeRow } from './order-event-envelope.js';
import { coalescingRun } from './coalescing-run.js';
import { ensureOrderEventsStream, subjectOf, type OrderEventsStream } from './order-events-stream.js';

export interface EventRelayOptions extends OrderEventsStream {
  db: Database;
  /** NATS servers (NATS_URL). */
  natsUrl: string;
  /** How often the outbox is read for events to publish, besides when an event's NOTIFY wakes it. */
  pollMs: number;
  logger: Logger;
}

interface PendingEvent extends EnvelopeRow {
  seq: string;
}

/** Events handed on per transaction: the orders of one batch stay locked while it is published. */
const BATCH = 100;
const PUBLISH_TIMEOUT_MS = 2_000;

/** orders_events_published_total and orders_events_unpublished: what went out, and what waits while NATS cannot be reached. */
function relayMetrics() {
  return {
    published: defineCounter({ name: 'orders_events_published_total', help: 'Order events published to NATS JetStream by this replica' }),
    unpublished: defineGauge({ name: 'orders_events_unpublished', help: 'Order events in the outbox not yet published, as this replica last saw' }),
  };
}

/**
 * Publishes the outbox (`order_events`) to NATS JetStream, oldest first, each event with its id as
 * the message id, so JetStream drops a copy published again (orders killed after publishing and
 * before marking it published). Replicas share the work: a batch locks the orders whose events it
 * holds (`FOR UPDATE ... SKIP LOCKED`), so two replicas never publish events of one order, and an
 * order's events go out in the order they were written. While NATS cannot be reached nothing is
 * marked, the outbox grows, and everything goes out in order once it is back: orders keeps taking
 * orders meanwhile.
 */
export function startEventRelay(options: EventRelayOptions) {
  const { db, logger } = options;
  const metrics = relayMetrics();
  let nats: NatsConnection | undefined;
  let js: JetStreamClient | undefined;
  let stopped = false;
  let failing = false;

  const connectOnce = async (): Promise<JetStreamClient> => {
    if (js) return js;
    nats = await connect({ servers: options.natsUrl, name: 'orders event relay', reconnect: true, maxReconnectAttempts: -1, timeout: PUBLISH_TIMEOUT_MS });
    await ensureOrderEventsStream(await jetstreamManager(nats), options, logger);
    js = jetstream(nats, { timeout: PUBLISH_TIMEOUT_MS });
    return js;
  };

  /** One batch: locked, published, marked, committed; false when there was nothing to publish. */
  const publishBatch = async (client: JetStreamClient): Promise<boolean> =>
    db.transaction(async (tx) => {
      const events = await tx.query<PendingEvent>(
        `SELECT e.seq::text AS seq, e.id, ${ENVELOPE_COLUMNS}
         FROM order_events e JOIN orders o ON o.id = e.order_id
         WHERE e.published_at IS NULL
         ORDER BY e.seq LIMIT ${BATCH}
         FOR UPDATE OF o SKIP LOCKED`,
      );
      if (events.length === 0) return false;
      for (const event of events) {
        await client.publish(subjectOf(options, event.type), JSON.stringify(orderEventEnvelope(event)), { msgID: event.id, timeout: PUBLISH_TIMEOUT_MS });
      }
      await tx.query('UPDATE order_events SET published_at = now() WHERE seq = ANY($1::bigint[])', [events.map((event) => event.seq)]);
      metrics.published.inc(events.length);
      return events.length === BATCH;
    });

  const relay = async () => {
    try {
      const client = await connectOnce();
      while (!stopped && (await publishBatch(client)));
      // Read to its end (another replica may hold a few orders' events for a moment).
      metrics.unpublished.set(0);
      if (failing) logger.info({ stream: options.stream }, 'order events published again');
      failing = false;
    } catch (error) {
      const [waiting] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM order_events WHERE published_at IS NULL').catch(() => []);
      if (waiting) metrics.unpublished.set(waiting.count);
      if (!failing) logger.warn({ err: error, stream: options.stream, unpublished: waiting?.count }, 'cannot publish order events: they wait in the outbox');
      failing = true;
    }
  };
  const run = coalescingRun(relay);
  const timer = setInterval(run.run, options.pollMs);
  timer.unref();
  run.run();

  return {
    /** Publishes at once instead of at the next poll: an event was written. */
    wake: run.run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await run.idle();
      await nats?.drain().catch(() => nats?.close());
    },
  };
}
