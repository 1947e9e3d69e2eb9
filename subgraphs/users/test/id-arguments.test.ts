import { randomUUID } from 'node:crypto';
import { graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { scopesOfRole, type Viewer } from '@shop/service-kit';
import { subgraphSchema, untouchable } from '../../../test/support/id-arguments.js';
import { testLogger } from '../../../test/support/logger.js';
import { resolvers } from '../src/resolvers/index.js';

const schema = subgraphSchema(new URL('../schema.graphql', import.meta.url), resolvers);

const ADMIN: Viewer = { userId: randomUUID(), role: 'ADMIN', scopes: scopesOfRole('ADMIN') };
const CUSTOMER: Viewer = { userId: randomUUID(), role: 'CUSTOMER', scopes: [] };

const context = {
  requestId: 'request-1',
  logger: testLogger('users'),
  viewer: ADMIN,
  loaders: untouchable('loaders'),
  users: untouchable('users'),
  sessions: untouchable('sessions'),
  passwords: untouchable('passwords'),
};

/** Every field of users taking an id a client chooses, as a document with `$id` where that id goes, and whether only admins may use it. */
const FIELDS: [document: string, adminsOnly: boolean][] = [
  ['query ($id: ID!) { user(id: $id) { id } }', false],
  ['mutation ($id: ID!) { setUserRole(id: $id, role: ADMIN) { id } }', true],
  ['mutation ($id: ID!) { deleteUser(id: $id) }', true],
];

const codes = async (document: string, id: string, viewer: Viewer | null) => {
  const { errors } = await graphql({ schema, source: document, variableValues: { id }, contextValue: { ...context, viewer } });
  return errors?.map((error) => error.extensions.code);
};

describe("users' id arguments", () => {
  it.each(FIELDS)('refuses an id that is no uuid as BAD_USER_INPUT naming id, before any work: %s', async (document) => {
    for (const id of ['nope', '', `${randomUUID()} `, 'x'.repeat(10_000)]) {
      const { errors } = await graphql({ schema, source: document, variableValues: { id }, contextValue: context });
      expect(errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'id' }]);
      expect(errors?.[0]?.message.length).toBeLessThan(100);
    }
  });

  // Who asks comes first, as in products and orders: a caller without the right learns nothing from its id's shape.
  it.each(FIELDS)('answers an anonymous caller UNAUTHENTICATED whatever the id, and a customer FORBIDDEN where admins only may: %s', async (document, adminsOnly) => {
    for (const id of ['nope', randomUUID()]) {
      expect(await codes(document, id, null)).toEqual(['UNAUTHENTICATED']);
      if (adminsOnly) expect(await codes(document, id, CUSTOMER)).toEqual(['FORBIDDEN']);
    }
  });
});
