import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext } from '@apollo/server';
import type { GatewayExecutor } from '@apollo/server-gateway-interface';
import { OperationTypeNode, print, type DocumentNode, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Logger } from '@shop/service-kit';
import type { GatewayContext } from '../context.js';
import { sha256Hex } from '../sha256.js';
import { authorize, deniedSelections, policiesOf, type Access, type AuthorizedOperation, type DeniedSelection } from './authorize.js';
import { completeDenied, refusalErrors } from './complete.js';
import { policyDecider, type Policies } from './policies.js';
import type { AuthorizationRules } from './rules.js';

export type AuthorizationMode = 'filter' | 'reject';

export interface AuthorizationOptions {
  /** filter: denied selections answer null with an error; reject: any denial refuses the whole operation. */
  mode: AuthorizationMode;
  /** The functions that decide the supergraph's `@policy` names (gateway/src/policies.ts). */
  policies: Policies;
  /** How long a policy may take before it counts as denied. */
  policyTimeoutMs: number;
}

/** What one document comes to for one access: nothing denied, or the operation to plan instead. */
type Outcome =
  | { denied: false }
  | {
      denied: true;
      operation: AuthorizedOperation;
      queryHash: string;
      printedLength: number;
      /** Where each denied selection is (a refusal lists them; filter mode finds dropped fragments' objects there). */
      selections: readonly DeniedSelection[];
      /**
       * Whether the whole operation is refused even in filter mode: a mutation with a denied root
       * field, whose other root fields would otherwise write while its answer is nulled, or a
       * subscription with its one root field denied (nothing would be left to subscribe to).
       */
      refusedWhole: boolean;
    };
const ALLOWED: Outcome = { denied: false };

/** One document's outcomes, by access: the policies it may need decided, found once. */
interface DocumentOutcomes {
  policies: readonly string[];
  byAccess: Map<string, Outcome>;
}

/** Outcomes kept per document at most: a document meets few distinct accesses (anonymous, each role's scopes). */
const MAX_OUTCOMES_PER_DOCUMENT = 16;

/**
 * Declared authorization at the gateway: @authenticated, @requiresScopes and @policy, read from
 * the supergraph being served, decided after validation and before anything is cached, planned or
 * fetched. What a document comes to is computed once per document and access (signed in or not,
 * with the scopes and granted policies the supergraph names) and kept within `cacheBytes`.
 *
 * - `plugin` decides each request (didResolveOperation) and, in reject mode, answers a denied one
 *   itself (responseForOperation, before the response cache: place it ahead of that plugin). So
 *   does filter mode for a mutation or subscription with a denied root field: nothing of it runs.
 * - `executor` wraps @apollo/gateway's: a request with denials is planned and run without them,
 *   then completed against the document the client sent (./complete.ts).
 * - `cacheKeyOf` is what a shared answer must be keyed by besides the document and variables:
 *   two requests with different outcomes never share one (the response cache's extra key).
 */
export function declaredAuthorization(options: AuthorizationOptions & { logger: Logger; cacheBytes: number; rulesOf: (schema: GraphQLSchema) => AuthorizationRules | undefined }) {
  const decidePolicies = policyDecider({ policies: options.policies, timeoutMs: options.policyTimeoutMs, logger: options.logger });
  const documents = new LRUCache<string, DocumentOutcomes>({
    maxSize: Math.max(1, options.cacheBytes),
    // The filtered documents dominate: a parsed document takes about ten times its text on the heap (memory-budget.ts).
    sizeCalculation: (entry, key) =>
      256 + 2 * key.length + [...entry.byAccess.values()].reduce((bytes, outcome) => bytes + 64 + (outcome.denied ? 10 * outcome.printedLength : 0), 0),
  });
  const schemaIds = new WeakMap<GraphQLSchema, number>();
  let nextSchemaId = 0;
  const schemaId = (schema: GraphQLSchema) => {
    let id = schemaIds.get(schema);
    if (id === undefined) schemaIds.set(schema, (id = nextSchemaId++));
    return id;
  };
  type Denied = Extract<Outcome, { denied: true }>;
  /**
   * Each request's outcome, found again by its context, document and operation name: Apollo Server
   * hands the executor a request object of its own, and a batch of operations shares one context.
   */
  const outcomes = new WeakMap<GatewayContext, { document: DocumentNode; operationName: string | undefined; outcome: Denied }[]>();
  const outcomeOf = (requestContext: { contextValue?: GatewayContext; context?: unknown; document?: DocumentNode; request: { operationName?: string | null } }) => {
    const context = (requestContext.contextValue ?? requestContext.context) as GatewayContext;
    const operationName = requestContext.request.operationName ?? undefined;
    return outcomes.get(context)?.find((entry) => entry.document === requestContext.document && entry.operationName === operationName)?.outcome;
  };

  const accessOf = async (requestContext: GraphQLRequestContext<GatewayContext>, rules: AuthorizationRules, policies: readonly string[]): Promise<Access> => {
    const { contextValue, request } = requestContext;
    const viewer = contextValue.viewer ?? null;
    const granted = await decidePolicies(policies, {
      viewer,
      headers: { get: (name) => request.http?.headers.get(name) },
      clientAddress: contextValue.clientAddress,
    });
    return { signedIn: viewer !== null, scopes: new Set(viewer?.scopes.filter((scope) => rules.scopes.has(scope))), policies: granted };
  };

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          const { schema, document, request, queryHash } = requestContext;
          const rules = options.rulesOf(schema);
          if (!rules) return;
          const documentKey = `${schemaId(schema)}\n${queryHash}\n${request.operationName ?? ''}`;
          let entry = documents.get(documentKey);
          if (!entry) entry = { policies: policiesOf(schema, rules, document, request.operationName), byAccess: new Map() };
          const access = await accessOf(requestContext, rules, entry.policies);
          const accessKey = `${access.signedIn ? 'signed-in' : 'anonymous'}\n${[...access.scopes].sort().join(' ')}\n${[...access.policies].sort().join(' ')}`;
          let outcome = entry.byAccess.get(accessKey);
          if (!outcome) {
            const authorized = authorize(schema, rules, document, request.operationName, access);
            if (authorized) {
              const text = print(authorized.document);
              const selections = deniedSelections(document, request.operationName, authorized);
              const kind = requestContext.operation?.operation;
              const refusedWhole = (kind === OperationTypeNode.MUTATION || kind === OperationTypeNode.SUBSCRIPTION) && selections.some((selection) => selection.path.length <= 1);
              outcome = { denied: true, operation: authorized, queryHash: sha256Hex(text), printedLength: text.length, selections, refusedWhole };
            } else outcome = ALLOWED;
            if (entry.byAccess.size >= MAX_OUTCOMES_PER_DOCUMENT) entry.byAccess.clear();
            entry.byAccess.set(accessKey, outcome);
            // Set again after each new outcome, so the cache sizes the entry as it is now.
            documents.set(documentKey, entry);
          }
          if (outcome.denied) {
            const entries = outcomes.get(requestContext.contextValue) ?? [];
            entries.push({ document, operationName: request.operationName ?? undefined, outcome });
            outcomes.set(requestContext.contextValue, entries);
          }
        },
        async responseForOperation(requestContext) {
          const outcome = outcomeOf(requestContext);
          if (!outcome || (options.mode !== 'reject' && !outcome.refusedWhole)) return null;
          const anonymous = outcome.selections.some((selection) => selection.code === 'UNAUTHENTICATED');
          return {
            http: { status: anonymous ? 401 : 403, headers: new HeaderMap() },
            body: { kind: 'single', singleResult: { errors: refusalErrors(outcome.selections).map((error) => error.toJSON()) } },
          };
        },
      };
    },
  };

  /** @apollo/gateway's executor for one supergraph, running each request as its authorization decided. */
  const executor =
    (execute: GatewayExecutor): GatewayExecutor =>
    async (requestContext) => {
      const outcome = outcomeOf(requestContext);
      if (!outcome) return execute(requestContext);
      const answer = await execute({ ...requestContext, document: outcome.operation.document, queryHash: outcome.queryHash });
      const droppedFragments = outcome.selections.filter((selection) => selection.fragment);
      return completeDenied(requestContext.schema, outcome.operation, droppedFragments, requestContext.request, answer);
    };

  return {
    plugin,
    executor,
    cacheKeyOf: (requestContext: Parameters<typeof outcomeOf>[0]): string => outcomeOf(requestContext)?.queryHash ?? '',
  };
}
