import { buildASTSchema, executeSync, parse, printSchema, type DocumentNode } from 'graphql';
import { expect } from 'vitest';
import type { ExecutionAnswer } from '../../src/authorization/complete.js';
import { shop } from './fixture.js';

const ann = { __typename: 'User', id: 'u1', name: 'Ann', email: 'ann@example.com', profile: { bio: 'hi', ssn: '111' }, friends: [], invoices: [{ id: 'i1', total: 10 }] };
const bob = { __typename: 'User', id: 'u2', name: 'Bob', email: 'bob@example.com', profile: { bio: 'yo', ssn: '222' }, friends: [ann], invoices: [] };
/**
 * Everything the subgraphs hold, by field name: an answer to any document is what graphql-js's
 * default resolvers read from it, keyed by response key, as @apollo/gateway answers a planned
 * document. Abstract values say their __typename.
 */
export const WORLD = {
  public: 'hello',
  count: 2,
  me: ann,
  users: [ann, bob],
  user: bob,
  admin: 'root',
  secret: 's3cr3t',
  level: 'HIGH',
  node: ann,
  named: [{ __typename: 'User', name: 'Ann' }, { __typename: 'Pet', name: 'Rex' }, { __typename: 'User', name: 'Bob' }],
  flagged: 'flag',
  flaggedBoth: 'both',
  search: [ann, { __typename: 'Invoice', id: 'i1', total: 10 }, bob, { __typename: 'Invoice', id: 'i2', total: 20 }],
  publicAction: true,
  protectedAction: true,
  adminAction: true,
};
/** The API schema with graphql-js's default resolvers: what the subgraphs together answer. */
export const WORLD_SCHEMA = buildASTSchema(parse(printSchema(shop.apiSchema)));

/** What @apollo/gateway would answer to `document`, as a plain execution result. */
export function answerTo(document: DocumentNode, variables: Record<string, unknown> = {}, operationName?: string): ExecutionAnswer {
  const result = executeSync({ schema: WORLD_SCHEMA, document, rootValue: WORLD, variableValues: variables, operationName });
  expect(result.errors ?? []).toEqual([]);
  return { data: result.data };
}

