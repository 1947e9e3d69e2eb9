import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
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
  const fields = request.query ? rootFields(parse(request.query)) : [];
  return { data: null, errors: fields.length > 0 ? fields.map((field) => error([field])) : [error(undefined)] };
}

/** The response names of the operation's root fields, through fragments (the planner may name some). */
function rootFields(document: DocumentNode): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const names = new Set<string>();
  const collect = (selectionSet: SelectionSetNode, seen: Set<string>) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '__typename') names.add(selection.alias?.value ?? selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet, seen);
      } else if (!seen.has(selection.name.value)) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet, new Set([...seen, selection.name.value]));
      }
    }
  };
  if (operation && operation.kind === Kind.OPERATION_DEFINITION) collect(operation.selectionSet, new Set());
  return [...names];
}
