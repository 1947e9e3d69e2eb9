import type { OrderResolvers } from '../__generated__/resolvers-types.js';
import { readableOrder } from '../order-access.js';

export const Order: OrderResolvers = {
  __resolveReference: async (reference, { viewer, loaders }) => readableOrder(viewer, await loaders.orderById.load(reference.id)),
  user: (order) => ({ id: order.user_id }),
  items: (order, _args, { loaders }) => loaders.itemsByOrderId.load(order.id),
  statusHistory: (order, _args, { loaders }) => loaders.statusHistoryByOrderId.load(order.id),
  total: (order) => ({ amountCents: order.total_cents, currency: order.currency }),
  createdAt: (order) => order.created_at,
  updatedAt: (order) => order.updated_at,
};
