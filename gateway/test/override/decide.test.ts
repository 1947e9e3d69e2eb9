import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { activeOverrideLabels, shareOf, stickyKeyOf } from '../../src/override/decide.js';
import { overrideLabelsOf } from '../../src/override/labels.js';
import { composeMovingParcels, ETA_LABEL, STATUS_LABEL } from '../../../test/support/moving-parcels.js';

const supergraph = Supergraph.build(composeMovingParcels({ legacy: 'http://legacy.invalid/graphql', modern: 'http://modern.invalid/graphql' }));
const LABELS = overrideLabelsOf(supergraph.schema);
const NONE = new Set<string>();

/** The subgraphs a plan fetches from. */
function subgraphsOf(node: QueryPlan['node']): string[] {
  if (!node) return [];
  switch (node.kind) {
    case 'Fetch':
      return [node.serviceName];
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap(subgraphsOf);
    case 'Flatten':
      return subgraphsOf(node.node);
    default:
      throw new Error(`a plan node this test does not expect: ${node.kind}`);
  }
}

describe('deciding override labels per shopper', () => {
  it('plans 25% ± 2% of 10,000 distinct sessions on the new subgraph under percent(25)', () => {
    const planner = new QueryPlanner(supergraph);
    const operation = operationFromDocument(supergraph.apiSchema(), parse('{ parcels { id status } }'));
    const plans = new Map<string, boolean>();
    let onModern = 0;
    for (let session = 0; session < 10_000; session += 1) {
      const active = activeOverrideLabels(LABELS, NONE, stickyKeyOf({ clientAddress: '203.0.113.9', viewer: { userId: '', scopes: [], session: { id: `s-${session}`, generation: 0 } } }));
      // The planner is deterministic on its conditions: one plan per label set, as the gateway's cache keeps it.
      const key = active.join(',');
      let modern = plans.get(key);
      if (modern === undefined) {
        const plan = planner.buildQueryPlan(operation, { overrideConditions: new Map(active.map((label) => [label, true])) });
        modern = subgraphsOf(plan.node).includes('modern');
        plans.set(key, modern);
      }
      if (modern) onModern += 1;
    }
    // Both plans were made, and only the label's own set plans on the new subgraph.
    expect(plans).toEqual(new Map([['', false], [STATUS_LABEL, true]]));
    expect(onModern / 10_000).toBeGreaterThanOrEqual(0.23);
    expect(onModern / 10_000).toBeLessThanOrEqual(0.27);
  });

  it('gives one shopper the same decision on every request: by user, else session, else address', () => {
    const user = { clientAddress: '203.0.113.9', userId: 'u-42', viewer: { userId: 'u-42', scopes: [], session: { id: 's-1', generation: 0 } } };
    expect(stickyKeyOf(user)).toBe('user:u-42');
    // Another address, another session: the same user.
    expect(stickyKeyOf({ ...user, clientAddress: '198.51.100.1', viewer: { ...user.viewer, session: { id: 's-2', generation: 1 } } })).toBe('user:u-42');
    expect(stickyKeyOf({ clientAddress: '203.0.113.9', viewer: { userId: '', scopes: [], session: { id: 's-1', generation: 0 } } })).toBe('session:s-1');
    // An IPv6 client by its /64, as its rate limit counts it.
    expect(stickyKeyOf({ clientAddress: '2001:db8:1:2::7' })).toBe(stickyKeyOf({ clientAddress: '2001:db8:1:2::8' }));
    const decisions = new Set(Array.from({ length: 100 }, () => activeOverrideLabels(LABELS, NONE, stickyKeyOf(user)).join(',')));
    expect(decisions.size).toBe(1);
  });

  it('only moves shoppers forward when a percentage rises', () => {
    const keys = Array.from({ length: 2_000 }, (_, index) => `user:${index}`);
    const onAt = (percent: number) => new Set(keys.filter((key) => activeOverrideLabels([`percent(${percent})`], NONE, key).length > 0));
    const quarter = onAt(25);
    const half = onAt(50);
    expect([...quarter].every((key) => half.has(key))).toBe(true);
    expect(half.size).toBeGreaterThan(quarter.size);
    expect(onAt(0).size).toBe(0);
    expect(onAt(100).size).toBe(keys.length);
    expect(shareOf('user:1')).toBe(shareOf('user:1'));
  });

  it('turns a named label on only when configured', () => {
    expect(activeOverrideLabels([ETA_LABEL], NONE, 'user:1')).toEqual([]);
    expect(activeOverrideLabels([ETA_LABEL], new Set([ETA_LABEL]), 'user:1')).toEqual([ETA_LABEL]);
  });
});
