import { randomUUID } from 'node:crypto';
import { graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { scopesOfRole, type Viewer } from '@shop/service-kit';
import { subgraphSchema, untouchable } from '../../../test/support/id-arguments.js';
import { testLogger } from '../../../test/support/logger.js';
import { resolvers } from '../src/resolvers/index.js';

const schema = subgraphSchema(new URL('../schema.graphql', import.meta.url), resolvers);

const ADMIN: Viewer = { userId: randomUUID(), role: 'ADMIN', scopes: scopesOfRole('ADMIN') };

const context = {
  requestId: 'request-1',
  logger: testLogger('orders'),
  viewer: ADMIN,
  loaders: untouchable('loaders'),
  orders: untouchable('orders'),
  checkout: untouchable('checkout'),
  lifecycle: untouchable('lifecycle'),
  webhooks: untouchable('webhooks'),
  requireAccount: () => expect.fail('users was asked about an order with a malformed product id'),
};

/** Every field of orders taking an id a client chooses, as a document with `$id` where that id goes, and the argument named in the refusal. */
const FIELDS: [document: string, field: string][] = [
  ['query ($id: ID!) { order(id: $id) { id } }', 'id'],
  ['query ($id: ID!) { webhook(id: $id) { id } }', 'id'],
  ['query ($id: ID!) { webhookDeliveries(webhookId: $id) { totalCount } }', 'webhookId'],
  ['mutation ($id: ID!) { updateOrderStatus(id: $id, status: PAID) { id } }', 'id'],
  ['mutation ($id: ID!) { cancelOrder(id: $id) { id } }', 'id'],
  ['mutation ($id: ID!) { disableWebhook(id: $id) { id } }', 'id'],
  ['mutation ($id: ID!) { enableWebhook(id: $id) { id } }', 'id'],
  ['mutation ($id: ID!) { deleteWebhook(id: $id) }', 'id'],
  ['mutation ($id: ID!) { rotateWebhookSecret(id: $id) { secret } }', 'id'],
  ['mutation ($id: ID!) { redeliverWebhookDelivery(id: $id) { id } }', 'id'],
  [
    'mutation ($id: ID!) { createOrder(input: { idempotencyKey: "k", items: [{ productId: "00000000-0000-4000-a000-000000000001", quantity: 1 }, { productId: $id, quantity: 1 }] }) { id } }',
    'items.1.productId',
  ],
];

/** Who may use each field of FIELDS (by document): everyone signed in, or admins only. */
const ADMINS_ONLY = /webhook|updateOrderStatus/i;
const CUSTOMER: Viewer = { userId: randomUUID(), role: 'CUSTOMER', scopes: [] };

describe("orders' id arguments", () => {
  it.each(FIELDS)('refuses an id that is no uuid as BAD_USER_INPUT naming the argument, before any work: %s', async (document, field) => {
    for (const id of ['nope', '', `${randomUUID()} `, 'x'.repeat(10_000)]) {
      const { errors } = await graphql({ schema, source: document, variableValues: { id }, contextValue: context });
      expect(errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field }]);
      // The client chose the value and its length: the message does not carry it back.
      expect(errors?.[0]?.message.length).toBeLessThan(100);
    }
  });

  // Who asks comes first, as in products and users: an anonymous caller learns nothing from its id's shape.
  it.each(FIELDS)('answers an anonymous caller UNAUTHENTICATED whatever the id, and a customer FORBIDDEN where admins only may: %s', async (document) => {
    for (const id of ['nope', randomUUID()]) {
      const anonymous = await graphql({ schema, source: document, variableValues: { id }, contextValue: { ...context, viewer: null } });
      expect(anonymous.errors?.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
    }
    if (ADMINS_ONLY.test(document)) {
      const customer = await graphql({ schema, source: document, variableValues: { id: 'nope' }, contextValue: { ...context, viewer: CUSTOMER } });
      expect(customer.errors?.map((error) => error.extensions.code)).toEqual(['FORBIDDEN']);
    }
  });
});
