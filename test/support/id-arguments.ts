import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import { expect } from 'vitest';

/** A subgraph's schema from its schema.graphql and resolvers, to run documents against in process. */
export function subgraphSchema(schemaFile: URL, resolvers: unknown): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs: parse(readFileSync(schemaFile, 'utf8')),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
}

/** A part of the context that fails the test when anything of it is called: a refused id costs no work. */
export function untouchable(name: string): object {
  return new Proxy(() => {}, {
    get: (_target, property) => untouchable(`${name}.${String(property)}`),
    apply: () => expect.fail(`${name} was called for an id that is no uuid`),
  });
}
