import { ConflictError, ForbiddenError, NotFoundError, requireAdmin, requireUuid, requireViewer, scopesOfRole, UnauthenticatedError, type Transaction } from '@shop/service-kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { EmailTakenError, type UserRow, type UsersRepository, type UserWithPasswordRow } from '../users-repository.js';
import type { UsersContext } from '../context.js';
import { checkPassword, checkRegistration, MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH } from '../registration.js';
import { checkProfileChanges, requireCurrentPassword } from '../profile.js';
import { requireOnePasswordField } from '../password-fields.js';

const WRONG_LOGIN = 'Wrong email or password';

// Each field that hashes a password the client sends first makes sure it is the operation's only one.
export const Mutation: MutationResolvers = {
  register: async (_parent, { input }, context, info) => {
    requireOnePasswordField(info);
    const { users, sessions, passwords } = context;
    const { email, password, name } = checkRegistration(input);
    try {
      const user = await users.createUser({ email, name, role: 'CUSTOMER', passwordHash: await passwords.hash(password) });
      signIn(context, user);
      return { ...(await sessions.start(user)), user };
    } catch (error) {
      if (error instanceof EmailTakenError) throw new ConflictError('An account with this email exists already');
      throw error;
    }
  },

  login: async (_parent, { email, password }, context, info) => {
    requireOnePasswordField(info);
    const { users, sessions, passwords } = context;
    const address = email.trim();
    // Nothing longer can be an account's: refused without a lookup or a hash.
    if (password.length > MAX_PASSWORD_LENGTH || address.length > MAX_EMAIL_LENGTH) throw new UnauthenticatedError(WRONG_LOGIN);
    const user = await users.findUserWithPasswordByEmail(address);
    const matches = user ? await passwords.verify(password, user.password_hash) : await passwords.verifyDecoy(password);
    if (!user || !matches) throw new UnauthenticatedError(WRONG_LOGIN);
    // Said only to whoever knows the password.
    if (user.disabled_at) throw new UnauthenticatedError('This account is disabled');
    await renewHash(context, user, password);
    const { password_hash: _hash, disabled_at: _disabled, ...row } = user;
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

  updateMe: async (_parent, { input }, { viewer, users, passwords }, info) => {
    requireOnePasswordField(info);
    const { userId } = requireViewer(viewer);
    const changes = await checkProfileChanges({ users, passwords }, userId, input);
    try {
      return (await users.updateUser(userId, changes)) ?? accountGone();
    } catch (error) {
      if (error instanceof EmailTakenError) throw new ConflictError('An account with this email exists already');
      throw error;
    }
  },

  changePassword: async (_parent, { currentPassword, newPassword }, { viewer, users, sessions, passwords }, info) => {
    requireOnePasswordField(info);
    const { userId } = requireViewer(viewer);
    const password = checkPassword(newPassword, 'newPassword');
    await requireCurrentPassword({ users, passwords }, userId, currentPassword);
    // Hashed before the transaction, so no row stays locked for the fraction of a second scrypt takes.
    const passwordHash = await passwords.hash(password);
    return users.transaction(async (tx) => {
      const user = (await users.updatePasswordHash(userId, passwordHash, tx)) ?? accountGone();
      // Whoever knew the old password may hold a session: all of them end, this device gets a new one.
      await sessions.endAllOf(userId, tx);
      return { ...(await sessions.start(user, tx)), user };
    });
  },

  setUserRole: (_parent, { id: givenId, role }, { viewer, users, sessions }) => {
    // Who asks comes before what they send: a non-admin learns nothing from the id's shape.
    const admin = requireAdmin(viewer);
    const id = requireUuid(givenId, 'id');
    return users.transaction(async (tx) => {
      const { user, lastAdmin } = await lockUserAndAdmins(users, id, tx, admin.userId);
      if (user.role === role) return user;
      if (lastAdmin) throw new ConflictError('The last admin cannot be demoted');
      const updated = (await users.updateUserRole(id, role, tx))!;
      await sessions.refreshRoleOf(id, tx);
      return updated;
    });
  },

  deleteMe: async (_parent, { currentPassword }, context, info) => {
    requireOnePasswordField(info);
    const { userId } = requireViewer(context.viewer);
    await requireCurrentPassword(context, userId, currentPassword);
    return erase(context, userId);
  },

  deleteUser: (_parent, { id }, context) => {
    const admin = requireAdmin(context.viewer);
    return erase(context, requireUuid(id, 'id'), admin.userId);
  },
};

/**
 * A stored hash of older parameters is replaced, now that the password is at hand, so raising
 * the cost reaches every account that signs in. Only while nobody waits for a hash: a busy
 * service lets the sign-in succeed and renews the hash another time.
 */
async function renewHash({ users, passwords, logger }: UsersContext, user: UserWithPasswordRow, password: string): Promise<void> {
  if (!passwords.needsRehash(user.password_hash) || passwords.waiting > 0) return;
  try {
    await users.replacePasswordHash(user.id, user.password_hash, await passwords.hash(password));
  } catch (error) {
    logger.warn({ err: error, userId: user.id }, 'could not renew a password hash at sign-in; kept the old one');
  }
}

/** The rest of this request acts as the user who just proved who they are (so `user { email }` reads). */
function signIn(context: UsersContext, user: UserRow): void {
  context.viewer = { userId: user.id, role: user.role, scopes: scopesOfRole(user.role) };
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
