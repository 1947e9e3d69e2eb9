import type { ReservedItemResolvers, StockReservationResolvers } from '../__generated__/resolvers-types.js';

export const StockReservation: StockReservationResolvers = {
  orderId: (reservation) => reservation.order_id,
};

export const ReservedItem: ReservedItemResolvers = {
  productId: (item) => item.product_id,
  unitPrice: (item) => ({ amountCents: item.unit_price_cents, currency: item.currency }),
};
