import { ConflictError, requireViewer, UnauthenticatedError } from '@shop/service-kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../passwords.js';
import { EmailTakenError, type UserRow } from '../users-repository.js';
import type { UsersContext } from '../context.js';
import { checkRegistration, MAX_PASSWORD_LENGTH } from '../registration.js';

export const Mutation: MutationResolvers = {
  register: async (_parent, { input }, context) => {
    const { users, sessions } = context;
    const { email, password, name } = checkRegistration(input);
    try {
      const user = await users.createUser({ email, name, role: 'CUSTOMER', passwordHash: await hashPassword(password) });
      signIn(context, user);
      return { ...(await sessions.start(user)), user };
    } catch (error) {
      if (error instanceof EmailTakenError) throw new ConflictError('An account with this email exists already');
      throw error;
    }
  },

  login: async (_parent, { email, password }, context) => {
    const { users, sessions } = context;
    if (password.length > MAX_PASSWORD_LENGTH) throw new UnauthenticatedError('Wrong email or password');
    const user = await users.findUserWithPasswordByEmail(email.trim());
    const matches = await verifyPassword(password, user?.password_hash ?? (await decoyPasswordHash()));
    if (!user || !matches) throw new UnauthenticatedError('Wrong email or password');
    const { password_hash: _hash, ...row } = user;
    signIn(context, row);
    return { ...(await sessions.start(row)), user: row };
  },

  refreshSession: async (_parent, { refreshToken }, context) => {
    const { tokens, user } = await context.sessions.refresh(refreshToken);
    signIn(context, user);
    return { ...tokens, user };
  },

  signOut: async (_parent, _args, { viewer, sessions }) => {
    const { session } = requireViewer(viewer);
    // A token from before sessions existed has none to end; it expires by itself.
    if (session) await sessions.end(session.id);
    return true;
  },

  signOutEverywhere: async (_parent, _args, { viewer, sessions }) => {
    await sessions.endAllOf(requireViewer(viewer).userId);
    return true;
  },
};

/** The rest of this request acts as the user who just proved who they are (so `user { email }` reads). */
function signIn(context: UsersContext, user: UserRow): void {
  context.viewer = { userId: user.id, role: user.role };
}
