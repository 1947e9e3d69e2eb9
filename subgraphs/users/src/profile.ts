import { UnauthenticatedError } from '@shop/service-kit';
import type { UpdateMeInput } from './__generated__/resolvers-types.js';
import { verifyPassword } from './passwords.js';
import { checkEmail, checkName, MAX_PASSWORD_LENGTH } from './registration.js';
import type { UserChanges, UsersRepository, UserRow } from './users-repository.js';

/**
 * The changes of an `updateMe`, under the registration rules; null (as absent) leaves a field as
 * it is. A new email needs the current password; an unchanged one (a whole form sent back) does
 * not. A password sent is checked whatever else changes: the gateway counts it as an attempt.
 */
export async function checkProfileChanges(users: UsersRepository, userId: string, input: UpdateMeInput): Promise<UserChanges> {
  const changes: UserChanges = {};
  if (input.name != null) changes.name = checkName(input.name);
  if (input.email != null) {
    const email = checkEmail(input.email);
    if (email !== (await users.findUserById(userId))?.email) changes.email = email;
  }
  if (input.currentPassword != null || changes.email !== undefined) await requireCurrentPassword(users, userId, input.currentPassword);
  return changes;
}

/**
 * The signed-in user, once `password` proves it is them; UNAUTHENTICATED when it is missing or
 * wrong, or the account is gone (a token may outlive its user). One message for all, as at login.
 */
export async function requireCurrentPassword(users: UsersRepository, userId: string, password: string | null | undefined): Promise<UserRow> {
  const user = await users.findUserWithPasswordById(userId);
  const matches = password != null && password.length <= MAX_PASSWORD_LENGTH && user !== null && (await verifyPassword(password, user.password_hash));
  if (!user || !matches) throw new UnauthenticatedError('The current password is wrong');
  const { password_hash: _hash, ...row } = user;
  return row;
}
