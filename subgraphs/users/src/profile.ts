import { UnauthenticatedError } from '@shop/service-kit';
import type { UpdateMeInput } from './__generated__/resolvers-types.js';
import type { PasswordHasher } from './password-hasher.js';
import { checkEmail, checkName, MAX_PASSWORD_LENGTH, refuseDemoEmail } from './registration.js';
import type { UserChanges, UsersRepository, UserRow } from './users-repository.js';

/** What checking a password needs: the accounts and the (bounded) hasher. */
export interface PasswordCheck {
  users: UsersRepository;
  passwords: PasswordHasher;
}

/**
 * The changes of an `updateMe`, under the registration rules; null (as absent) leaves a field as
 * it is. A new email needs the current password; an unchanged one (a whole form sent back) does
 * not. A password sent is checked whatever else changes: the gateway counts it as an attempt.
 */
export async function checkProfileChanges(check: PasswordCheck, userId: string, input: UpdateMeInput): Promise<UserChanges> {
  const changes: UserChanges = {};
  if (input.name != null) changes.name = checkName(input.name);
  if (input.email != null) {
    const email = checkEmail(input.email);
    if (email !== (await check.users.findUserById(userId))?.email) changes.email = refuseDemoEmail(email, userId);
  }
  if (input.currentPassword != null || changes.email !== undefined) await requireCurrentPassword(check, userId, input.currentPassword);
  return changes;
}

/**
 * The signed-in user, once `password` proves it is them; UNAUTHENTICATED when it is missing or
 * wrong, or the account is gone (a token may outlive its user) or disabled. One message for all, as at login.
 */
export async function requireCurrentPassword({ users, passwords }: PasswordCheck, userId: string, password: string | null | undefined): Promise<UserRow> {
  const user = await users.findUserWithPasswordById(userId);
  const matches = password != null && password.length <= MAX_PASSWORD_LENGTH && user !== null && (await passwords.verify(password, user.password_hash));
  if (!user || !matches || user.disabled_at) throw new UnauthenticatedError('The current password is wrong');
  const { password_hash: _hash, disabled_at: _disabled, ...row } = user;
  return row;
}
