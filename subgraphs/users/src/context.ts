import type { ServiceContext, Viewer } from '@shop/service-kit';
import type { Loaders } from './loaders.js';
import type { UsersRepository } from './users-repository.js';
import type { TokenIssuer } from './tokens.js';

export interface UsersContext extends ServiceContext {
  viewer: Viewer | null;
  loaders: Loaders;
  users: UsersRepository;
  tokens: TokenIssuer;
}
