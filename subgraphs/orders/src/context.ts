import type { ServiceContext, Viewer } from '@shop/service-kit';
import type { Loaders } from './loaders.js';
import type { OrdersRepository } from './orders-repository.js';

export interface OrdersContext extends ServiceContext {
  viewer: Viewer | null;
  loaders: Loaders;
  orders: OrdersRepository;
}

/** A User or Product of another service, known here by id only; its owner resolves the rest. */
export interface EntityReference {
  id: string;
}
