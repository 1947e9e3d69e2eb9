import type { SubgraphName } from '@shop/service-kit/definitions';
import { usersService } from '../subgraphs/users/src/service.js';
import { productsService } from '../subgraphs/products/src/service.js';
import { ordersService } from '../subgraphs/orders/src/service.js';

export { gatewayService } from '../gateway/src/service.js';

/** Every subgraph's definition by name, in the order they start (users first: the others check its tokens). */
export const SUBGRAPH_SERVICES = { users: usersService, products: productsService, orders: ordersService } as const satisfies Record<
  SubgraphName,
  unknown
>;
