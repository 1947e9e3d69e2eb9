import { describe, expect, it } from 'vitest';
import { Supergraph } from '@apollo/federation-internals';
import type { PlanNode } from '@apollo/query-planner';
import { parse } from 'graphql';
import { SUPPORTED_SUPERGRAPH_FEATURES } from '../../src/authorization/supergraph-features.js';
import type { FederatedSupergraph } from '../../src/reloadable-gateway.js';
import { SubscriptionPlanner } from '../../src/subscriptions/subscription-planner.js';
import { composeSubgraphs } from '../../../scripts/supergraph.js';

/** A parcel's `eta` moving from tracking (which owns the subscription) to routing, for a quarter of shoppers. */
const SUBGRAPHS = [
  {
    name: 'tracking',
    url: 'http://tracking.invalid/graphql',
    sdl: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Query { parcel(id: ID!): Parcel }
      type Subscription { parcelMoved(id: ID!): Parcel }
      type Parcel @key(fields: "id") { id: ID! status: String eta: String }`,
  },
  {
    name: 'routing',
    url: 'http://routing.invalid/graphql',
    sdl: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@override"])
      type Parcel @key(fields: "id") { id: ID! eta: String @override(from: "tracking", label: "percent(25)") }`,
  },
];

function planner(): SubscriptionPlanner {
  const supergraph = Supergraph.build(composeSubgraphs(SUBGRAPHS), { supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES });
  const federation = { supergraph: () => supergraph, dataSources: new Map(), subgraphs: new Map(), retired: new AbortController().signal, overrideLabelsOn: () => [] } satisfies FederatedSupergraph;
  return new SubscriptionPlanner(federation);
}

/** The subgraphs the rest of a plan fetches from. */
const restServices = (node: PlanNode | undefined): string[] =>
  node === undefined ? [] : node.kind === 'Fetch' ? [node.serviceName] : 'nodes' in node ? node.nodes.flatMap(restServices) : node.kind === 'Flatten' ? restServices(node.node) : [];

describe('SubscriptionPlanner', () => {
  const document = parse('subscription Moved { parcelMoved(id: "p1") { id status eta } }');

  it("plans a subscription with its subscriber's @override labels, as a query is planned: the moved field from its new subgraph when the label is on", () => {
    const subscriptions = planner();
    const off = subscriptions.plan(document, 'Moved', 'hash');
    expect(off.primary.serviceName).toBe('tracking');
    expect(off.primary.operation).toContain('eta');
    expect(restServices(off.rest)).toEqual([]);

    const on = subscriptions.plan(document, 'Moved', 'hash', ['percent(25)']);
    expect(on.primary.serviceName).toBe('tracking');
    expect(on.primary.operation).not.toContain('eta');
    expect(restServices(on.rest)).toEqual(['routing']);
    // Kept apart by the labels: the plan without them is still the one without them.
    expect(subscriptions.plan(document, 'Moved', 'hash')).toBe(off);
  });
});
