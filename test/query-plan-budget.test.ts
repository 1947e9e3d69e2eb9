import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BUDGET_FILE, budgetOverruns, overDefaultMaximum, planCosts, sdkOperations, type PlanBudget } from '../scripts/query-plan-budget.js';
import { SUPERGRAPH_FILE } from '../scripts/supergraph.js';

describe('query-plan budget of the SDK operations', () => {
  const load = async () => ({
    supergraph: await readFile(SUPERGRAPH_FILE, 'utf8'),
    operations: await sdkOperations(),
    budget: JSON.parse(await readFile(BUDGET_FILE, 'utf8')) as PlanBudget,
  });

  it('stays within the committed budget of fetches, their sequence depth and estimated cost (sdk/query-plan-budget.json)', async () => {
    const { supergraph, operations, budget } = await load();
    expect(budgetOverruns(planCosts(supergraph, operations), budget)).toEqual([]);
  });

  it('plans the canonical order query (order, its user, its products) as exactly 3 fetches, 2 in sequence', async () => {
    const { supergraph, operations } = await load();
    expect(planCosts(supergraph, { Order: operations.Order! })).toEqual({ Order: { fetches: 3, depth: 2, estimatedCost: 157 } });
  });

  it('fits every SDK operation, at the largest pages it may ask for, in the default MAX_OPERATION_COST: none is ever refused for its cost', async () => {
    const { supergraph, operations } = await load();
    const costs = planCosts(supergraph, operations);
    expect(overDefaultMaximum(costs)).toEqual([]);
    // Its page size at the API's largest (first: 100), not its default of 20 (3,142).
    expect(costs.Orders?.estimatedCost).toBe(15_702);
  });

  it('names an operation whose estimate is above the default maximum, or above its budget', () => {
    expect(overDefaultMaximum({ Orders: { fetches: 3, depth: 2, estimatedCost: 16_001 } })).toEqual([
      'Orders: estimated cost 16001 at its largest pages, above the default MAX_OPERATION_COST of 16000',
    ]);
    expect(budgetOverruns({ Orders: { fetches: 3, depth: 2, estimatedCost: 15_800 } }, { Orders: { fetches: 3, depth: 2, estimatedCost: 15_702 } })).toEqual([
      'Orders: estimated cost 15800, budget 15702',
    ]);
  });

  it('names the operation when a change adds a fetch', async () => {
    const { supergraph, operations, budget } = await load();
    // The names on the user's other orders: a second fetch from users, beside the first.
    const greedier = operations.Order!.replace(
      'query Order($id: ID!) { order(id: $id) {',
      'query Order($id: ID!) { order(id: $id) { user { orders { edges { node { user { name } } } } }',
    );
    expect(greedier).not.toBe(operations.Order);
    expect(budgetOverruns(planCosts(supergraph, { Order: greedier }), budget)).toEqual([
      'Order: 4 subgraph fetches, budget 3',
      // user (1) + its orders (1) + 20 of them, the argument's default page, × (edge 1 + order 1 + user 1): 62 more.
      'Order: estimated cost 219, budget 157',
    ]);
  });

  it('asks for a budget for an operation that has none', () => {
    expect(budgetOverruns({ Brand: { fetches: 1, depth: 1, estimatedCost: 1 } }, {})).toEqual([expect.stringMatching(/^Brand: no budget yet/)]);
  });

  it('names the operation when a change puts more fetches in sequence', () => {
    expect(budgetOverruns({ Order: { fetches: 3, depth: 3, estimatedCost: 157 } }, { Order: { fetches: 3, depth: 2, estimatedCost: 157 } })).toEqual([
      'Order: 3 fetches in sequence, budget 2',
    ]);
  });
});
