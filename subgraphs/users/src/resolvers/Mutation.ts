import { ConflictError, ForbiddenError, NotFoundError, requireAdmin, requireViewer, UnauthenticatedError, type Transaction } from '@shop/service-kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../passwords.js';
import { EmailTakenError, type UserRow, type UsersRepository } from '../users-repository.js';
import type { UsersContext } from '../context.js';
import { checkPassword, checkRegistration, MAX_PASSWORD_LENGTH } from '../registration.js';
import { checkProfileChanges, requireCurrentPassword } from '../profile.js';

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

  updateMe: async (_parent, { input }, { viewer, users }) => {
    const { userId } = requireViewer(viewer);
    const changes = await checkProfileChanges(users, userId, input);
    try {
      return (await users.updateUser(userId, changes)) ?? accountGone();
    } catch (error) {
      if (error instanceof EmailTakenError) throw new ConflictError('An account with this email exists already');
      throw error;
    }
  },

  changePassword: async (_parent, { currentPassword, newPassword }, { viewer, users, sessions }) => {
    const { userId } = requireViewer(viewer);
    const password = checkPassword(newPassword, 'newPassword');
    await requireCurrentPassword(users, userId, currentPassword);
    // Hashed before the transaction, so no row stays locked for the tens of milliseconds scrypt takes.
    const passwordHash = await hashPassword(password);
    return users.transaction(async (tx) => {
      const user = (await users.updatePasswordHash(userId, passwordHash, tx)) ?? accountGone();
      // Whoever knew the old password may hold a session: all of them end, this device gets a new one.
      await sessions.endAllOf(userId, tx);
      return { ...(await sessions.start(user, tx)), user };
    });
  },

  setUserRole: (_parent, { id, role }, { viewer, users, sessions }) => {
    const admin = requireAdmin(viewer);
    return users.transaction(async (tx) => {
      const { user, lastAdmin } = await lockUserAndAdmins(users, id, tx, admin.userId);
      if (user.role === role) return user;
      if (lastAdmin) throw new ConflictError('The last admin cannot be demoted');
      const updated = (await users.updateUserRole(id, role, tx))!;
      await sessions.refreshRoleOf(id, tx);
      return updated;
    });
  },

  deleteMe: async (_parent, { currentPassword }, context) => {
    const { userId } = requireViewer(context.viewer);
    await requireCurrentPassword(context.users, userId, currentPassword);
    return erase(context, userId);
  },

  deleteUser: (_parent, { id }, context) => erase(context, id, requireAdmin(context.viewer).userId),
};

/** The rest of this request acts as the user who just proved who they are (so `user { email }` reads). */
function signIn(context: UsersContext, user: UserRow): void {
  context.viewer = { userId: user.id, role: user.role };
}

/** A valid token may outlive its account (erased meanwhile): nothing left to act on. */
function accountGone(): never {
  throw new UnauthenticatedError('The signed-in account no longer exists');
}

/**
 * Locks the user's row and every admin's until the transaction ends, so the count of admins
 * stays true while it decides: NOT_FOUND without such a user; `lastAdmin` when they are the only
 * admin, whom neither a demotion nor an erasure may take away.
 */
async function lockUserAndAdmins(users: UsersRepository, id: string, tx: Transaction, actingAdmin?: string) {
  const rows = await users.listUserAndAdminsForUpdate(id, tx);
  // The token's role may be up to one revocation poll old: an admin demoted a moment ago must not
  // act as one meanwhile (restoring their own role, demoting whoever demoted them).
  if (actingAdmin !== undefined && !rows.some((row) => row.id === actingAdmin && row.role === 'ADMIN')) {
    throw new ForbiddenError('Only admins may do this');
  }
  const user = rows.find((row) => row.id === id.toLowerCase());
  if (!user) throw new NotFoundError(`No user ${id}`);
  const admins = rows.filter((row) => row.role === 'ADMIN').length;
  return { user, lastAdmin: user.role === 'ADMIN' && admins === 1 };
}

/**
 * Erases an account in one transaction: its sessions end first (the revocations outlive the user,
 * so access tokens still out are refused at the gateway), then the row goes, its sessions with it.
 * Orders elsewhere keep the id only, and read its user as null from then on.
 */
function erase({ users, sessions }: UsersContext, id: string, actingAdmin?: string): Promise<boolean> {
  return users.transaction(async (tx) => {
    const { lastAdmin } = await lockUserAndAdmins(users, id, tx, actingAdmin);
    if (lastAdmin) throw new ConflictError('The last admin cannot be erased');
    await sessions.endAllOf(id, tx);
    return users.deleteUser(id, tx);
  });
}
