import { DEMO_USERS, type Logger } from '@shop/service-kit';
import { hashPassword, verifyPassword } from './passwords.js';
import type { UsersRepository } from './users-repository.js';

/** Seeds the demo accounts of DESIGN.md §2 when there are no users at all. */
export async function seedDemoUsers(users: UsersRepository, logger: Logger): Promise<void> {
  if ((await users.countUsers()) > 0) return;
  for (const user of DEMO_USERS) {
    await users.createUser({ ...user, passwordHash: await hashPassword(user.password) });
  }
  logger.info({ users: DEMO_USERS.map((u) => u.email) }, 'seeded demo users');
}

/**
 * Production refuses to start while a demo account (seeded in development) still opens with its
 * published password: anyone could sign in as the demo admin.
 */
export async function refuseDemoPasswords(users: UsersRepository): Promise<void> {
  for (const demo of DEMO_USERS) {
    const user = await users.findUserWithPasswordByEmail(demo.email);
    if (user && (await verifyPassword(demo.password, user.password_hash))) {
      throw new Error(`The demo account ${demo.email} still has its public password: change it or delete the account before running in production`);
    }
  }
}
