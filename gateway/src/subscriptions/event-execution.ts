import { executeQueryPlan, type buildOperationContext, type GraphQLDataSource, type GraphQLDataSourceProcessOptions, type ServiceMap } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { isSseEventId } from '@shop/service-kit';
import type { GatewayContext } from '../context.js';
import type { SubgraphAnswer } from '../unavailable-answer.js';
import type { SubscriptionPlan, SubscriptionPlanner } from './subscription-planner.js';

/** What executeQueryPlan needs of the client's operation (@apollo/gateway exports no name for it). */
export type OperationContext = ReturnType<typeof buildOperationContext>;

/**
 * The primary subgraph for one event: its first call (the primary fetch, which the plan runs
 * first and alone) is answered with the event the subgraph pushed; any later call (the rest of
 * the plan may come back to the same subgraph for more fields) goes to the subgraph as usual.
 */
class EventDataSource implements GraphQLDataSource<GatewayContext> {
  private answered = false;

  constructor(
    private readonly event: SubgraphAnswer,
    private readonly subgraph: GraphQLDataSource<GatewayContext> | undefined,
  ) {}

  process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphAnswer> {
    if (!this.answered) {
      this.answered = true;
      return Promise.resolve(this.event);
    }
    if (!this.subgraph) return Promise.reject(new Error('the primary subgraph of a subscription has no data source'));
    return this.subgraph.process(options);
  }
}

export interface EventExecution {
  plan: SubscriptionPlan;
  planner: SubscriptionPlanner;
  /** The supergraph's data sources, by subgraph: the ones @apollo/gateway calls for queries. */
  dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>;
  requestContext: GatewayGraphQLRequestContext<GatewayContext>;
  operationContext: OperationContext;
}

/**
 * One event of a subscription, completed as a query would be: @apollo/gateway's executeQueryPlan
 * runs the primary fetch (answered with the event) and then the rest of the plan on the real data
 * sources, so entity joins, SERVICE_UNAVAILABLE on the paths a subgraph that is down should fill,
 * the entity cache and the response's shape are those of a query.
 */
export async function executeEvent(execution: EventExecution, event: SubgraphAnswer): Promise<GatewayExecutionResult> {
  const { plan, planner, dataSources, requestContext, operationContext } = execution;
  const serviceMap: ServiceMap = Object.fromEntries(dataSources);
  serviceMap[plan.primary.serviceName] = new EventDataSource(event, dataSources.get(plan.primary.serviceName));
  const queryPlan: QueryPlan = { kind: 'QueryPlan', node: plan.rest ? { kind: 'Sequence', nodes: [plan.primary, plan.rest] } : plan.primary };
  // Metrics of its own per event: executeQueryPlan appends to them, which over a long stream would only grow.
  const result = await executeQueryPlan(queryPlan, serviceMap, { ...requestContext, metrics: {} }, operationContext, planner.supergraphSchema, planner.apiSchema);
  // executeQueryPlan keeps no extension of a fetch's answer: the event's id, which a client resumes from, is carried over.
  const eventId = eventIdOf(event);
  return eventId === undefined ? result : { ...result, extensions: { ...result.extensions, eventId } };
}

/** The id the subgraph gave its event (`extensions.eventId`, as the shop's orders does), when it is one a client may resume from. */
export function eventIdOf(answer: { extensions?: Record<string, unknown> }): string | undefined {
  const eventId = answer.extensions?.eventId;
  return isSseEventId(eventId) ? eventId : undefined;
}

/**
 * When the change an event announces was committed (`extensions.committedAt`, ISO 8601, as the
 * shop's orders sends it), in ms since the epoch; undefined when the subgraph sends none or one
 * that is not a time.
 */
export function committedAtOf(answer: { extensions?: Record<string, unknown> }): number | undefined {
  const committedAt = answer.extensions?.committedAt;
  if (typeof committedAt !== 'string' || committedAt.length > 40) return undefined;
  const ms = Date.parse(committedAt);
  return Number.isFinite(ms) ? ms : undefined;
}
