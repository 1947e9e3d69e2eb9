import type { WebhookDeliveryResolvers } from '../__generated__/resolvers-types.js';
import { readableOrder } from '../order-access.js';
import { webhookEventName } from '../webhook-rows.js';

export const WebhookDelivery: WebhookDeliveryResolvers = {
  webhook: async (delivery, _args, { loaders }) => {
    const webhook = await loaders.webhookById.load(delivery.webhook_id);
    // A delivery goes with its webhook (ON DELETE CASCADE): one read here always finds it.
    if (!webhook) throw new Error(`webhook ${delivery.webhook_id} of delivery ${delivery.id} is gone`);
    return webhook;
  },
  eventId: (delivery) => delivery.event_id,
  event: (delivery) => webhookEventName(delivery.event_type),
  order: async (delivery, _args, { viewer, loaders }) => readableOrder(viewer, await loaders.orderById.load(delivery.order_id)),
  nextAttemptAt: (delivery) => (delivery.status === 'PENDING' ? delivery.next_attempt_at : null),
  lastAttemptAt: (delivery) => delivery.last_attempt_at,
  lastResponseCode: (delivery) => delivery.last_response_code,
  lastError: (delivery) => delivery.last_error,
  createdAt: (delivery) => delivery.created_at,
  updatedAt: (delivery) => delivery.updated_at,
};
