/**
 * The shapes of webhooks' rows (codegen's mappers point here, so this imports nothing of the
 * subgraph), and the names of the events they subscribe to.
 */

/** The event types a webhook may subscribe to: the schema's WebhookEvent, and the type each is delivered as. */
export const WEBHOOK_EVENT_TYPES = {
  ORDER_PLACED: 'order.placed',
  ORDER_PAID: 'order.paid',
  ORDER_SHIPPED: 'order.shipped',
  ORDER_DELIVERED: 'order.delivered',
  ORDER_CANCELLED: 'order.cancelled',
} as const;

export type WebhookEventName = keyof typeof WEBHOOK_EVENT_TYPES;
export type OrderEventType = (typeof WEBHOOK_EVENT_TYPES)[WebhookEventName];

const NAME_OF_TYPE = Object.fromEntries(Object.entries(WEBHOOK_EVENT_TYPES).map(([name, type]) => [type, name])) as Record<OrderEventType, WebhookEventName>;

export function webhookEventName(type: string): WebhookEventName {
  const name = NAME_OF_TYPE[type as OrderEventType] as WebhookEventName | undefined;
  if (!name) throw new Error(`unknown order event type ${type}`);
  return name;
}

export type WebhookDeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/** A webhook as admins see it: never its secrets. */
export interface WebhookRow {
  id: string;
  seq: string;
  url: string;
  events: OrderEventType[];
  description: string;
  enabled: boolean;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface WebhookDeliveryRow {
  id: string;
  seq: string;
  webhook_id: string;
  event_id: string;
  event_type: OrderEventType;
  order_id: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_response_code: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}
