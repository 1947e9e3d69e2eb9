import type { OrderItemResolvers } from '../__generated__/resolvers-types.js';

export const OrderItem: OrderItemResolvers = {
  product: (item) => ({ id: item.product_id }),
  unitPrice: (item) => ({ amountCents: item.unit_price_cents, currency: item.currency }),
};
