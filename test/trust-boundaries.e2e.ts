import { afterAll, describe, expect } from 'vitest';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { SERVICE_CREDENTIAL_HEADER } from '@shop/service-kit';
import { MeDocument, OrdersDocument, ProductDocument } from '@shop/sdk';
import { signingKeyFromPem, type SigningKey } from '../subgraphs/users/src/signing-key.js';
import { SERVICE_CREDENTIAL, SUBGRAPHS, type Stack, type SubgraphName } from './support/stack.js';
import { test } from './support/fixtures.js';
import { errorCodes, graphql, type GraphQLResponse } from './support/graphql.js';
import { createOrder, createProduct, newCustomer } from './support/checkout.js';
import { startExtraGateway } from './support/extra-gateway.js';
import { newSigningKeyPem, signToken, unsignedToken } from './support/tokens.js';

/** Identity headers a client might add, hoping some service believes them. */
const identityHeaders = (adminId: string): Record<string, string> => ({
  'x-user-id': adminId,
  'x-role': 'ADMIN',
  'x-user-role': 'ADMIN',
  'x-viewer': JSON.stringify({ userId: adminId, role: 'ADMIN' }),
  'x-user': JSON.stringify({ id: adminId, role: 'ADMIN' }),
  'x-forwarded-user': adminId,
  'x-auth-request-user': adminId,
  'x-admin': 'true',
});

// The documents each service is asked directly, as well as through the gateway: every one must
// check the caller itself, so the same document goes to both (the SDK's are the gateway's API).
type Me = { me: { id: string; role?: string } | null };
type OrderCount = { orders: { totalCount: number } };
const CREATE_PRODUCT = 'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }';
const NEW_PRODUCT = { input: { name: 'Smuggled', description: '', priceCents: 100, currency: 'EUR', stock: 1 } };
const RESERVE = 'mutation ($orderId: ID!, $items: [StockItemInput!]!) { reserveStock(orderId: $orderId, items: $items) { status } }';
const RELEASE = 'mutation ($orderId: ID!) { releaseStock(orderId: $orderId) { status } }';
const FIND = 'query ($orderId: ID!) { stockReservation(orderId: $orderId) { status } }';

/** users' signing key: the file's stack is started with it, so a test can sign tokens users would. */
const SIGNING_KEY_PEM = newSigningKeyPem();

interface Ids {
  aliceId: string;
  adminId: string;
}

const it = test
  .extend('stackOptions', { scope: 'file' }, { signingKeyPem: SIGNING_KEY_PEM })
  .extend('usersKey', { scope: 'file' }, () => signingKeyFromPem(SIGNING_KEY_PEM))
  /** The users behind the demo customer's and admin's tokens. */
  .extend('ids', { scope: 'file' }, async ({ shop: { stack, alice, admin } }): Promise<Ids> => ({
    aliceId: (await graphql(stack.gatewayUrl, MeDocument, { token: alice })).data!.me!.id,
    adminId: (await graphql(stack.gatewayUrl, MeDocument, { token: admin })).data!.me!.id,
  }))
  /**
   * A validly signed token naming no user. Users cannot be deleted (no such mutation); this is what
   * a deleted account would leave, e.g. after the users database was restored from a backup.
   */
  .extend('ghost', { scope: 'file' }, async ({ usersKey }) => {
    const id = randomUUID();
    return { id, token: await signToken(usersKey.privateKey, usersKey.kid, { sub: id, role: 'CUSTOMER' }) };
  })
  /** The gateway and each subgraph, called directly: every one must check the token itself. */
  .extend('services', ({ stack }): [string, string][] => [['gateway', stack.gatewayUrl], ...SUBGRAPHS.map((name): [string, string] => [name, stack.urls[name]])]);

describe('trust boundaries', () => {
  describe('tokens', () => {
    const badTokens: [string, (usersKey: SigningKey, ids: Ids) => Promise<string>][] = [
      ['signed with another key under users\' kid', async (usersKey, { adminId }) => signToken(createPrivateKey(newSigningKeyPem()), usersKey.kid, { sub: adminId, role: 'ADMIN' })],
      ['with alg none and no signature', async (_usersKey, { adminId }) => unsignedToken({ sub: adminId, role: 'ADMIN' })],
      ['that has expired', (usersKey, { aliceId }) => signToken(usersKey.privateKey, usersKey.kid, { sub: aliceId, role: 'CUSTOMER', exp: Math.floor(Date.now() / 1000) - 60 })],
      ['from another issuer', (usersKey, { aliceId }) => signToken(usersKey.privateKey, usersKey.kid, { sub: aliceId, role: 'CUSTOMER', iss: 'someone-else' })],
      ['for another audience', (usersKey, { aliceId }) => signToken(usersKey.privateKey, usersKey.kid, { sub: aliceId, role: 'CUSTOMER', aud: 'another-api' })],
      ['with a role that does not exist', (usersKey, { aliceId }) => signToken(usersKey.privateKey, usersKey.kid, { sub: aliceId, role: 'ROOT' })],
    ];

    it('accepts a token signed with users\' key at the gateway and at each subgraph (the control for the refusals below)', async ({ shop: { stack }, usersKey, ids: { aliceId }, services }) => {
      const token = await signToken(usersKey.privateKey, usersKey.kid, { sub: aliceId, role: 'CUSTOMER' });
      for (const [, url] of services) {
        const response = await graphql(url, '{ __typename }', { token });
        expect(response.status).toBe(200);
        expect(response.errors).toBeUndefined();
      }
      expect((await graphql(stack.gatewayUrl, MeDocument, { token })).data!.me!.id).toBe(aliceId);
    });

    it.for(badTokens)('refuses a token %s with 401 UNAUTHENTICATED at the gateway and at each subgraph', async ([, makeToken], { usersKey, ids, services }) => {
      const token = await makeToken(usersKey, ids);
      for (const [name, url] of services) {
        // A public query: only the token check can refuse it.
        const response = await graphql(url, '{ __typename }', { token });
        expect({ name, status: response.status, codes: errorCodes(response) }).toEqual({ name, status: 401, codes: ['UNAUTHENTICATED'] });
      }
    });
  });

  describe('a token whose user does not exist', () => {
    it('answers me with null, as for no sign-in, at the gateway and at users', async ({ shop: { stack }, ghost }) => {
      for (const url of [stack.gatewayUrl, stack.urls.users]) {
        const me = await graphql<Me>(url, '{ me { id } }', { token: ghost.token });
        expect(me.errors).toBeUndefined();
        expect(me.data!.me).toBeNull();
      }
    });

    it('refuses createOrder with UNAUTHENTICATED, at the gateway and at orders, and stores no order', async ({ shop: { stack, admin }, ghost }) => {
      const productId = await createProduct(stack.gatewayUrl, admin, { stock: 5 });
      const items = [{ productId, quantity: 1 }];
      expect(errorCodes(await createOrder(stack.gatewayUrl, ghost.token, items))).toEqual(['UNAUTHENTICATED']);
      const direct = await graphql(stack.urls.orders, 'mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id } }', {
        token: ghost.token,
        variables: { input: { items, idempotencyKey: randomUUID() } },
      });
      expect(errorCodes(direct)).toEqual(['UNAUTHENTICATED']);
      const stored = await stack.dbs.orders.query<{ count: number }>('SELECT count(*)::int AS count FROM orders WHERE user_id = $1', [ghost.id]);
      expect(stored[0]?.count).toBe(0);
      expect((await graphql(stack.gatewayUrl, ProductDocument, { variables: { id: productId } })).data!.product!.stock).toBe(5);
    });
  });

  describe('identity headers', () => {
    it('change nothing without a token, at the gateway and at each subgraph', async ({ shop: { stack }, ids: { adminId } }) => {
      const headers = identityHeaders(adminId);
      for (const url of [stack.gatewayUrl, stack.urls.users]) {
        expect((await graphql<Me>(url, '{ me { id } }', { headers })).data!.me).toBeNull();
      }
      for (const url of [stack.gatewayUrl, stack.urls.products]) {
        expect(errorCodes(await graphql(url, CREATE_PRODUCT, { headers, variables: NEW_PRODUCT }))).toEqual(['UNAUTHENTICATED']);
      }
      for (const url of [stack.gatewayUrl, stack.urls.orders]) {
        expect(errorCodes(await graphql(url, '{ orders { totalCount } }', { headers }))).toEqual(['UNAUTHENTICATED']);
      }
    });

    it('change nothing beside a customer\'s token: the token alone says who is asking', async ({ shop: { stack, alice, admin }, ids: { aliceId, adminId } }) => {
      const headers = identityHeaders(adminId);
      const ownOrders = (await graphql(stack.gatewayUrl, OrdersDocument, { token: alice })).data!.orders.totalCount;
      const allOrders = (await graphql(stack.gatewayUrl, OrdersDocument, { token: admin })).data!.orders.totalCount;
      expect(allOrders).toBeGreaterThan(ownOrders);
      for (const url of [stack.gatewayUrl, stack.urls.users]) {
        expect((await graphql<Me>(url, '{ me { id role } }', { token: alice, headers })).data!.me).toEqual({ id: aliceId, role: 'CUSTOMER' });
        expect(errorCodes(await graphql(url, 'query ($id: ID!) { user(id: $id) { email } }', { token: alice, headers, variables: { id: adminId } }))).toEqual(['FORBIDDEN']);
      }
      for (const url of [stack.gatewayUrl, stack.urls.products]) {
        expect(errorCodes(await graphql(url, CREATE_PRODUCT, { token: alice, headers, variables: NEW_PRODUCT }))).toEqual(['FORBIDDEN']);
      }
      for (const url of [stack.gatewayUrl, stack.urls.orders]) {
        expect((await graphql<OrderCount>(url, '{ orders { totalCount } }', { token: alice, headers })).data!.orders.totalCount).toBe(ownOrders);
      }
    });
  });

  describe('internal operations', () => {
    const calls: [string, string, (orderId: string, productId: string) => Record<string, unknown>][] = [
      ['reserveStock', RESERVE, (orderId, productId) => ({ orderId, items: [{ productId, quantity: 1 }] })],
      ['releaseStock', RELEASE, (orderId) => ({ orderId })],
      ['stockReservation', FIND, (orderId) => ({ orderId })],
    ];

    it.for(calls)('keeps %s out of the gateway: a validation error, even for an admin presenting the credential', async ([field, query, variables], { shop: { stack, admin } }) => {
      const productId = await createProduct(stack.gatewayUrl, admin, { stock: 5 });
      const response = await graphql(stack.gatewayUrl, query, {
        token: admin,
        headers: { [SERVICE_CREDENTIAL_HEADER]: SERVICE_CREDENTIAL },
        variables: variables(randomUUID(), productId),
      });
      expect(response.status).toBe(400);
      expect(new Set(errorCodes(response))).toEqual(new Set(['BAD_USER_INPUT']));
      expect(response.errors?.map((error) => error.message).join(' ')).toContain(`Cannot query field "${field}"`);
      expect(response.data).toBeUndefined();
    });

    it.for(calls)('answers %s at products only to the service credential, never to a user token, admin or not', async ([field, query, variables], { shop: { stack, alice, admin }, ids: { adminId } }) => {
      const productId = await createProduct(stack.gatewayUrl, admin, { stock: 5 });
      const orderId = randomUUID();
      const refused: { token?: string; headers?: Record<string, string> }[] = [
        {},
        { token: alice },
        { token: admin },
        { token: admin, headers: identityHeaders(adminId) },
        { token: admin, headers: { [SERVICE_CREDENTIAL_HEADER]: 'wrong-credential' } },
        { headers: { [SERVICE_CREDENTIAL_HEADER]: `${SERVICE_CREDENTIAL}x` } },
        { headers: { [SERVICE_CREDENTIAL_HEADER]: '' } },
      ];
      for (const caller of refused) {
        const response = await graphql(stack.urls.products, query, { ...caller, variables: variables(orderId, productId) });
        expect({ caller, codes: errorCodes(response) }).toEqual({ caller, codes: ['FORBIDDEN'] });
      }
      const stockNow = (await graphql(stack.gatewayUrl, ProductDocument, { variables: { id: productId } })).data!.product!.stock;
      expect(stockNow).toBe(5);
      const allowed = await graphql(stack.urls.products, query, { headers: { [SERVICE_CREDENTIAL_HEADER]: SERVICE_CREDENTIAL }, variables: variables(orderId, productId) });
      expect(allowed.errors).toBeUndefined();
      expect(allowed.data).toHaveProperty(field);
    });
  });
});

/*
 * The shop's declared authorization (issue 32), one request per cell: anonymous, alice, bob (another
 * customer) and the admin against each guarded field, in filter mode (this file's gateway) and in
 * reject mode (a second gateway on the same subgraphs). Each request carries its own x-request-id,
 * which the gateway passes to every subgraph call (and orders to products), so a subgraph's share
 * of one cell is counted exactly, apart from the gateway's own polls.
 */
type Person = 'anonymous' | 'alice' | 'bob' | 'admin';
type Path = (string | number)[];
const PEOPLE: Person[] = ['anonymous', 'alice', 'bob', 'admin'];
const SIGNED_IN: Person[] = ['alice', 'bob', 'admin'];
const codeOf = (person: Person) => (person === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');

/** What the matrix needs beside the file's stack: bob, alice's id and an order of hers (PENDING), a product, and a gateway in reject mode. */
interface MatrixSetup {
  tokens: Record<Person, string | undefined>;
  aliceId: string;
  orderId: string;
  productId: string;
  rejectingUrl: string;
  stopRejecting: () => Promise<void>;
}

interface ShopRow {
  name: string;
  query: string;
  variables?: (setup: MatrixSetup) => Record<string, unknown>;
  /** The guarded root field (its response key): the path of the error when it is denied. */
  field: string;
  /** Whom the gateway lets through. */
  allowed: Person[];
  /** Filter mode's data when it is denied (null for a non-null field: the whole of data is). */
  denied: unknown;
  /** Subgraphs that serve the guarded field: asked nothing when it is denied. */
  guarded: SubgraphName[];
  /** Subgraphs that serve the rest of the document: asked all the same in filter mode. */
  rest?: SubgraphName[];
  /** The answer to one let through (the subgraph's own check may still refuse). */
  answer: (person: Person, setup: MatrixSetup) => { data: unknown; errors?: { path: Path; code: string }[] };
  /** A mutation: denied its root field, it is refused whole in filter mode too, so nothing of it writes. */
  mutation?: true;
}

const SHOP_ROWS: ShopRow[] = [
  {
    name: '@authenticated Query.orders (non-null)',
    query: '{ orders(first: 1) { totalCount } }',
    field: 'orders',
    allowed: SIGNED_IN,
    denied: null,
    guarded: ['orders'],
    answer: () => ({ data: { orders: { totalCount: expect.any(Number) } } }),
  },
  {
    name: '@authenticated Query.order, of the @authenticated type Order',
    query: 'query ($id: ID!) { order(id: $id) { id status } }',
    variables: ({ orderId }) => ({ id: orderId }),
    field: 'order',
    allowed: SIGNED_IN,
    denied: { order: null },
    guarded: ['orders'],
    // Signed in is all the gateway knows: whose order it is, orders checks (its second line).
    answer: (person, { orderId }) =>
      person === 'bob' ? { data: { order: null }, errors: [{ path: ['order'], code: 'FORBIDDEN' }] } : { data: { order: { id: orderId, status: expect.any(String) } } },
  },
  {
    name: '@authenticated Query.user',
    query: 'query ($id: ID!) { user(id: $id) { name } }',
    variables: ({ aliceId }) => ({ id: aliceId }),
    field: 'user',
    allowed: SIGNED_IN,
    denied: { user: null },
    guarded: ['users'],
    // Another user's account: users' own check refuses bob.
    answer: (person) => (person === 'bob' ? { data: { user: null }, errors: [{ path: ['user'], code: 'FORBIDDEN' }] } : { data: { user: { name: expect.any(String) } } }),
  },
  {
    name: '@authenticated Mutation.createOrder',
    query: 'mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id } }',
    variables: ({ productId }) => ({ input: { items: [{ productId, quantity: 1 }], idempotencyKey: randomUUID() } }),
    field: 'createOrder',
    allowed: SIGNED_IN,
    denied: null,
    guarded: ['orders', 'products'],
    answer: () => ({ data: { createOrder: { id: expect.any(String) } } }),
    mutation: true,
  },
  {
    name: '@requiresScopes(catalogue:write) Mutation.createProduct',
    query: CREATE_PRODUCT,
    variables: () => NEW_PRODUCT,
    field: 'createProduct',
    allowed: ['admin'],
    denied: null,
    guarded: ['products'],
    answer: () => ({ data: { createProduct: { id: expect.any(String) } } }),
    mutation: true,
  },
  {
    name: '@requiresScopes(orders:write:any) Mutation.updateOrderStatus',
    query: 'mutation ($id: ID!) { updateOrderStatus(id: $id, status: PAID) { id status } }',
    variables: ({ orderId }) => ({ id: orderId }),
    field: 'updateOrderStatus',
    allowed: ['admin'],
    denied: null,
    guarded: ['orders'],
    answer: (_person, { orderId }) => ({ data: { updateOrderStatus: { id: orderId, status: 'PAID' } } }),
    mutation: true,
  },
  {
    name: '@requiresScopes(users:admin) Query.users',
    query: '{ users(first: 1) { totalCount } }',
    field: 'users',
    allowed: ['admin'],
    denied: null,
    guarded: ['users'],
    answer: () => ({ data: { users: { totalCount: expect.any(Number) } } }),
  },
  {
    name: '@requiresScopes(webhooks:admin) Query.webhooks, beside the public catalogue',
    query: '{ webhooks(first: 1) { totalCount } products(first: 1) { totalCount } }',
    field: 'webhooks',
    allowed: ['admin'],
    // webhooks is non-null: its null takes the whole of data, though products was asked.
    denied: null,
    guarded: ['orders'],
    rest: ['products'],
    answer: () => ({ data: { webhooks: { totalCount: expect.any(Number) }, products: { totalCount: expect.any(Number) } } }),
  },
  {
    name: '@requiresScopes(webhooks:admin) the type Webhook, through Query.webhook',
    query: 'query ($id: ID!) { webhook(id: $id) { id url } }',
    variables: () => ({ id: randomUUID() }),
    field: 'webhook',
    allowed: ['admin'],
    denied: { webhook: null },
    guarded: ['orders'],
    answer: () => ({ data: { webhook: null } }),
  },
];

/** The reject-mode gateway is started by the first cell that needs the setup, and stopped after the block. */
let matrixSetup: Promise<MatrixSetup> | undefined;
function setupOf({ stack, alice, admin }: { stack: Stack; alice: string; admin: string }): Promise<MatrixSetup> {
  matrixSetup ??= (async () => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 1000 });
    const placed = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }]);
    const aliceId = (await graphql(stack.gatewayUrl, MeDocument, { token: alice })).data!.me!.id;
    if (!placed.data?.createOrder) throw new Error(`alice's order failed: ${JSON.stringify(placed.errors)}`);
    const { gateway: rejecting, url: rejectingUrl } = await startExtraGateway(stack, 'gateway-reject', { AUTHORIZATION_MODE: 'reject' });
    return {
      tokens: { anonymous: undefined, alice, bob: await newCustomer(stack.gatewayUrl), admin },
      aliceId,
      orderId: placed.data.createOrder.id,
      productId,
      rejectingUrl,
      stopRejecting: () => rejecting.stop(),
    };
  })();
  return matrixSetup;
}

/** One request through `gatewayUrl` under a request id of its own, and how many requests of it each subgraph received. */
async function askCounted(stack: Stack, gatewayUrl: string, query: string, options: { token?: string; variables?: Record<string, unknown> }) {
  const requestId = `authorization-matrix-${randomUUID()}`;
  const response: GraphQLResponse = await graphql(gatewayUrl, query, { ...options, headers: { 'x-request-id': requestId } });
  const asked = (name: SubgraphName) => stack.requests[name].filter((headers) => headers['x-request-id'] === requestId).length > 0;
  return { response, asked };
}

const errorsAt = (response: GraphQLResponse) => (response.errors ?? []).map((error) => ({ path: error.path ?? null, code: error.extensions?.code }));

describe('declared authorization of the shop (issue 32)', () => {
  afterAll(async () => {
    const setup = await matrixSetup?.catch(() => undefined);
    await setup?.stopRejecting();
  });

  /** A refusal of the whole operation: no data, the denied root field's error, 401 or 403, and no subgraph asked. */
  const refusal = (person: Person, row: ShopRow) => ({
    status: person === 'anonymous' ? 401 : 403,
    data: undefined,
    errors: [{ path: [row.field], code: codeOf(person) }],
    asked: { users: false, products: false, orders: false },
  });

  const filterCells = SHOP_ROWS.flatMap((row) => PEOPLE.map((person) => [row.name, person, row] as const));
  it.for(filterCells)('filter mode: %s, as %s', async ([, person, row], { shop }) => {
    const setup = await setupOf(shop);
    const { response, asked } = await askCounted(shop.stack, shop.stack.gatewayUrl, row.query, { token: setup.tokens[person], ...(row.variables ? { variables: row.variables(setup) } : {}) });
    const letThrough = row.allowed.includes(person);
    if (!letThrough && row.mutation) {
      expect({ status: response.status, data: response.data, errors: errorsAt(response), asked: Object.fromEntries(SUBGRAPHS.map((name) => [name, asked(name)])) }).toEqual(refusal(person, row));
      return;
    }
    const answer = letThrough ? row.answer(person, setup) : { data: row.denied, errors: [{ path: [row.field], code: codeOf(person) }] };
    const subgraphs = [...row.guarded, ...(row.rest ?? [])];
    expect({ status: response.status, data: response.data, errors: errorsAt(response), asked: Object.fromEntries(subgraphs.map((name) => [name, asked(name)])) }).toEqual({
      status: 200,
      data: answer.data,
      errors: answer.errors ?? [],
      asked: Object.fromEntries([...row.guarded.map((name) => [name, letThrough]), ...(row.rest ?? []).map((name) => [name, true])]),
    });
  });

  // Reject mode: every cell the gateway denies, and the reads it lets through (a write would happen twice).
  const rejectCells = SHOP_ROWS.flatMap((row) => PEOPLE.filter((person) => !row.allowed.includes(person) || !row.mutation).map((person) => [row.name, person, row] as const));
  it.for(rejectCells)('reject mode: %s, as %s', async ([, person, row], { shop }) => {
    const setup = await setupOf(shop);
    const { response, asked } = await askCounted(shop.stack, setup.rejectingUrl, row.query, { token: setup.tokens[person], ...(row.variables ? { variables: row.variables(setup) } : {}) });
    const actual = { status: response.status, data: response.data, errors: errorsAt(response), asked: Object.fromEntries(SUBGRAPHS.map((name) => [name, asked(name)])) };
    if (row.allowed.includes(person)) {
      const answer = row.answer(person, setup);
      expect({ ...actual, asked: undefined }).toEqual({ status: 200, data: answer.data, errors: answer.errors ?? [], asked: undefined });
    } else {
      expect(actual).toEqual(refusal(person, row));
    }
  });

  // A guarded field inside a mutation's answer is nulled like any other in filter mode: the mutation runs.
  it('answers an anonymous register that selects the new user\'s orders, without asking orders for them', async ({ shop }) => {
    const setup = await setupOf(shop);
    const query = 'mutation ($input: RegisterInput!) { register(input: $input) { user { name orders(first: 1) { totalCount } } } }';
    const variables = () => ({ input: { email: `matrix-${randomUUID()}@example.com`, password: 'matrix-password', name: 'Matrix' } });
    const filtered = await askCounted(shop.stack, shop.stack.gatewayUrl, query, { variables: variables() });
    expect({ data: filtered.response.data, errors: errorsAt(filtered.response), users: filtered.asked('users'), orders: filtered.asked('orders') }).toEqual({
      data: { register: { user: { name: 'Matrix', orders: null } } },
      errors: [{ path: ['register', 'user', 'orders'], code: 'UNAUTHENTICATED' }],
      users: true,
      orders: false,
    });
    const rejected = await askCounted(shop.stack, setup.rejectingUrl, query, { variables: variables() });
    expect({ status: rejected.response.status, data: rejected.response.data, errors: errorsAt(rejected.response), users: rejected.asked('users') }).toEqual({
      status: 401,
      data: undefined,
      errors: [{ path: ['register', 'user', 'orders'], code: 'UNAUTHENTICATED' }],
      users: false,
    });
  });
});
