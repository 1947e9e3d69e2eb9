import type { SubgraphContext } from '@shop/service-kit';
import type { Loaders } from './loaders.js';
import type { UsersRepository } from './users-repository.js';
import type { Sessions } from './sessions.js';
import type { PasswordHasher } from './password-hasher.js';

export interface UsersContext extends SubgraphContext {
  loaders: Loaders;
  users: UsersRepository;
  sessions: Sessions;
  /** Every password hash goes through it: bounded in number at once and waiting. */
  passwords: PasswordHasher;
}
