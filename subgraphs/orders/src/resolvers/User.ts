import { checkPageSize, ForbiddenError, isSelfOrAdmin, requireViewer, toConnection } from '@shop/service-kit';
import type { UserOrdersArgs, UserResolvers } from '../__generated__/resolvers-types.js';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  // The arguments as sent: codegen makes `first` non-null for its default, but an explicit `first: null` arrives as null.
  orders: async (user, { first, after }: UserOrdersArgs, { viewer, loaders }) => {
    if (!isSelfOrAdmin(requireViewer(viewer), user.id)) throw new ForbiddenError("Only the user themself and admins may read a user's orders");
    const size = checkPageSize(first ?? 20);
    const page = await loaders.ordersPageByUser.load({ userId: user.id, limit: size + 1, after });
    return toConnection(page.rows, size, page.totalCount);
  },
};
