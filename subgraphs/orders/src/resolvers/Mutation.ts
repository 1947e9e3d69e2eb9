import { requireViewer } from '@shop/service-kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  createOrder: async (_parent, { input }, { viewer, requireAccount, checkout, logger }) => {
    const signedIn = requireViewer(viewer);
    // A valid token may outlive its user; no order for a user who does not exist.
    await requireAccount(signedIn);
    return checkout.placeOrder(signedIn, input, logger);
  },

  updateOrderStatus: (_parent, { id, status }, { viewer, lifecycle, logger }) => lifecycle.updateStatus(viewer, id, status, logger),

  cancelOrder: (_parent, { id }, { viewer, lifecycle, logger }) => lifecycle.cancel(viewer, id, logger),

  createWebhook: (_parent, args, { viewer, webhooks }) => webhooks.create(viewer, args),

  disableWebhook: (_parent, { id }, { viewer, webhooks }) => webhooks.setEnabled(viewer, id, false),

  enableWebhook: (_parent, { id }, { viewer, webhooks }) => webhooks.setEnabled(viewer, id, true),

  deleteWebhook: (_parent, { id }, { viewer, webhooks }) => webhooks.delete(viewer, id),

  rotateWebhookSecret: (_parent, { id, keepPreviousForSeconds }, { viewer, webhooks }) => webhooks.rotateSecret(viewer, id, keepPreviousForSeconds),

  redeliverWebhookDelivery: (_parent, { id }, { viewer, webhooks }) => webhooks.redeliver(viewer, id),
};
