import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { overrideConditionsOf } from '../override/progressive-override.js';
import type { FederatedSupergraph } from '../reloadable-gateway.js';
import { ownPlannerOf, type OwnPlanner } from '../own-planner.js';
import { mentionsDefer } from '../incremental/deferred-document.js';

/** The planner's SubscriptionNode: the primary subscription on its owner, then the rest of the plan for each event. */
export interface SubscriptionPlan {
  primary: FetchNode;
  rest: PlanNode | undefined;
}

/**
 * Subscriptions planned on one supergraph, by the gateway's own planner (own-planner.ts: its
 * SubscriptionNode), with the schemas @apollo/gateway's executeQueryPlan runs each event's plan
 * against; its plans are kept with the planner's (OWN_PLANS_BYTES).
 */
export class SubscriptionPlanner {
  /** The supergraph's full schema, as executeQueryPlan reads entity representations and rewrites against it. */
  readonly supergraphSchema: GraphQLSchema;
  /** The API schema, as executeQueryPlan shapes the client's response with it. */
  readonly apiSchema: Schema;
  private readonly own: OwnPlanner;

  constructor(federation: FederatedSupergraph) {
    this.own = ownPlannerOf(federation);
    this.supergraphSchema = this.own.supergraphSchema;
    this.apiSchema = this.own.apiSchema;
  }

  /**
   * The plan of a validated subscription document, with the `@override` labels on for its
   * subscriber (as their queries are planned, and kept apart by them); a GraphQLError when it
   * cannot be planned.
   */
  plan(document: DocumentNode, operationName: string | undefined, queryHash: string, overrideLabelsOn: readonly string[] = []): SubscriptionPlan {
    return this.own.planned(`subscription\n${operationName ?? ''}\n${queryHash}\n${overrideLabelsOn.join(',')}`, (): SubscriptionPlan => {
      const overrideConditions = overrideConditionsOf(overrideLabelsOn);
      const parsed = operationFromDocument(this.apiSchema, document, operationName ? { operationName } : {});
      // Nothing of an event is deferred, each is one answer: a @defer in a subscription is ignored (the planner refuses it).
      const operation = mentionsDefer(document) ? parsed.expandAllFragments().withoutDefer() : parsed;
      const node = this.own.planner.buildQueryPlan(operation, overrideConditions ? { overrideConditions } : undefined).node;
      // Validation allows exactly one root field that is not introspection in a subscription, so the planner always makes one.
      if (node?.kind !== 'Subscription') throw new GraphQLError('This subscription has no subgraph to subscribe on');
      return { primary: node.primary, rest: node.rest };
    });
  }
}

const planners = new WeakMap<FederatedSupergraph, SubscriptionPlanner>();

/** The planner of `federation`'s subscriptions, made at the first. */
export function subscriptionPlannerOf(federation: FederatedSupergraph): SubscriptionPlanner {
  let planner = planners.get(federation);
  if (!planner) planners.set(federation, (planner = new SubscriptionPlanner(federation)));
  return planner;
}
