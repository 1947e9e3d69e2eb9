import { checkPageSize, requireUuid, toConnection } from '@shop/service-kit';
import type { QueryProductsArgs, QueryResolvers } from '../__generated__/resolvers-types.js';
import { requireInternalCaller } from '../internal-access.js';

export const Query: QueryResolvers = {
  // The arguments as sent: codegen makes `first` non-null for its default, but an explicit `first: null` arrives as null.
  products: async (_parent, { first, after, search }: QueryProductsArgs, { products }) => {
    const size = checkPageSize(first ?? 20);
    const page = await products.listProductsPage({ limit: size + 1, after, search: search?.trim() || null });
    return toConnection(page.rows, size, page.totalCount);
  },

  // A well-formed id of no product is null (DESIGN.md §2); one that cannot be an id is BAD_USER_INPUT.
  product: (_parent, { id }, { loaders }) => loaders.productById.load(requireUuid(id, 'id')),

  stockReservation: (_parent, { orderId }, context) => {
    requireInternalCaller(context);
    return context.stock.find(requireUuid(orderId, 'orderId'));
  },
};
