import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { openDatabase } from '@shop/service-kit';
import type { DataLocation } from '../bench/seed.js';
import { streamMessages, type PublishedEvent } from '../test/support/event-stream-messages.js';

/** The stream orders publishes its events to, as the chaos stack leaves it (ORDER_EVENTS_STREAM's default). */
const STREAM = 'ORDERS';

/** Every message of orders' event stream, read while its server still runs. */
export async function publishedEvents(natsUrl: string): Promise<PublishedEvent[]> {
  const nats = await connect({ servers: natsUrl, timeout: 5_000 });
  try {
    return await streamMessages(await jetstreamManager(nats), STREAM);
  } finally {
    await nats.close();
  }
}

/**
 * "Every order's events in the stream exactly once each, in its order": each event orders wrote
 * (order_events, in their order per order) is a message of the stream once, by its message id, and
 * an order's messages come in the order its events were written; nothing is on the stream that
 * orders did not write.
 */
export async function eventProblems(orders: DataLocation, published: readonly PublishedEvent[]): Promise<string[]> {
  const db = await openDatabase('url' in orders ? { url: orders.url } : { url: undefined, dataDir: orders.dataDir });
  let written: { id: string; order_id: string }[];
  try {
    written = await db.query<{ id: string; order_id: string }>('SELECT id, order_id FROM order_events ORDER BY order_id, seq');
  } finally {
    await db.close();
  }
  const problems: string[] = [];
  const times = new Map<string, number>();
  for (const message of published) times.set(message.msgId ?? '', (times.get(message.msgId ?? '') ?? 0) + 1);
  const repeated = [...times].filter(([, count]) => count > 1);
  if (repeated.length > 0) problems.push(`${repeated.length} events on the stream more than once, e.g. ${repeated[0]![0]} ${repeated[0]![1]} times`);
  const missing = written.filter((event) => !times.has(event.id));
  if (missing.length > 0) problems.push(`${missing.length} events written but never on the stream, e.g. ${missing[0]!.id} of order ${missing[0]!.order_id}`);
  const known = new Set(written.map((event) => event.id));
  const unknown = published.filter((message) => !known.has(message.msgId ?? ''));
  if (unknown.length > 0) problems.push(`${unknown.length} messages on the stream that orders never wrote, e.g. ${unknown[0]!.msgId}`);
  // Per order, the stream's order of its events against the order they were written in.
  const positions = new Map(published.map((message, index) => [message.msgId ?? '', index]));
  const byOrder = new Map<string, string[]>();
  for (const event of written) byOrder.set(event.order_id, [...(byOrder.get(event.order_id) ?? []), event.id]);
  const outOfOrder = [...byOrder].filter(([, ids]) => {
    const seen = ids.map((id) => positions.get(id)).filter((position) => position !== undefined);
    return seen.some((position, index) => index > 0 && position < seen[index - 1]!);
  });
  if (outOfOrder.length > 0) problems.push(`${outOfOrder.length} orders whose events are on the stream out of their order, e.g. ${outOfOrder[0]![0]}`);
  return problems.map((problem) => `every order's events on the stream once, in its order: ${problem}`);
}
