import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { isUuid, type Logger } from '@shop/service-kit';
import { ensureOrderEventsStream, type OrderEventsStream } from './order-events-stream.js';

export interface WebhookStreamFeedOptions extends OrderEventsStream {
  /** NATS servers (NATS_URL). */
  natsUrl: string;
  /** The durable consumer every orders replica reads through (WEBHOOK_CONSUMER), so each event goes to one of them. */
  consumer: string;
  /** Hands one event (by id) to the webhooks; a throw has the stream offer it again. */
  queue: (eventId: string) => Promise<void>;
  /** How long to wait before connecting again, or before the stream offers a message that failed again. */
  retryMs: number;
  logger: Logger;
}

/** How long the stream waits for a message's ack before offering it again. */
const ACK_WAIT_NS = 30 * 1_000_000_000;

/**
 * Feeds the webhooks from the order events stream: a durable pull consumer that all replicas share
 * (JetStream gives each message to one of them), acknowledging an event once its deliveries are
 * written. From its creation it reads the whole stream; events already handed on are no-ops.
 */
export function startWebhookStreamFeed(options: WebhookStreamFeedOptions): { stop(): Promise<void> } {
  const { logger } = options;
  const stopping = new AbortController();
  let nats: NatsConnection | undefined;
  let messages: ConsumerMessages | undefined;
  let failing = false;

  const consume = async () => {
    nats ??= await connect({ servers: options.natsUrl, name: 'orders webhooks', reconnect: true, maxReconnectAttempts: -1 });
    const manager = await jetstreamManager(nats);
    await ensureOrderEventsStream(manager, options, logger);
    try {
      await manager.consumers.info(options.stream, options.consumer);
    } catch {
      await manager.consumers.add(options.stream, {
        durable_name: options.consumer,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: `${options.subjectPrefix}.>`,
        ack_wait: ACK_WAIT_NS,
      });
      logger.info({ stream: options.stream, consumer: options.consumer }, 'created the webhooks consumer of the order events stream');
    }
    messages = await (await jetstream(nats).consumers.get(options.stream, options.consumer)).consume({ max_messages: 100 });
    // Stopped while this was being set up: stop() closed nothing, so close here.
    if (stopping.signal.aborted) {
      await messages.close();
      return;
    }
    if (failing) logger.info({ stream: options.stream }, 'webhooks read the order events stream again');
    failing = false;
    for await (const message of messages) {
      const id = eventIdOf(message);
      if (!id) {
        logger.warn({ subject: message.subject, seq: message.seq }, 'an order events message without an event id: skipped');
        message.ack();
        continue;
      }
      try {
        await options.queue(id);
        message.ack();
      } catch (error) {
        logger.warn({ err: error, eventId: id }, 'cannot queue an order event for webhooks; the stream offers it again');
        message.nak(options.retryMs);
      }
    }
  };

  const running = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await consume();
      } catch (error) {
        if (!failing) logger.warn({ err: error, stream: options.stream }, 'cannot read the order events stream for webhooks; trying again');
        failing = true;
        await sleep(options.retryMs, undefined, { signal: stopping.signal }).catch(() => {});
      }
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await messages?.close();
      await running;
      await nats?.drain().catch(() => nats?.close());
    },
  };
}

function eventIdOf(message: JsMsg): string | undefined {
  try {
    const { id } = message.json<{ id?: unknown }>();
    return typeof id === 'string' && isUuid(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
