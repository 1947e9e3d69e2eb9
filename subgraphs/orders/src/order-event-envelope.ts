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
}

export function orderEventEnvelope(event: { id: string; type: string; schema_version: number; occurred_at: Date; payload: unknown }): OrderEventEnvelope {
  return { id: event.id, type: event.type, schemaVersion: event.schema_version, occurredAt: event.occurred_at.toISOString(), order: event.payload };
}
