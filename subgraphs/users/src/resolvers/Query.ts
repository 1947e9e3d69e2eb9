import { ForbiddenError, isSelfOrAdmin, requireViewer } from '@shop/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  me: (_parent, _args, { viewer, loaders }) => (viewer ? loaders.userById.load(viewer.userId) : null),

  user: (_parent, { id }, { viewer, loaders }) => {
    if (!isSelfOrAdmin(requireViewer(viewer), id)) throw new ForbiddenError('You may only read your own account');
    return loaders.userById.load(id);
  },
};
