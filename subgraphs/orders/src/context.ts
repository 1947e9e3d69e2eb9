import type { SubgraphContext } from '@shop/service-kit';
import type { Loaders } from './loaders.js';
import type { OrdersRepository } from './orders-repository.js';
import type { Checkout } from './checkout.js';
import type { OrderLifecycle } from './order-lifecycle.js';
import type { Viewer } from '@shop/service-kit';

export interface OrdersContext extends SubgraphContext {
  loaders: Loaders;
  orders: OrdersRepository;
  checkout: Checkout;
  lifecycle: OrderLifecycle;
  /** UNAUTHENTICATED unless the viewer's account exists at users (asked with this request's token). */
  requireAccount: (viewer: Viewer) => Promise<void>;
}

/** A User or Product of another service, known here by id only; its owner resolves the rest. */
export interface EntityReference {
  id: string;
}
