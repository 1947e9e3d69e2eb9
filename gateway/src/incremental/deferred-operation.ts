import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { getVariableValues } from 'graphql/execution/values.js';
import { GraphQLError, Kind } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { FederatedSupergraph } from '../reloadable-gateway.js';
import { deferredDocument } from './deferred-document.js';
import { executeDeferred, type Deferral } from './deferred-execution.js';
import { deferredPlannerOf } from './deferred-plan.js';

/** What a request comes to: one whole answer (nothing to defer, or refused), or its parts. */
export type DeferredOutcome = { kind: 'whole' } | { kind: 'refused'; result: GatewayExecutionResult } | { kind: 'parts'; deferral: Deferral };

/**
 * Runs a request whose client accepts parts on `federation`: when its operation defers a
 * fragment (a `@defer` whose `if` holds), plans it with the gateway's own planner and runs it in
 * parts; otherwise it is `whole`, for @apollo/gateway to answer as usual. The answer in parts is
 * never cached: its cache policy is made uncacheable, so the response cache keeps only whole answers.
 */
export async function runDeferred(requestContext: GatewayGraphQLRequestContext<GatewayContext>, federation: FederatedSupergraph): Promise<DeferredOutcome> {
  const { request, document, schema, queryHash, context } = requestContext;
  let deferred;
  try {
    deferred = deferredDocument(document, request.operationName ?? undefined, request.variables);
  } catch (error) {
    if (error instanceof GraphQLError) return { kind: 'refused', result: { errors: [error] } };
    throw error;
  }
  if (!deferred) return { kind: 'whole' };
  // Apollo Server leaves variables to the gateway's executor; @apollo/gateway checks them as this does.
  const operation = deferred.document.definitions[0];
  if (operation?.kind === Kind.OPERATION_DEFINITION) {
    const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
    if (errors) return { kind: 'refused', result: { errors } };
  }
  const planner = deferredPlannerOf(federation);
  const plan = planner.plan(deferred, queryHash, request.operationName ?? undefined, federation.overrideLabelsOn(context));
  // The gateway interface types it loosely; it is Apollo Server's CachePolicy.
  (requestContext.overallCachePolicy as { restrict(hint: { maxAge: number }): void }).restrict({ maxAge: 0 });
  const deferral = await executeDeferred({ own: planner.own, plan, deferred, dataSources: federation.dataSources, requestContext });
  return { kind: 'parts', deferral };
}
