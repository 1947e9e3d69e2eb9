import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { isUuid, ServiceUnavailableError, type Logger } from '@shop/service-kit';
import { ensureOrderEventsStream, type OrderEventsStream } from '../order-events-stream.js';
import { matchesFilter, recordedOrderOf, type OrderEventFeed, type OrderEventNotice } from './order-event-feed.js';

export interface StreamEventFeedOptions extends OrderEventsStream {
  /** NATS servers (NATS_URL). */
  natsUrl: string;
  logger: Logger;
}

const CONNECT_TIMEOUT_MS = 2_000;
/** Messages a subscription's consumer asks for at a time. */
const BATCH = 100;

interface Connected {
  nats: NatsConnection;
  js: JetStreamClient;
  manager: JetStreamManager;
}

/**
 * Order events for subscriptions from the ORDERS JetStream stream, so every replica sees every
 * change whichever replica made it: an ordered consumer per subscription (ephemeral, in the
 * server's memory, gone when the subscription ends), starting after the given stream sequence.
 * The subjects name the event, not the order (`orders.paid`), so each consumer reads every order's
 * events and keeps those of its filter. Event ids are the stream's sequences. One connection per
 * replica, made at the first subscription.
 */
export function createStreamEventFeed(options: StreamEventFeedOptions): OrderEventFeed {
  const { logger } = options;
  let connecting: Promise<Connected> | undefined;

  const connection = (): Promise<Connected> => {
    if (connecting) return connecting;
    connecting = (async () => {
      const nats = await connect({ servers: options.natsUrl, name: 'orders subscriptions', reconnect: true, maxReconnectAttempts: -1, timeout: CONNECT_TIMEOUT_MS });
      try {
        const manager = await jetstreamManager(nats);
        await ensureOrderEventsStream(manager, options, logger);
        return { nats, js: jetstream(nats), manager };
      } catch (error) {
        await nats.close();
        throw error;
      }
    })();
    // A failed attempt is not kept: the next subscription tries again.
    connecting.catch(() => (connecting = undefined));
    return connecting;
  };

  return {
    // NATS delivers to the consumers as soon as the relay publishes.
    wake: () => {},

    async follow(filter, after, signal) {
      let messages;
      try {
        const { js, manager } = await connection();
        // Always from an explicit sequence: an ordered consumer recreated (after a missed heartbeat)
        // resumes from the last one it delivered, which for "new" would be the stream's start.
        const from = after === null ? (await manager.streams.info(options.stream)).state.last_seq + 1 : after + 1;
        const consumer = await js.consumers.get(options.stream, {
          filter_subjects: `${options.subjectPrefix}.>`,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: from,
        });
        messages = await consumer.consume({ max_messages: BATCH });
      } catch (error) {
        logger.warn({ err: error, stream: options.stream }, 'cannot follow the order events stream for a subscription');
        throw new ServiceUnavailableError('Order events cannot be read right now; try again shortly');
      }
      const consumed = messages;
      // Let go on abort, whether or not the events were ever read (an unread generator runs no finally).
      const release = () => void consumed.close().catch(() => {});
      if (signal.aborted) release();
      else signal.addEventListener('abort', release, { once: true });

      async function* events(): AsyncGenerator<OrderEventNotice, void> {
        for await (const message of consumed) {
          if (signal.aborted) return;
          const notice = noticeOf(message);
          if (notice && matchesFilter(filter, notice)) yield notice;
        }
        // The consumer ended without being asked (the connection closed): the subscription cannot go on.
        if (!signal.aborted) throw new ServiceUnavailableError('The order events stream ended; subscribe again with after');
      }
      return events();
    },

    async stop() {
      const connected = await connecting?.catch(() => undefined);
      await connected?.nats.drain().catch(() => connected.nats.close());
    },
  };
}

/**
 * What a subscription needs of a message (an OrderEventEnvelope): its sequence, whose order it is
 * about and the order as the event recorded it; undefined for a message not an order event.
 */
function noticeOf(message: JsMsg): OrderEventNotice | undefined {
  try {
    const { order, occurredAt } = message.json<{ order?: { id?: unknown; userId?: unknown }; occurredAt?: unknown }>();
    const { id, userId } = order ?? {};
    if (typeof id !== 'string' || !isUuid(id) || typeof userId !== 'string') return undefined;
    return { sequence: message.seq, orderId: id, userId, recorded: recordedOrderOf(order, typeof occurredAt === 'string' ? occurredAt : undefined) };
  } catch {
    return undefined;
  }
}
