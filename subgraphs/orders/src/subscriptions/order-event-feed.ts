import type { OrderStatus } from '../order-rows.js';

/**
 * What an event recorded of its order, as it was after the change: the event's payload (the
 * envelope's `order`) and when the change happened (`occurred_at`, the envelope's `occurredAt`).
 */
export interface RecordedOrder {
  status: OrderStatus;
  totalCents: number;
  currency: string;
  items: { productId: string; quantity: number; unitPriceCents: number; currency: string }[];
  occurredAt: Date;
}

/** One recorded change of an order, as a subscription needs it: where it is in the log, whose order it is, and what the order was then. */
export interface OrderEventNotice {
  /** The event's id for clients: the ORDERS stream's sequence with NATS, else order_events.seq. */
  sequence: number;
  orderId: string;
  userId: string;
  /** The order as the event recorded it; null when the payload is not one this replica reads (the order is then delivered as it is now). */
  recorded: RecordedOrder | null;
}

const STATUSES: readonly string[] = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'] satisfies OrderStatus[];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

/** An amount of the payload (`{ amountCents, currency }`); undefined when it is not one. */
function amountOf(value: unknown): { cents: number; currency: string } | undefined {
  if (!isRecord(value) || !isCount(value.amountCents) || typeof value.currency !== 'string') return undefined;
  return { cents: value.amountCents, currency: value.currency };
}

/**
 * What an event's payload (order-sql.ts's recordStatusChange builds it) says of the order after
 * its change, at `occurredAt`; null when it is not such a payload or the time is not one.
 */
export function recordedOrderOf(payload: unknown, occurredAt: Date | string | undefined): RecordedOrder | null {
  const at = occurredAt instanceof Date ? occurredAt : typeof occurredAt === 'string' ? new Date(occurredAt) : undefined;
  if (!at || Number.isNaN(at.getTime()) || !isRecord(payload)) return null;
  const { status, total, items } = payload;
  const totalAmount = amountOf(total);
  if (typeof status !== 'string' || !STATUSES.includes(status) || !totalAmount || !Array.isArray(items)) return null;
  const lines: RecordedOrder['items'] = [];
  for (const item of items as unknown[]) {
    const price = isRecord(item) ? amountOf(item.unitPrice) : undefined;
    if (!isRecord(item) || typeof item.productId !== 'string' || !isCount(item.quantity) || !price) return null;
    lines.push({ productId: item.productId, quantity: item.quantity, unitPriceCents: price.cents, currency: price.currency });
  }
  return { status: status as OrderStatus, totalCents: totalAmount.cents, currency: totalAmount.currency, items: lines, occurredAt: at };
}

/** Which orders' events a subscription follows: one order, one customer's, or every order. */
export type OrderEventFilter = { orderId: string } | { userId: string } | { every: true };

export function matchesFilter(filter: OrderEventFilter, notice: OrderEventNotice): boolean {
  if ('orderId' in filter) return notice.orderId === filter.orderId;
  if ('userId' in filter) return notice.userId === filter.userId;
  return true;
}

/**
 * Where subscriptions read order events from: the events orders already records (the ORDERS stream,
 * or without NATS the outbox), never a copy of its own.
 */
export interface OrderEventFeed {
  /**
   * The events matching `filter` after the sequence `after` (from now on when null), oldest first,
   * each once. Resolves once following has begun, so nothing committed after that is missed; the
   * events end when `signal` aborts (and everything held for them is let go then, whether or not
   * they were read). Throws SERVICE_UNAVAILABLE when the events cannot be read now.
   */
  follow(filter: OrderEventFilter, after: number | null, signal: AbortSignal): Promise<AsyncIterable<OrderEventNotice>>;
  /** An event was written by this replica: read it now rather than at the next poll (the outbox; the stream needs no wake). */
  wake(): void;
  /** Lets go of connections and timers. */
  stop(): Promise<void>;
}
