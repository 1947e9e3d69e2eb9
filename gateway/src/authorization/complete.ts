import {
  buildASTSchema,
  executeSync,
  getDirectiveValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
  parse,
  printSchema,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from 'graphql';
import { ForbiddenError, UnauthenticatedError } from '@shop/service-kit';
import { MAX_LISTED_DENIALS, TYPENAME_KEY, type AuthorizedOperation, type Denial, type DeniedSelection, type DroppedFragment } from './authorize.js';

/** The error a denied selection answers with: its code and what requires it, never why the request lacks it. */
export function denialError(denial: Denial): GraphQLError {
  return denial.code === 'UNAUTHENTICATED'
    ? new UnauthenticatedError(`Sign in to read ${denial.coordinate}`)
    : new ForbiddenError(`Not allowed to read ${denial.coordinate}`);
}

/** The errors of an operation refused as a whole (AUTHORIZATION_MODE=reject): one per denied selection, at its path. */
export function refusalErrors(selections: readonly DeniedSelection[]): GraphQLError[] {
  return selections.map((selection) => {
    const error = denialError(selection);
    return new GraphQLError(error.message, { path: [...selection.path], extensions: error.extensions, originalError: error });
  });
}

/**
 * The served schema without its resolvers: @apollo/gateway gives each field of the schema it
 * serves a resolver of its own (reading by alias), which would win over the one completion needs.
 * Made once per supergraph, at its first denial.
 */
const bareSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();
function bareSchemaOf(schema: GraphQLSchema): GraphQLSchema {
  let bare = bareSchemas.get(schema);
  if (!bare) bareSchemas.set(schema, (bare = buildASTSchema(parse(printSchema(schema)), { assumeValid: true })));
  return bare;
}

export interface ExecutionAnswer {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLError[];
  extensions?: Record<string, unknown>;
}

/**
 * The answer to the operation the client sent, from the answer to the one that was planned
 * without its denied selections: graphql-js executes the client's document (less its dropped
 * fragments) over the data, each field read by its response key, each denied one failing with
 * its denial. So every denied field is null with an error at each path where it would have been
 * (in every item of a list, only where an @include or a type condition would have selected it),
 * and each null propagates through non-null fields exactly as GraphQL requires. Each object a
 * dropped fragment would have applied to gets an error at its path. Only requests with a denial
 * pay for this.
 */
export function completeDenied(
  schema: GraphQLSchema,
  authorized: AuthorizedOperation,
  droppedFragments: readonly DeniedSelection[],
  request: { operationName?: string | null | undefined; variables?: Record<string, unknown> | undefined },
  answer: ExecutionAnswer,
): ExecutionAnswer {
  if (!answer.data) return answer;
  const { denied } = authorized;
  const denialErrors = new Set<unknown>();
  const fieldResolver: GraphQLFieldResolver<Record<string, unknown> | null, unknown> = (source, _args, _context, info) => {
    const key = info.path.key as string;
    const denial = info.fieldNodes.every((node) => denied.has(node)) ? denied.get(info.fieldNodes[0]!) : undefined;
    if (!denial) return source?.[key];
    const error = denialError(denial);
    denialErrors.add(error);
    throw error;
  };
  const bare = bareSchemaOf(schema);
  const typeResolver: GraphQLTypeResolver<Record<string, unknown>, unknown> = (value) => (value[TYPENAME_KEY] ?? value.__typename) as string | undefined;
  const completed = executeSync({
    schema: bare,
    document: authorized.completion,
    operationName: request.operationName,
    variableValues: request.variables,
    rootValue: answer.data,
    fieldResolver,
    typeResolver,
  });
  // Only the denials: every other error in the data was reported by the answer already.
  const fieldErrors = (completed.errors ?? []).filter((error) => error.originalError !== undefined && denialErrors.has(error.originalError));
  const fragmentsByName = new Map(
    authorized.completion.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
  const included = (node: DroppedFragment) =>
    getDirectiveValues(GraphQLSkipDirective, node, request.variables)?.if !== true && getDirectiveValues(GraphQLIncludeDirective, node, request.variables)?.if !== false;
  const conditionOf = (node: DroppedFragment) => (node.kind === Kind.INLINE_FRAGMENT ? node.typeCondition?.name.value : fragmentsByName.get(node.name.value)?.typeCondition.name.value);
  const reported = new Set<string>();
  // Once per object and type, and only where the fragment and every fragment around it would have applied.
  const fragmentErrors = droppedFragments.flatMap((selection) => {
    const conditions = selection.conditions ?? [];
    if (!conditions.every(included)) return [];
    return objectsAt(answer.data, selection.path)
      .filter(({ object }) =>
        conditions.every((node) => {
          // The dropped fragment's own condition is its denial's type; the fragments around it name theirs.
          const condition = node === conditions.at(-1) ? selection.coordinate : conditionOf(node);
          return condition === undefined || appliesTo(bare, condition, object[TYPENAME_KEY] ?? object.__typename);
        }),
      )
      .filter(({ path }) => {
        const key = `${JSON.stringify(path)} ${selection.coordinate}`;
        if (reported.has(key)) return false;
        reported.add(key);
        return true;
      })
      .map(({ path }) => {
        const error = denialError(selection);
        return new GraphQLError(error.message, { path, extensions: error.extensions, originalError: error });
      });
  });
  const errors = [...(answer.errors ?? []), ...fieldErrors, ...fragmentErrors.slice(0, MAX_LISTED_DENIALS)];
  return {
    data: completed.data ?? null,
    ...(errors.length > 0 ? { errors } : {}),
    ...(answer.extensions ? { extensions: answer.extensions } : {}),
  };
}

/** The objects at `path` of the response keys, through every list on the way, with their concrete paths. */
function objectsAt(data: unknown, path: readonly string[]): { object: Record<string, unknown>; path: (string | number)[] }[] {
  type Entry = { value: unknown; path: (string | number)[] };
  let found: Entry[] = [{ value: data, path: [] }];
  const expand = (entries: Entry[]): Entry[] =>
    entries.flatMap((entry) => (Array.isArray(entry.value) ? expand((entry.value as unknown[]).map((value, index) => ({ value, path: [...entry.path, index] }))) : [entry]));
  for (const key of path) {
    found = expand(found)
      .filter((entry) => entry.value !== null && typeof entry.value === 'object')
      .map((entry) => ({ value: (entry.value as Record<string, unknown>)[key], path: [...entry.path, key] }));
  }
  return expand(found)
    .filter((entry): entry is { value: Record<string, unknown>; path: (string | number)[] } => entry.value !== null && typeof entry.value === 'object')
    .map((entry) => ({ object: entry.value, path: entry.path }));
}

/**
 * Whether a fragment on `condition` applies to an object of `typename`. Abstract selections were
 * planned with `__typename`; an object without one sits under a concrete type, where validation
 * already made sure the fragment applies.
 */
function appliesTo(schema: GraphQLSchema, condition: string, typename: unknown): boolean {
  if (typeof typename !== 'string') return true;
  const conditionType = schema.getType(condition);
  const objectType = schema.getType(typename);
  if (!conditionType || !isObjectType(objectType)) return false;
  return conditionType === objectType || (isAbstractType(conditionType) && schema.isSubType(conditionType, objectType));
}
