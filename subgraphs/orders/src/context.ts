import type { SubgraphContext } from '@shop/service-kit';
import type { Loaders } from './loaders.js';
import type { OrdersRepository } from './orders-repository.js';

export interface OrdersContext extends SubgraphContext {
  loaders: Loaders;
  orders: OrdersRepository;
}

/** A User or Product of another service, known here by id only; its owner resolves the rest. */
export interface EntityReference {
  id: string;
}
