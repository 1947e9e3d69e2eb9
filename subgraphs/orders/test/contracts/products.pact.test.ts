import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MatchersV3, type V3MockServer } from '@pact-foundation/pact';
import { SERVICE_CREDENTIAL_HEADER } from '@shop/service-kit';
import { testLogger } from '../../../../test/support/logger.js';
import { consumerContract, UPDATE_COMMAND, type ConsumerContract } from '../../../../test/support/pact.js';
import { createProductsClient } from '../../src/products-client.js';

const { eachLike, integer, like, regex, uuid } = MatchersV3;

/**
 * What orders sends to products' internal stock operations and what it relies on in the answers,
 * recorded by orders' real client against Pact's mock server (contracts/pacts/orders-products.json).
 * products verifies the same file against its real service (subgraphs/products/test/contracts/).
 * Example values are only examples: the matchers say what must hold of any answer.
 */

// The examples the provider states are set up with (products' verification reads them from the pact).
const PRODUCT = '0b7e2c1a-6d1f-4c3e-9a55-3f1d2c4b5a60';
const ORDER = '5c2d9e47-1b3a-4f68-8e0d-7a9b6c5d4e31';
/**
 * A stand-in the verification replaces with products' real credential: the pact holds no secret.
 * Any non-empty credential matches here; a wrong one is its own interaction (FORBIDDEN).
 */
const CREDENTIAL = 'the-service-credential';
const WRONG_CREDENTIAL = 'not-the-service-credential';

// The documents orders' client sends, as it sends them (Pact matches them ignoring whitespace).
const RESERVATION = 'status items { productId quantity unitPrice { amountCents currency } }';
const RESERVE = `mutation ($orderId: ID!, $items: [StockItemInput!]!) { reserveStock(orderId: $orderId, items: $items) { ${RESERVATION} } }`;
const RELEASE = `mutation ($orderId: ID!) { releaseStock(orderId: $orderId) { ${RESERVATION} } }`;
const FIND = `query ($orderId: ID!) { stockReservation(orderId: $orderId) { ${RESERVATION} } }`;

/** A reservation as orders reads it: a status, and per item its product, quantity and price of the moment. */
const reservation = (status: 'RESERVED' | 'RELEASED') => ({
  status,
  items: eachLike({
    productId: uuid(PRODUCT),
    quantity: integer(2),
    unitPrice: { amountCents: integer(1250), currency: regex(/^[A-Z]{3}$/, 'EUR') },
  }),
});

/** A refusal orders passes on (or not) by its code: each error has a message and the code. */
const refusal = (extensions: Record<string, unknown>) => ({
  errors: eachLike({ message: like('refused'), extensions }),
});

const credentialHeader = (credential: string) => ({
  [SERVICE_CREDENTIAL_HEADER]: credential === CREDENTIAL ? regex(/^\S+$/, CREDENTIAL) : credential,
});

describe('contract: orders -> products (consumer)', () => {
  let contract: ConsumerContract;
  beforeAll(async () => {
    contract = await consumerContract('products');
  });
  afterAll(() => contract.cleanup());

  /** orders' real client, pointed at the mock server, as orders' service makes it. */
  const client = (server: V3MockServer, credential = CREDENTIAL) =>
    createProductsClient({
      url: server.url,
      serviceCredential: credential,
      timeoutMs: 5_000,
      breaker: { resetTimeoutMs: 60_000, errorThresholdPercentage: 50, volumeThreshold: 3 },
      logger: testLogger('orders'),
    });

  const reserveRequest = () =>
    contract.pact
      .addGraphQLInteraction()
      .withVariables({ orderId: uuid(ORDER), items: eachLike({ productId: uuid(PRODUCT), quantity: integer(2) }) });

  it('reserves stock and reads each item at its price of the moment', async () => {
    await reserveRequest()
      .given('product P has stock 5', { productId: PRODUCT, stock: 5 })
      .uponReceiving('a stock reservation for an order')
      .withRequest('POST', '/graphql', (request) => request.headers(credentialHeader(CREDENTIAL)))
      .withMutation(RESERVE)
      .willRespondWith(200, (response) => response.jsonBody({ data: { reserveStock: reservation('RESERVED') } }))
      .executeTest(async (server) => {
        const products = client(server);
        try {
          expect(await products.reserveStock(ORDER, [{ productId: PRODUCT, quantity: 2 }])).toEqual({
            status: 'RESERVED',
            items: [{ productId: PRODUCT, quantity: 2, unitPriceCents: 1250, currency: 'EUR' }],
          });
        } finally {
          products.close();
        }
      });
  });

  it('passes INSUFFICIENT_STOCK on with the productId that is short', async () => {
    await reserveRequest()
      .given('product P has stock 1', { productId: PRODUCT, stock: 1 })
      .uponReceiving('a stock reservation for more than the stock')
      .withRequest('POST', '/graphql', (request) => request.headers(credentialHeader(CREDENTIAL)))
      .withMutation(RESERVE)
      .willRespondWith(200, (response) => response.jsonBody(refusal({ code: 'INSUFFICIENT_STOCK', productId: uuid(PRODUCT) })))
      .executeTest(async (server) => {
        const products = client(server);
        try {
          await expect(products.reserveStock(ORDER, [{ productId: PRODUCT, quantity: 2 }])).rejects.toMatchObject({
            extensions: { code: 'INSUFFICIENT_STOCK', productId: PRODUCT },
          });
        } finally {
          products.close();
        }
      });
  });

  it('passes NOT_FOUND on with the productId nobody sells', async () => {
    await reserveRequest()
      .given('product P does not exist', { productId: PRODUCT })
      .uponReceiving('a stock reservation for an unknown product')
      .withRequest('POST', '/graphql', (request) => request.headers(credentialHeader(CREDENTIAL)))
      .withMutation(RESERVE)
      .willRespondWith(200, (response) => response.jsonBody(refusal({ code: 'NOT_FOUND', productId: uuid(PRODUCT) })))
      .executeTest(async (server) => {
        const products = client(server);
        try {
          await expect(products.reserveStock(ORDER, [{ productId: PRODUCT, quantity: 2 }])).rejects.toMatchObject({
            extensions: { code: 'NOT_FOUND', productId: PRODUCT },
          });
        } finally {
          products.close();
        }
      });
  });

  it('is refused (FORBIDDEN) without the service credential, which orders reports as products unavailable', async () => {
    await reserveRequest()
      .given('product P has stock 5', { productId: PRODUCT, stock: 5 })
      .uponReceiving('a stock reservation without the service credential')
      .withRequest('POST', '/graphql', (request) => request.headers(credentialHeader(WRONG_CREDENTIAL)))
      .withMutation(RESERVE)
      .willRespondWith(200, (response) => response.jsonBody(refusal({ code: 'FORBIDDEN' })))
      .executeTest(async (server) => {
        const products = client(server, WRONG_CREDENTIAL);
        try {
          // A refusal of orders itself is no verdict on the order: the client must not pass it on as one.
          await expect(products.reserveStock(ORDER, [{ productId: PRODUCT, quantity: 2 }])).rejects.toMatchObject({
            extensions: { code: 'SERVICE_UNAVAILABLE' },
          });
        } finally {
          products.close();
        }
      });
  });

  it('releases the stock held for an order', async () => {
    await contract.pact
      .addGraphQLInteraction()
      .withVariables({ orderId: uuid(ORDER) })
      .given('order O holds 2 units of product P', { orderId: ORDER, productId: PRODUCT, quantity: 2 })
      .uponReceiving('a stock release for an order')
      .withRequest('POST', '/graphql', (request) => request.headers(credentialHeader(CREDENTIAL)))
      .withMutation(RELEASE)
      .willRespondWith(200, (response) => response.jsonBody({ data: { releaseStock: reservation('RELEASED') } }))
      .executeTest(async (server) => {
        const products = client(server);
        try {
          expect(await products.releaseStock(ORDER)).toEqual({
            status: 'RELEASED',
            items: [{ productId: PRODUCT, quantity: 2, unitPriceCents: 1250, currency: 'EUR' }],
          });
        } finally {
          products.close();
        }
      });
  });

  it("reads an order's reservation (the reconciler's question)", async () => {
    await contract.pact
      .addGraphQLInteraction()
      .withVariables({ orderId: uuid(ORDER) })
      .given('order O holds 2 units of product P', { orderId: ORDER, productId: PRODUCT, quantity: 2 })
      .uponReceiving("a look-up of an order's reservation")
      .withRequest('POST', '/graphql', (request) => request.headers(credentialHeader(CREDENTIAL)))
      .withQuery(FIND)
      .willRespondWith(200, (response) => response.jsonBody({ data: { stockReservation: reservation('RESERVED') } }))
      .executeTest(async (server) => {
        const products = client(server);
        try {
          expect(await products.findReservation(ORDER)).toEqual({
            status: 'RESERVED',
            items: [{ productId: PRODUCT, quantity: 2, unitPriceCents: 1250, currency: 'EUR' }],
          });
        } finally {
          products.close();
        }
      });
  });

  it('reads null for an order products never heard of', async () => {
    await contract.pact
      .addGraphQLInteraction()
      .withVariables({ orderId: uuid(ORDER) })
      .given('no stock was ever reserved for order O', { orderId: ORDER })
      .uponReceiving("a look-up of an unknown order's reservation")
      .withRequest('POST', '/graphql', (request) => request.headers(credentialHeader(CREDENTIAL)))
      .withQuery(FIND)
      .willRespondWith(200, (response) => response.jsonBody({ data: { stockReservation: null } }))
      .executeTest(async (server) => {
        const products = client(server);
        try {
          expect(await products.findReservation(ORDER)).toBeNull();
        } finally {
          products.close();
        }
      });
  });

  it('wrote the pact that is committed in contracts/pacts/', async () => {
    const { generated, committed } = await contract.compareWithCommitted();
    expect(committed, `contracts/pacts/orders-products.json is missing; write it with ${UPDATE_COMMAND}`).toBeDefined();
    expect(generated, `orders' contract with products changed; if that is deliberate, update the pact with ${UPDATE_COMMAND} and have products verify it`).toBe(committed);
  });
});
