import { NotFoundError } from '@shop/service-kit';
import type { WebhookDeliveryResolvers } from '../__generated__/resolvers-types.js';
import { readableOrder } from '../order-access.js';
import { webhookEventName } from '../webhook-rows.js';

export const WebhookDelivery: WebhookDeliveryResolvers = {
  webhook: async (delivery, _args, { loaders }) => {
    const webhook = await loaders.webhookById.load(delivery.webhook_id);
    // Its deliveries go with a webhook (ON DELETE CASCADE), but one read a moment before the delete may still be answered.
    if (!webhook) throw new NotFoundError(`The webhook of delivery ${delivery.id} was deleted meanwhile`);
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
