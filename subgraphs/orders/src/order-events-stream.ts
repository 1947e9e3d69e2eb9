import type { JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from '@shop/service-kit';

/** Where order events are published: the JetStream stream and its subjects' prefix (`orders.placed`, ...). */
export interface OrderEventsStream {
  /** The stream (ORDER_EVENTS_STREAM, `ORDERS`). */
  stream: string;
  /** Subjects are `<prefix>.<event>` (ORDER_EVENTS_SUBJECT_PREFIX, `orders`). */
  subjectPrefix: string;
}

/** JetStream drops a message whose id it saw within this window: a publish repeated after a crash. */
const DUPLICATE_WINDOW_NS = 2 * 60 * 60 * 1_000_000_000;

/** The subject an event of `type` (`order.placed`) is published on. */
export function subjectOf(stream: OrderEventsStream, type: string): string {
  return `${stream.subjectPrefix}.${type.replace(/^order\./, '')}`;
}

/** Creates the stream when it is missing, with the subjects and the duplicate window it needs. */
export async function ensureOrderEventsStream(manager: JetStreamManager, stream: OrderEventsStream, logger: Logger): Promise<void> {
  try {
    await manager.streams.info(stream.stream);
  } catch {
    // Not there yet (or not readable): another replica creating it at the same time is harmless.
    const subjects = [`${stream.subjectPrefix}.>`];
    await manager.streams.add({ name: stream.stream, subjects, duplicate_window: DUPLICATE_WINDOW_NS });
    logger.info({ stream: stream.stream, subjects }, 'created the order events stream');
  }
}
