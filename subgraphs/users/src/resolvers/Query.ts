import { checkPageSize, ForbiddenError, isSelfOrAdmin, requireAdmin, requireUuid, requireViewer, toConnection } from '@shop/service-kit';
import type { QueryResolvers, QueryUsersArgs } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  me: (_parent, _args, { viewer, loaders }) => (viewer ? loaders.userById.load(viewer.userId) : null),

  // Who asks comes before what they send: anonymous is UNAUTHENTICATED whatever the id.
  user: (_parent, args, { viewer, loaders }) => {
    const signedIn = requireViewer(viewer);
    const id = requireUuid(args.id, 'id');
    if (!isSelfOrAdmin(signedIn, id)) throw new ForbiddenError('You may only read your own account');
    return loaders.userById.load(id);
  },

  // The arguments as sent: codegen makes `first` non-null for its default, but an explicit `first: null` arrives as null.
  users: async (_parent, { first, after, search, role }: QueryUsersArgs, { viewer, users }) => {
    requireAdmin(viewer);
    const size = checkPageSize(first ?? 20);
    const page = await users.listUsersPage({ limit: size + 1, after, search: search?.trim() || null, role });
    return toConnection(page.rows, size, page.totalCount);
  },
};
