import type { OrderStatusChangeResolvers } from '../__generated__/resolvers-types.js';

export const OrderStatusChange: OrderStatusChangeResolvers = {
  at: (change) => change.changed_at,
};
