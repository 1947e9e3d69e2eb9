/** An outbox event as it leaves orders, on the JetStream stream and in webhooks alike. */
export interface OrderEventEnvelope {
  /** Unique and stable: the JetStream message id and the `webhook-id`, for consumers to drop repeats by. */
  id: string;
  type: string;
  /** The payload's version: a change that removes or retypes a field makes the next. */
  schemaVersion: number;
  occurredAt: string;
  /** The order as it is after the change. */
  order: unknown;
  /**
   * Only on a change the shop made itself, saying why: `PAYMENT_WINDOW_EXPIRED` on the
   * `order.cancelled` of an order left unpaid past the payment window. Absent otherwise.
   */
  reason?: string;
}

/**
 * What an envelope is made of besides the event's id, as columns of `order_events e`: the relay
 * and the webhooks both select these, so what goes on the stream and to webhooks is the same.
 */
export const ENVELOPE_COLUMNS = 'e.type, e.schema_version, e.occurred_at, e.payload, e.reason';

/** An `order_events` row as ENVELOPE_COLUMNS and the event's id select it. */
export interface EnvelopeRow {
  id: string;
  type: string;
  schema_version: number;
  occurred_at: Date;
  payload: unknown;
  reason: string | null;
}

export function orderEventEnvelope(event: EnvelopeRow): OrderEventEnvelope {
  return {
    id: event.id,
    type: event.type,
    schemaVersion: event.schema_version,
    occurredAt: event.occurred_at.toISOString(),
    order: event.payload,
    ...(event.reason === null ? {} : { reason: event.reason }),
  };
}
