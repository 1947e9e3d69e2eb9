import { DEMO_USERS, type Logger, type Queryable } from '@shop/service-kit';
import { hashPassword, OWASP_SCRYPT, verifyPassword, type ScryptParams } from './passwords.js';
import type { UsersRepository } from './users-repository.js';

/** Seeds the demo accounts of DESIGN.md §2, under their fixed ids, when there are no users at all. */
export async function seedDemoUsers(users: UsersRepository, logger: Logger, params: ScryptParams = OWASP_SCRYPT): Promise<void> {
  if ((await users.countUsers()) > 0) return;
  for (const user of DEMO_USERS) {
    await users.createUser({ ...user, passwordHash: await hashPassword(user.password, params) });
  }
  logger.info({ users: DEMO_USERS.map((u) => u.email) }, 'seeded demo users');
}

/** Why a demo account was disabled, as `users.disabled_reason` records it. */
export const DEMO_PASSWORD_REASON = 'demo-password';

export interface DemoAccountCheck {
  users: UsersRepository;
  /** Ends every session of a user (their access tokens are refused at the gateway within its poll). */
  endSessionsOf: (userId: string, tx: Queryable) => Promise<void>;
  logger: Logger;
}

/**
 * Production: a demo account (found by its fixed id, never by its email, which anyone could have
 * registered) that still opens with its published password would let anyone in as the demo admin.
 * It is disabled, its sessions ended, and said loudly at every start; the service starts anyway,
 * so no one can keep the shop from starting by what they put in the database.
 */
export async function disableDemoAccountsWithPublishedPasswords({ users, endSessionsOf, logger }: DemoAccountCheck): Promise<void> {
  for (const demo of DEMO_USERS) {
    const user = await users.findUserWithPasswordById(demo.id);
    if (!user || !(await verifyPassword(demo.password, user.password_hash))) continue;
    const account = { userId: demo.id, email: user.email };
    if (user.disabled_at) {
      logger.warn(account, 'demo account still has its published password and stays disabled: erase it (deleteUser), or set a new password_hash and clear disabled_at in its row');
      continue;
    }
    await users.transaction(async (tx) => {
      await users.disableUser(demo.id, DEMO_PASSWORD_REASON, tx);
      await endSessionsOf(demo.id, tx);
    });
    logger.error(account, 'demo account had its published password in production: disabled it and ended its sessions; nobody can sign in as it');
  }
}
