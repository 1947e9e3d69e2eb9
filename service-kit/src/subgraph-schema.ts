import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';

/** A subgraph's executable schema from its schema.graphql (the contract) and its resolvers. */
export function subgraphSchema(schemaFile: URL, resolvers: object) {
  return buildSubgraphSchema({
    typeDefs: parse(readFileSync(schemaFile, 'utf8')),
    // Codegen's resolver types are stricter than the federation helper's map; the shapes agree.
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
}
