import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import { objectEntryBytes, SUBSCRIPTION_PLANS_BYTES } from '../memory-budget.js';
import { overrideConditionsOf } from '../override/progressive-override.js';
import type { FederatedSupergraph } from '../reloadable-gateway.js';

/** The planner's SubscriptionNode: the primary subscription on its owner, then the rest of the plan for each event. */
export interface SubscriptionPlan {
  primary: FetchNode;
  rest: PlanNode | undefined;
}

/**
 * Subscriptions planned on one supergraph, by @apollo/query-planner (its SubscriptionNode), with
 * the schemas @apollo/gateway's executeQueryPlan runs each event's plan against. @apollo/gateway
 * keeps its own planner private, so this is a second one on the same supergraph, made at the
 * supergraph's first subscription (a gateway whose clients never subscribe pays nothing for it);
 * its plans are kept within SUBSCRIPTION_PLANS_BYTES.
 */
export class SubscriptionPlanner {
  /** The supergraph's full schema, as executeQueryPlan reads entity representations and rewrites against it. */
  readonly supergraphSchema: GraphQLSchema;
  /** The API schema, as executeQueryPlan shapes the client's response with it. */
  readonly apiSchema: Schema;
  private readonly planner: QueryPlanner;
  private readonly plans = new LRUCache<string, SubscriptionPlan>({ maxSize: SUBSCRIPTION_PLANS_BYTES, sizeCalculation: (plan, key) => objectEntryBytes(plan, key) });

  constructor(federation: FederatedSupergraph) {
    const supergraph = federation.supergraph();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.apiSchema = supergraph.apiSchema();
    this.planner = new QueryPlanner(supergraph);
  }

  /**
   * The plan of a validated subscription document, with the `@override` labels on for its
   * subscriber (as their queries are planned, and kept apart by them); a GraphQLError when it
   * cannot be planned.
   */
  plan(document: DocumentNode, operationName: string | undefined, queryHash: string, overrideLabelsOn: readonly string[] = []): SubscriptionPlan {
    const key = `${operationName ?? ''}\n${queryHash}\n${overrideLabelsOn.join(',')}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const overrideConditions = overrideConditionsOf(overrideLabelsOn);
      const operation = operationFromDocument(this.apiSchema, document, operationName ? { operationName } : {});
      const node = this.planner.buildQueryPlan(operation, overrideConditions ? { overrideConditions } : undefined).node;
      // Validation allows exactly one root field that is not introspection in a subscription, so the planner always makes one.
      if (node?.kind !== 'Subscription') throw new GraphQLError('This subscription has no subgraph to subscribe on');
      plan = { primary: node.primary, rest: node.rest };
      this.plans.set(key, plan);
    }
    return plan;
  }
}

const planners = new WeakMap<FederatedSupergraph, SubscriptionPlanner>();

/** The planner of `federation`'s subscriptions, made at the first. */
export function subscriptionPlannerOf(federation: FederatedSupergraph): SubscriptionPlanner {
  let planner = planners.get(federation);
  if (!planner) planners.set(federation, (planner = new SubscriptionPlanner(federation)));
  return planner;
}
