import type { ApolloServerPlugin } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import { OperationTypeNode } from 'graphql';
import { AppError } from '@shop/service-kit';
import type { GatewayContext } from '../context.js';
import { actualCost } from './actual-cost.js';
import { CostEstimateError } from './cost-formula.js';
import { costMetrics } from './cost-metrics.js';
import type { DemandControlSettings } from './demand-control-settings.js';
import type { OperationCosts, OperationEstimate } from './operation-costs.js';

/** The request span's attributes (the HTTP server span, when tracing). */
export const ESTIMATED_COST_ATTRIBUTE = 'graphql.operation.cost.estimated';
export const ACTUAL_COST_ATTRIBUTE = 'graphql.operation.cost.actual';

/** An operation refused for its estimate: HTTP 400, as a document over a limit is, with the estimate and the maximum. */
export class CostEstimatedTooExpensiveError extends AppError {
  constructor(cost: number, maxCost: number) {
    super('COST_ESTIMATED_TOO_EXPENSIVE', `The operation's estimated cost, ${cost}, is above the maximum of ${maxCost}: ask for smaller pages or fewer fields`, {
      cost,
      maxCost,
      http: { status: 400 },
    });
  }
}

/** An operation the estimator cannot cost (a list that needs exactly one slicing argument given none or several): the client's to fix. */
class UncostableOperationError extends AppError {
  constructor(message: string) {
    super('BAD_USER_INPUT', message, { http: { status: 400 } });
  }
}

/**
 * Demand control: each operation's cost estimated from the supergraph's `@cost` and `@listSize`
 * (IBM cost specification) once it is resolved, before any cache is read, any plan made or any
 * subgraph called (didResolveOperation, as the other checks of what a client chose); in enforce
 * mode one above `maxCost` is refused with COST_ESTIMATED_TOO_EXPENSIVE, in measure mode served
 * and counted. A subscription is judged by its subscribe request. Once a query or mutation is
 * answered, its actual cost is measured over the data returned (not a subscription's: its events
 * are answered one by one, each by its own executor call, outside this request).
 */
export function demandControl(settings: DemandControlSettings, costs: OperationCosts): ApolloServerPlugin<GatewayContext> {
  const metrics = costMetrics();
  return {
    async requestDidStart() {
      let measured: (OperationEstimate & { operationType: OperationTypeNode; variables: Record<string, unknown> | undefined }) | undefined;
      return {
        async didResolveOperation({ schema, document, queryHash, request, operation }) {
          if (!operation) return;
          const operationName = request.operationName ?? undefined;
          let estimate: OperationEstimate | undefined;
          try {
            estimate = costs.estimate(schema, queryHash, document, operationName, request.variables);
          } catch (error) {
            if (error instanceof CostEstimateError) throw new UncostableOperationError(error.message);
            throw error;
          }
          if (!estimate) return;
          const operationType = operation.operation;
          metrics.estimated.observe({ operation_type: operationType }, estimate.estimated);
          trace.getActiveSpan()?.setAttribute(ESTIMATED_COST_ATTRIBUTE, estimate.estimated);
          if (estimate.estimated > settings.maxCost) {
            metrics.refusals.inc({ mode: settings.mode });
            if (settings.mode === 'enforce') throw new CostEstimatedTooExpensiveError(estimate.estimated, settings.maxCost);
          }
          if (operationType !== OperationTypeNode.SUBSCRIPTION) measured = { ...estimate, operationType, variables: request.variables };
        },
        async willSendResponse({ response }) {
          // An incremental (@defer) answer arrives in parts after this, and one without data (refused before execution) returned nothing: neither is measured.
          if (!measured || response.body.kind !== 'single' || response.body.singleResult.data === undefined) return;
          const actual = actualCost(measured.formula, response.body.singleResult.data, measured.variables);
          const labels = { operation_type: measured.operationType };
          metrics.actual.observe(labels, actual);
          metrics.delta.observe(labels, measured.estimated - actual);
          trace.getActiveSpan()?.setAttribute(ACTUAL_COST_ATTRIBUTE, actual);
        },
      };
    },
  };
}
