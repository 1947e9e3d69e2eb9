import { checkPageSize, toConnection } from '@shop/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { requireInternalCaller } from '../internal-access.js';

export const Query: QueryResolvers = {
  products: async (_parent, { first, after, search }, { products }) => {
    const size = checkPageSize(first ?? 20);
    const page = await products.listProductsPage({ limit: size + 1, after, search: search?.trim() || null });
    return toConnection(page.rows, size, page.totalCount);
  },

  product: (_parent, { id }, { loaders }) => loaders.productById.load(id),

  stockReservation: (_parent, { orderId }, context) => {
    requireInternalCaller(context);
    return context.stock.find(orderId);
  },
};
