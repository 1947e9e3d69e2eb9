import { loaderById } from '@shop/service-kit';
import type { UsersRepository } from './users-repository.js';

/** Built per request, so batching never mixes two viewers' reads and nothing is cached across requests. */
export function createLoaders(users: UsersRepository) {
  return {
    userById: loaderById((ids) => users.listUsersByIds(ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
