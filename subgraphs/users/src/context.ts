import type { SubgraphContext } from '@shop/service-kit';
import type { Loaders } from './loaders.js';
import type { UsersRepository } from './users-repository.js';
import type { Sessions } from './sessions.js';

export interface UsersContext extends SubgraphContext {
  loaders: Loaders;
  users: UsersRepository;
  sessions: Sessions;
}
