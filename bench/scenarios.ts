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

/**
 * `identical`: every connection sends the same requests with the same token (alice's), which a
 * gateway that merges identical subgraph reads in flight (ours, Hive) turns into one subgraph call.
 * `distinct`: each connection is a customer of its own, with its own token and its own ids, so no
 * two requests in flight are the same: what a shop's real traffic looks like. `first-minute`:
 * distinct traffic of the storefront's own SDK documents, sent to a gateway just restarted, with
 * no warm-up: what the first minute after a deploy is like.
 */
export type Traffic = 'identical' | 'distinct' | 'first-minute';

/** What one connection sends in turn for the whole run, signed in as one customer. */
export interface Script {
  /** The customer's token, sent with the operations marked `signedIn`. */
  token: string;
  operations: Operation[];
}

export interface Scenario {
  name: string;
  description: string;
  traffic: Traffic;
  /** The operations each connection sends in turn (a mixed workload has several); identical traffic only. */
  operations: Operation[];
  /** Distinct traffic: one script per customer; connection i plays scripts[i % scripts.length]. */
  scripts?: Script[];
  /** The subgraph that answers the same operations alone, for the "direct" column (if any). */
  direct?: 'products';
  /** Only a subgraph answers it (a subgraph's own `_entities`, not in the API): measured `direct` alone. */
  directOnly?: boolean;
  /** Anonymous catalogue reads: also measured against our gateway with its response cache on. */
  cacheable?: boolean;
  /**
   * Every request signed in and authorized: also measured against our gateway serving the
   * supergraph without its declared authorization (`ours-no-authz`), so that the difference is
   * the check itself, nothing it denies.
   */
  measuresAuthorization?: boolean;
  /** Writes: the bench checks the stock books once the services have stopped. */
  writes?: boolean;
}

/** alice's PENDING demo order: 3 items, so the canonical query fetches her and 3 products. */
export const CANONICAL_ORDER_ID = '00000000-0000-4000-a000-000000000002';

const PRODUCTS_PAGE = `query { products(first: 20) { edges { cursor node { id name description price { amountCents currency } stock } } pageInfo { hasNextPage endCursor } totalCount } }`;
const PRODUCT_BY_ID = `query ($id: ID!) { product(id: $id) { id name description price { amountCents currency } stock updatedAt } }`;
const MY_ORDERS = `query { me { id name orders(first: 5) { nodes { id status total { amountCents currency } } } } }`;

/** What a gateway asks a subgraph for one entity: its `_entities` by key, as the planner writes a fetch. */
const ENTITY_BY_KEY = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { name stock } } }`;

const canonical: Operation = { query: CANONICAL, variables: { id: CANONICAL_ORDER_ID }, signedIn: true };
const productsPage: Operation = { query: PRODUCTS_PAGE };
const productById: Operation = { query: PRODUCT_BY_ID, variables: { id: DEMO_PRODUCTS[3]!.id } };

export const SCENARIOS: Scenario[] = [
  { name: 'canonical', traffic: 'identical', description: 'order + its user + 3 products, signed in', operations: [canonical] },
  { name: 'products-page', traffic: 'identical', description: 'products(first: 20), public', operations: [productsPage], direct: 'products', cacheable: true },
  { name: 'product-by-id', traffic: 'identical', description: 'product(id), public', operations: [productById], direct: 'products', cacheable: true },
  {
    // A subgraph call's own cost (issue 36): what each gateway fetch of an entity costs products and its database.
    name: 'entity-by-key',
    traffic: 'identical',
    description: "products' _entities for one product by key, sent to products alone",
    operations: [{ query: ENTITY_BY_KEY, variables: { representations: [{ __typename: 'Product', id: DEMO_PRODUCTS[3]!.id }] } }],
    direct: 'products',
    directOnly: true,
  },
  {
    name: 'mixed-reads',
    traffic: 'identical',
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
    traffic: 'identical',
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

/**
 * The targets `scenario` is measured against, in the order given by `all` (each of our variants
 * right after `ours`): those chosen, but `direct` only where a subgraph answers it alone (and
 * nothing else where only a subgraph does),
 * `ours-cached` only for the cacheable scenarios and `ours-no-authz` only where the scenario
 * measures authorization's cost, so each adds its one measurement and no more.
 */
export function targetsOf(scenario: Scenario, chosen: readonly string[], all: readonly Target[]): Target[] {
  return all.filter(
    (target) =>
      chosen.includes(target) &&
      (target !== 'direct' || scenario.direct !== undefined) &&
      (target === 'direct' || scenario.directOnly !== true) &&
      (target !== 'ours-cached' || scenario.cacheable === true) &&
      (target !== 'ours-no-authz' || scenario.measuresAuthorization === true),
  );
}

/** The distinct-traffic scenarios, reported first: each needs the customers the bench creates at start. */
export const DISTINCT_SCENARIOS = ['canonical-distinct', 'mixed-distinct', 'first-minute'] as const;

/** The first minute after a start, one run reported in two parts: its first seconds, then the rest of it. */
export const FIRST_MINUTE_PHASES = [
  { label: '0–5 s', seconds: 5 },
  { label: '5–60 s', seconds: 55 },
] as const;

/** A customer the bench registered at start, signed in with its own token, and the orders it placed. */
export interface Customer {
  id: string;
  token: string;
  /** Its own orders (at least 5), each of 3 products. */
  orderIds: string[];
}

/**
 * `canonical-distinct`: each customer reads its own orders by id with the canonical query, one
 * after another. `mixed-distinct`: per order of its own, the canonical query, a products page,
 * one product by id and `me { orders }`, all signed in with its own token (a signed-in shopper's
 * storefront sends it on every request), the product ids rotating through `productIds` from a
 * different point per customer. Every request carries its customer's token, so no two requests
 * from different customers are the same request, even where the query text is.
 */
export function distinctScenarios(customers: Customer[], productIds: string[], sdkDocuments: ReadonlyMap<string, string>): Scenario[] {
  if (!customers.length || !productIds.length) throw new Error('distinct scenarios need customers and products');
  const canonicalOf = (orderId: string): Operation => ({ query: CANONICAL, variables: { id: orderId }, signedIn: true });
  return [
    {
      name: 'canonical-distinct',
      traffic: 'distinct',
      description: `canonical query, ${customers.length} customers each reading their own orders by id with their own token`,
      measuresAuthorization: true,
      operations: [],
      scripts: customers.map(({ token, orderIds }) => ({ token, operations: orderIds.map(canonicalOf) })),
    },
    {
      name: 'mixed-distinct',
      traffic: 'distinct',
      description: `mixed reads, ${customers.length} customers each with their own token, orders and product ids`,
      operations: [],
      scripts: customers.map(({ token, orderIds }, customer) => ({
        token,
        operations: orderIds.flatMap((orderId, order) => [
          canonicalOf(orderId),
          { ...productsPage, signedIn: true },
          { query: PRODUCT_BY_ID, variables: { id: productIds[(customer * orderIds.length + order) % productIds.length]! }, signedIn: true },
          { query: MY_ORDERS, signedIn: true },
        ]),
      })),
    },
    {
      name: 'first-minute',
      traffic: 'first-minute',
      description: `the storefront's SDK documents (Order, Products, Product, MyOrders), ${customers.length} customers each with their own token and ids, from a fresh start`,
      operations: [],
      scripts: customers.map(({ token, orderIds }, customer) => ({
        token,
        operations: orderIds.flatMap((orderId, order) => [
          { query: sdkDocument(sdkDocuments, 'Order'), variables: { id: orderId }, signedIn: true },
          { query: sdkDocument(sdkDocuments, 'Products'), variables: { first: 20 }, signedIn: true },
          { query: sdkDocument(sdkDocuments, 'Product'), variables: { id: productIds[(customer * orderIds.length + order) % productIds.length]! }, signedIn: true },
          { query: sdkDocument(sdkDocuments, 'MyOrders'), variables: { first: 5 }, signedIn: true },
        ]),
      })),
    },
  ];
}

/** The text of the SDK's operation `name`, exactly as the SDK sends it (and as our gateway plans it ahead). */
function sdkDocument(documents: ReadonlyMap<string, string>, name: string): string {
  const text = documents.get(name);
  if (!text) throw new Error(`The SDK has no operation named ${name}`);
  return text;
}

/** The SDK's persisted documents (hash → text) by their operation's name. */
export function documentsByOperationName(manifest: Record<string, string>): Map<string, string> {
  return new Map(Object.values(manifest).flatMap((text) => {
    const name = /\b(?:query|mutation|subscription)\s+(\w+)/.exec(text)?.[1];
    return name ? [[name, text] as const] : [];
  }));
}

/**
 * The script each of `connections` connections plays: connection i is customer i % n, and where
 * there are more connections than customers, the later ones start further into their customer's
 * script, so that connections sharing a customer do not start on the same request.
 */
export function connectionScripts(scripts: Script[], connections: number): Script[] {
  return Array.from({ length: connections }, (_, i) => {
    const script = scripts[i % scripts.length]!;
    const shift = Math.floor(i / scripts.length) % script.operations.length;
    return { token: script.token, operations: [...script.operations.slice(shift), ...script.operations.slice(0, shift)] };
  });
}
