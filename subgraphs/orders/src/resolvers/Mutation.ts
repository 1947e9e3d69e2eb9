import { requireViewer } from '@shop/service-kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { checkOrderRequest } from '../order-input.js';
import { adminsId, signedInsId } from './id-arguments.js';

export const Mutation: MutationResolvers = {
  createOrder: async (_parent, { input }, { viewer, requireAccount, checkout, logger }) => {
    const signedIn = requireViewer(viewer);
    // Malformed input is refused before any call to another service.
    const request = checkOrderRequest(input);
    // A valid token may outlive its user; no order for a user who does not exist.
    await requireAccount(signedIn);
    return checkout.placeOrder(signedIn, request, logger);
  },

  updateOrderStatus: (_parent, { id, status }, { viewer, lifecycle, logger }) => lifecycle.updateStatus(viewer, adminsId(viewer, id), status, logger),

  // The owner's check needs the order: it comes after the id's shape.
  cancelOrder: (_parent, { id }, { viewer, lifecycle, logger }) => lifecycle.cancel(viewer, signedInsId(viewer, id), logger),

  createWebhook: (_parent, args, { viewer, webhooks }) => webhooks.create(viewer, args),

  disableWebhook: (_parent, { id }, { viewer, webhooks }) => webhooks.setEnabled(viewer, adminsId(viewer, id), false),

  enableWebhook: (_parent, { id }, { viewer, webhooks }) => webhooks.setEnabled(viewer, adminsId(viewer, id), true),

  deleteWebhook: (_parent, { id }, { viewer, webhooks }) => webhooks.delete(viewer, adminsId(viewer, id)),

  rotateWebhookSecret: (_parent, { id, keepPreviousForSeconds }, { viewer, webhooks }) => webhooks.rotateSecret(viewer, adminsId(viewer, id), keepPreviousForSeconds),

  redeliverWebhookDelivery: (_parent, { id }, { viewer, webhooks }) => webhooks.redeliver(viewer, adminsId(viewer, id)),
};
