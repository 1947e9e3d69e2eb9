import { Kind, parse, type DocumentNode } from 'graphql';
import { responseKey, rootFields } from './root-fields.js';
import type { GraphQLDataSource } from '@apollo/gateway';

/** The answer type of @apollo/gateway's data sources (its own copy of the gateway interface's types). */
export type SubgraphAnswer = Awaited<ReturnType<GraphQLDataSource['process']>>;

/**
 * What a subgraph "answers" when it cannot be reached: no data and one SERVICE_UNAVAILABLE
 * error per place the client asked it to fill, with a path the gateway maps to the client's:
 *
 * - an entity fetch (`_entities(representations: …)`): `['_entities', i]` per representation,
 *   which @apollo/gateway turns into that entity's path in the client's response (e.g.
 *   `order.items.1.product`, `order.user`) — so each null cross-service field carries its error;
 * - a root fetch (the client's own query or mutation fields): `[field]` per root field asked,
 *   which the gateway prefixes with nothing, so a mutation's error sits on the mutation.
 *
 * Thrown instead, the error would reach the client once and without any path.
 */
export function unavailableAnswer(subgraph: string, request: { query?: string; variables?: Record<string, unknown> }): SubgraphAnswer {
  const error = (path: (string | number)[] | undefined) => ({
    message: `The ${subgraph} service is unavailable; try again shortly`,
    ...(path ? { path } : {}),
    extensions: { code: 'SERVICE_UNAVAILABLE' },
  });
  const representations = request.variables?.representations;
  if (Array.isArray(representations)) return { data: null, errors: representations.map((_, index) => error(['_entities', index])) };
  // The gateway hands data sources the fetch's text only (its parsed form is opt-in), so parse it:
  // once per failed call, from the planner, so it parses.
  const fields = request.query ? rootResponseNames(parse(request.query)) : [];
  return { data: null, errors: fields.length > 0 ? fields.map((field) => error([field])) : [error(undefined)] };
}

/** The response names of the operation's root fields (the planner may put some in fragments). */
function rootResponseNames(document: DocumentNode): string[] {
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return [];
  const names = rootFields(document, operation)
    .filter((field) => field.name.value !== '__typename')
    .map(responseKey);
  return [...new Set(names)];
}
