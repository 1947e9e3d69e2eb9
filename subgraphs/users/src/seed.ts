import { DEMO_USERS, type Logger } from '@shop/service-kit';
import { hashPassword } from './passwords.js';
import type { UsersRepository } from './users-repository.js';

/** Seeds the demo accounts of DESIGN.md §2 when there are no users at all. */
export async function seedDemoUsers(users: UsersRepository, logger: Logger): Promise<void> {
  if ((await users.countUsers()) > 0) return;
  for (const user of DEMO_USERS) {
    await users.createUser({ ...user, passwordHash: await hashPassword(user.password) });
  }
  logger.info({ users: DEMO_USERS.map((u) => u.email) }, 'seeded demo users');
}
