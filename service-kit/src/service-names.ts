// A leaf: the services' names and default addresses, which the configuration, tracing and the
// service definitions all need. It imports nothing, so none of them has to import another for these.

export const SUBGRAPH_NAMES = ['users', 'products', 'orders'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];
export type ServiceName = SubgraphName | 'gateway';

/** Where each service listens unless PORT says otherwise, and where the others look for it. */
export const DEFAULT_PORTS: Record<ServiceName, number> = { gateway: 4000, users: 4001, products: 4002, orders: 4003 };

/** Where each service serves Prometheus metrics unless METRICS_PORT says otherwise (0: not at all). */
export const DEFAULT_METRICS_PORTS: Record<ServiceName, number> = { gateway: 9400, users: 9401, products: 9402, orders: 9403 };

/** A service's address on this machine at its default port. */
export const defaultUrl = (name: ServiceName) => `http://127.0.0.1:${DEFAULT_PORTS[name]}`;
