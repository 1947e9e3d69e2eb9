import { DEMO_PRODUCTS } from '@shop/service-kit';
import { CANONICAL } from './canonical-query.js';
import type { GatewayName } from './stack.js';

/** Where a scenario's requests go: one of the gateways, or the subgraph that owns the data. */
export type Target = GatewayName | 'direct';

/** One GraphQL request, as autocannon sends it. */
export interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  /** Send the signed-in customer's token. */
  signedIn?: boolean;
  /** createOrder: every request gets a fresh `variables.input.idempotencyKey`. */
  keyed?: boolean;
}

export interface Scenario {
  name: string;
  description: string;
  /** The operations each connection sends in turn (a mixed workload has several). */
  operations: Operation[];
  /** The subgraph that answers the same operations alone, for the "direct" column (if any). */
  direct?: 'products';
  /** Anonymous catalogue reads: also measured against our gateway with its response cache on. */
  cacheable?: boolean;
  /** Writes: the bench checks the stock books once the services have stopped. */
  writes?: boolean;
}

/** alice's PENDING demo order: 3 items, so the canonical query fetches her and 3 products. */
export const CANONICAL_ORDER_ID = '00000000-0000-4000-a000-000000000002';

const PRODUCTS_PAGE = `query { products(first: 20) { edges { cursor node { id name description price { amountCents currency } stock } } pageInfo { hasNextPage endCursor } totalCount } }`;
const PRODUCT_BY_ID = `query ($id: ID!) { product(id: $id) { id name description price { amountCents currency } stock updatedAt } }`;
const MY_ORDERS = `query { me { id name orders(first: 5) { nodes { id status total { amountCents currency } } } } }`;

const canonical: Operation = { query: CANONICAL, variables: { id: CANONICAL_ORDER_ID }, signedIn: true };
const productsPage: Operation = { query: PRODUCTS_PAGE };
const productById: Operation = { query: PRODUCT_BY_ID, variables: { id: DEMO_PRODUCTS[3]!.id } };

export const SCENARIOS: Scenario[] = [
  { name: 'canonical', description: 'order + its user + 3 products, signed in', operations: [canonical] },
  { name: 'products-page', description: 'products(first: 20), public', operations: [productsPage], direct: 'products', cacheable: true },
  { name: 'product-by-id', description: 'product(id), public', operations: [productById], direct: 'products', cacheable: true },
  {
    name: 'mixed-reads',
    description: 'canonical, products page, product by id, my orders, in turn',
    operations: [canonical, productsPage, productById, { query: MY_ORDERS, signedIn: true }],
  },
];

export const CREATE_ORDER = 'create-order';

/**
 * createOrder of one unit of `productId` (a product the bench adds with stock enough for any
 * run, so no request fails for want of stock), each request with its own idempotency key.
 */
export function createOrderScenario(productId: string): Scenario {
  return {
    name: CREATE_ORDER,
    description: 'createOrder, 1 item, a unique idempotency key per request, signed in',
    writes: true,
    operations: [
      {
        query: `mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id status total { amountCents currency } } }`,
        variables: { input: { items: [{ productId, quantity: 1 }], idempotencyKey: 'set per request' } },
        signedIn: true,
        keyed: true,
      },
    ],
  };
}
