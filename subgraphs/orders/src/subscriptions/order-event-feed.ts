/** One recorded change of an order, as a subscription needs it: where it is in the log, and whose order it is. */
export interface OrderEventNotice {
  /** The event's id for clients: the ORDERS stream's sequence with NATS, else order_events.seq. */
  sequence: number;
  orderId: string;
  userId: string;
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
