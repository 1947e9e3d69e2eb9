import { requireViewer } from '@shop/service-kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  createOrder: (_parent, { input }, { viewer, checkout, logger }) => checkout.placeOrder(requireViewer(viewer), input, logger),

  updateOrderStatus: (_parent, { id, status }, { viewer, lifecycle, logger }) => lifecycle.updateStatus(viewer, id, status, logger),

  cancelOrder: (_parent, { id }, { viewer, lifecycle, logger }) => lifecycle.cancel(viewer, id, logger),
};
