import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BUDGET_FILE, budgetOverruns, planCosts, sdkOperations, type PlanBudget } from '../scripts/query-plan-budget.js';
import { SUPERGRAPH_FILE } from '../scripts/supergraph.js';

describe('query-plan budget of the SDK operations', () => {
  const load = async () => ({
    supergraph: await readFile(SUPERGRAPH_FILE, 'utf8'),
    operations: await sdkOperations(),
    budget: JSON.parse(await readFile(BUDGET_FILE, 'utf8')) as PlanBudget,
  });

  it('stays within the committed budget of fetches and their sequence depth (sdk/query-plan-budget.json)', async () => {
    const { supergraph, operations, budget } = await load();
    expect(budgetOverruns(planCosts(supergraph, operations), budget)).toEqual([]);
  });

  it('plans the canonical order query (order, its user, its products) as exactly 3 fetches, 2 in sequence', async () => {
    const { supergraph, operations } = await load();
    expect(planCosts(supergraph, { Order: operations.Order! })).toEqual({ Order: { fetches: 3, depth: 2 } });
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
    ]);
  });

  it('asks for a budget for an operation that has none', () => {
    expect(budgetOverruns({ Brand: { fetches: 1, depth: 1 } }, {})).toEqual([expect.stringMatching(/^Brand: no budget yet/)]);
  });

  it('names the operation when a change puts more fetches in sequence', () => {
    expect(budgetOverruns({ Order: { fetches: 3, depth: 3 } }, { Order: { fetches: 3, depth: 2 } })).toEqual([
      'Order: 3 fetches in sequence, budget 2',
    ]);
  });
});
