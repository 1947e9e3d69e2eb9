import type { Schema } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import { objectEntryBytes, OWN_PLANS_BYTES } from './memory-budget.js';
import type { FederatedSupergraph } from './reloadable-gateway.js';

/**
 * The gateway's own query planner on one supergraph, beside @apollo/gateway's (which it keeps
 * private and builds with `@defer` off): the one subscriptions (SubscriptionNode) and deferred
 * fragments (DeferNode) are planned by, with the schemas @apollo/gateway's executeQueryPlan runs
 * their plans against. Made at the supergraph's first subscription or deferring request, so a
 * gateway whose clients use neither holds no second query graph.
 */
export interface OwnPlanner {
  planner: QueryPlanner;
  /** The supergraph's full schema, as executeQueryPlan reads entity representations and rewrites against it. */
  supergraphSchema: GraphQLSchema;
  /** The API schema, as executeQueryPlan shapes the client's response with it. */
  apiSchema: Schema;
  /** The plan kept under `key` (subscriptions' and deferring documents' together, within OWN_PLANS_BYTES), or the one `plan` makes, then kept. */
  planned<Plan extends object>(key: string, plan: () => Plan): Plan;
}

const planners = new WeakMap<FederatedSupergraph, OwnPlanner>();

/** The gateway's own planner on `federation`'s supergraph, made at the first call. */
export function ownPlannerOf(federation: FederatedSupergraph): OwnPlanner {
  let own = planners.get(federation);
  if (!own) {
    const supergraph = federation.supergraph();
    const plans = new LRUCache<string, object>({ maxSize: OWN_PLANS_BYTES, sizeCalculation: (plan, key) => objectEntryBytes(plan, key) });
    own = {
      planner: new QueryPlanner(supergraph, { incrementalDelivery: { enableDefer: true } }),
      supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
      apiSchema: supergraph.apiSchema(),
      planned<Plan extends object>(key: string, plan: () => Plan): Plan {
        // Each kind of plan has keys of its own (its callers prefix them), so what is found is what was kept for it.
        let found = plans.get(key) as Plan | undefined;
        if (!found) plans.set(key, (found = plan()));
        return found;
      },
    };
    planners.set(federation, own);
  }
  return own;
}
