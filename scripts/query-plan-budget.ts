import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Kind, parse } from 'graphql';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type SubscriptionNode } from '@apollo/query-planner';
import { ROOT } from './root.js';
import { SUPPORTED_SUPERGRAPH_FEATURES } from '../gateway/src/authorization/supergraph-features.js';
import { SUPERGRAPH_FILE } from './supergraph.js';

/** What an operation costs the gateway: how many subgraph fetches, in how many waves one after another. */
export interface PlanCost {
  fetches: number;
  depth: number;
}

export type PlanBudget = Record<string, PlanCost>;

export const BUDGET_FILE = resolve(ROOT, 'sdk/query-plan-budget.json');
const MANIFEST_FILE = resolve(ROOT, 'sdk/src/__generated__/persisted-documents.json');

/** The SDK's operations by name, each as one self-contained document (its fragments included). */
export async function sdkOperations(): Promise<Record<string, string>> {
  const manifest = JSON.parse(await readFile(MANIFEST_FILE, 'utf8')) as Record<string, string>;
  return Object.fromEntries(Object.values(manifest).map((document) => [operationName(document), document]));
}

function operationName(document: string): string {
  const operation = parse(document).definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation?.name) throw new Error(`An SDK document has no named operation: ${document}`);
  return operation.name.value;
}

/** Plans each operation as the gateway does (same supergraph, same planner) and measures the plan. */
export function planCosts(supergraphSdl: string, operations: Record<string, string>): PlanBudget {
  const supergraph = Supergraph.build(supergraphSdl, { supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES });
  const apiSchema = supergraph.apiSchema();
  const planner = new QueryPlanner(supergraph);
  const costs: PlanBudget = {};
  for (const [name, document] of Object.entries(operations).sort(([a], [b]) => a.localeCompare(b))) {
    const plan = planner.buildQueryPlan(operationFromDocument(apiSchema, parse(document), { operationName: name }));
    costs[name] = plan.node ? costOf(plan.node) : { fetches: 0, depth: 0 };
  }
  return costs;
}

function costOf(node: PlanNode | SubscriptionNode): PlanCost {
  switch (node.kind) {
    case 'Fetch':
      return { fetches: 1, depth: 1 };
    case 'Flatten':
      return costOf(node.node);
    case 'Sequence':
      return combine(node.nodes.map(costOf), (depths) => depths.reduce((sum, depth) => sum + depth, 0));
    case 'Parallel':
      return combine(node.nodes.map(costOf), (depths) => Math.max(0, ...depths));
    case 'Condition':
      return combine([node.ifClause, node.elseClause].filter((clause) => clause !== undefined).map(costOf), (depths) => Math.max(0, ...depths));
    case 'Defer': {
      const primary = node.primary.node ? costOf(node.primary.node) : { fetches: 0, depth: 0 };
      const deferred = combine(node.deferred.flatMap((deferredNode) => (deferredNode.node ? [costOf(deferredNode.node)] : [])), (depths) => Math.max(0, ...depths));
      return { fetches: primary.fetches + deferred.fetches, depth: primary.depth + deferred.depth };
    }
    case 'Subscription':
      return combine([costOf(node.primary), ...(node.rest ? [costOf(node.rest)] : [])], (depths) => depths.reduce((sum, depth) => sum + depth, 0));
  }
}

function combine(costs: PlanCost[], depthOf: (depths: number[]) => number): PlanCost {
  return { fetches: costs.reduce((sum, cost) => sum + cost.fetches, 0), depth: depthOf(costs.map((cost) => cost.depth)) };
}

/** Every way the measured costs break the budget, one line per operation; empty when within it. */
export function budgetOverruns(costs: PlanBudget, budget: PlanBudget): string[] {
  return Object.entries(costs).flatMap(([name, cost]) => {
    const allowed = budget[name];
    if (!allowed) return [`${name}: no budget yet (run \`npm run plan-budget\` and commit sdk/query-plan-budget.json)`];
    const overruns: string[] = [];
    if (cost.fetches > allowed.fetches) overruns.push(`${name}: ${cost.fetches} subgraph fetches, budget ${allowed.fetches}`);
    if (cost.depth > allowed.depth) overruns.push(`${name}: ${cost.depth} fetches in sequence, budget ${allowed.depth}`);
    return overruns;
  });
}

/** `npm run plan-budget`: writes the costs of the SDK's operations now as the budget. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const costs = planCosts(await readFile(SUPERGRAPH_FILE, 'utf8'), await sdkOperations());
  await writeFile(BUDGET_FILE, `${JSON.stringify(costs, null, 2)}\n`);
  console.table(costs);
}
