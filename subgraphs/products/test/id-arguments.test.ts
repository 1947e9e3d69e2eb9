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
  logger: testLogger('products'),
  viewer: ADMIN,
  internalCaller: true,
  loaders: untouchable('loaders'),
  products: untouchable('products'),
  stock: untouchable('stock'),
};

/** Every field of products taking an id, as a document with `$id` where that id goes, and the argument named in the refusal. */
const FIELDS: [document: string, field: string][] = [
  ['query ($id: ID!) { product(id: $id) { id } }', 'id'],
  ['mutation ($id: ID!) { updateProduct(id: $id, input: { stock: 1 }) { id } }', 'id'],
  // Internal (orders calls it with its own ids), refused the same way.
  ['query ($id: ID!) { stockReservation(orderId: $id) { status } }', 'orderId'],
];

describe("products' id arguments", () => {
  it.each(FIELDS)('refuses an id that is no uuid as BAD_USER_INPUT naming the argument, before any work: %s', async (document, field) => {
    for (const id of ['nope', '', `${randomUUID()} `, 'x'.repeat(10_000)]) {
      const { errors } = await graphql({ schema, source: document, variableValues: { id }, contextValue: context });
      expect(errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field }]);
      // The client chose the value and its length: the message does not carry it back.
      expect(errors?.[0]?.message.length).toBeLessThan(100);
    }
  });

  it('still answers null for a well-formed id of no product (DESIGN.md §2), in any letter case', async () => {
    const asked: string[] = [];
    const loaders = {
      productById: {
        load: async (id: string) => {
          asked.push(id);
          return null;
        },
      },
    };
    const id = randomUUID();
    const result = await graphql({ schema, source: 'query ($id: ID!) { product(id: $id) { id } }', variableValues: { id: id.toUpperCase() }, contextValue: { ...context, loaders } });
    expect(result).toEqual({ data: { product: null } });
    expect(asked).toEqual([id]);
  });

  // Who asks comes first, as in orders and users: a caller without the right learns nothing from its id's shape.
  it('answers updateProduct from an anonymous caller UNAUTHENTICATED and from a customer FORBIDDEN, whatever the id', async () => {
    const source = 'mutation ($id: ID!) { updateProduct(id: $id, input: { stock: 1 }) { id } }';
    for (const [viewer, code] of [[null, 'UNAUTHENTICATED'], [{ userId: randomUUID(), role: 'CUSTOMER', scopes: [] }, 'FORBIDDEN']] as const) {
      for (const id of ['nope', randomUUID()]) {
        const { errors } = await graphql({ schema, source, variableValues: { id }, contextValue: { ...context, viewer } });
        expect(errors?.map((error) => error.extensions.code)).toEqual([code]);
      }
    }
  });
});
