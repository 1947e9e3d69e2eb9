import { ForbiddenError, isSelfOrAdmin, requireViewer } from '@shop/service-kit';
import type { UserResolvers } from '../__generated__/resolvers-types.js';

export const User: UserResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.userById.load(reference.id),

  createdAt: (user) => user.created_at,

  email: (user, _args, { viewer }) => {
    if (!isSelfOrAdmin(requireViewer(viewer), user.id)) {
      throw new ForbiddenError("Only the user themself and admins may read a user's email");
    }
    return user.email;
  },
};
