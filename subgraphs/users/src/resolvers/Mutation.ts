import { ConflictError, UnauthenticatedError } from '@shop/service-kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../passwords.js';
import { EmailTakenError, type UserRow } from '../users-repository.js';
import type { UsersContext } from '../context.js';
import { checkRegistration, MAX_PASSWORD_LENGTH } from '../registration.js';

export const Mutation: MutationResolvers = {
  register: async (_parent, { input }, context) => {
    const { users, tokens } = context;
    const { email, password, name } = checkRegistration(input);
    try {
      const user = await users.createUser({ email, name, role: 'CUSTOMER', passwordHash: await hashPassword(password) });
      signIn(context, user);
      return { token: await tokens.issue(user), user };
    } catch (error) {
      if (error instanceof EmailTakenError) throw new ConflictError('An account with this email exists already');
      throw error;
    }
  },

  login: async (_parent, { email, password }, context) => {
    const { users, tokens } = context;
    if (password.length > MAX_PASSWORD_LENGTH) throw new UnauthenticatedError('Wrong email or password');
    const user = await users.findUserWithPasswordByEmail(email.trim());
    const matches = await verifyPassword(password, user?.password_hash ?? (await decoyPasswordHash()));
    if (!user || !matches) throw new UnauthenticatedError('Wrong email or password');
    const { password_hash: _hash, ...row } = user;
    signIn(context, row);
    return { token: await tokens.issue(row), user: row };
  },
};

/** The rest of this request acts as the user who just proved who they are (so `user { email }` reads). */
function signIn(context: UsersContext, user: UserRow): void {
  context.viewer = { userId: user.id, role: user.role };
}
