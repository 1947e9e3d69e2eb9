import type { WebhookResolvers } from '../__generated__/resolvers-types.js';
import { webhookEventName } from '../webhook-rows.js';

export const Webhook: WebhookResolvers = {
  events: (webhook) => webhook.events.map(webhookEventName),
  disabledReason: (webhook) => webhook.disabled_reason,
  createdAt: (webhook) => webhook.created_at,
  updatedAt: (webhook) => webhook.updated_at,
  deliveries: (webhook, { first, after, status }, { viewer, webhooks }) => webhooks.deliveries(viewer, { first, after, status, webhookId: webhook.id }),
};
