import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Kind, parse } from 'graphql';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type SubscriptionNode } from '@apollo/query-planner';
import { ROOT } from './root.js';
import { MAX_PAGE_SIZE } from '@shop/service-kit';
import { SUPPORTED_SUPERGRAPH_FEATURES } from '../gateway/src/authorization/supergraph-features.js';
import { compileCostFormula, type CostedSelection } from '../gateway/src/demand-control/cost-formula.js';
import { readCostSchema } from '../gateway/src/demand-control/cost-schema.js';
import { DEFAULT_COST_LIST_SIZE, DEFAULT_MAX_OPERATION_COST } from '../gateway/src/demand-control/demand-control-settings.js';
import { estimatedCost } from '../gateway/src/demand-control/estimated-cost.js';
import { SUPERGRAPH_FILE } from './supergraph.js';

/**
 * What an operation costs the gateway: how many subgraph fetches, in how many waves one after
 * another, and its estimated cost as demand control computes it (gateway/src/demand-control/),
 * with every variable that sizes a list at the largest page the API serves (MAX_PAGE_SIZE).
 */
export interface PlanCost {
  fetches: number;
  depth: number;
  estimatedCost: number;
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

/**
 * Plans each operation as the gateway does (same supergraph, same planner) and measures the plan;
 * one with `@defer` as it is planned for a client that reads parts (its costlier plan).
 */
export function planCosts(supergraphSdl: string, operations: Record<string, string>): PlanBudget {
  const supergraph = Supergraph.build(supergraphSdl, { supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES });
  const apiSchema = supergraph.apiSchema();
  const planner = new QueryPlanner(supergraph, { incrementalDelivery: { enableDefer: true } });
  const costSchema = readCostSchema(supergraph.schema);
  const costs: PlanBudget = {};
  for (const [name, document] of Object.entries(operations).sort(([a], [b]) => a.localeCompare(b))) {
    const parsed = parse(document);
    const plan = planner.buildQueryPlan(operationFromDocument(apiSchema, parsed, { operationName: name }));
    const formula = compileCostFormula(costSchema, parsed, name, { defaultListSize: DEFAULT_COST_LIST_SIZE });
    const largestPages = Object.fromEntries([...pageSizeVariables(formula.selection)].map((variable) => [variable, MAX_PAGE_SIZE]));
    costs[name] = { ...(plan.node ? fetchesOf(plan.node) : { fetches: 0, depth: 0 }), estimatedCost: estimatedCost(formula, largestPages) };
  }
  return costs;
}

/** The variables an operation passes as a list's slicing argument (`first: $first`): the page sizes a client chooses. */
function pageSizeVariables(selection: CostedSelection, into = new Set<string>()): Set<string> {
  for (const fields of selection.byRuntimeType.values()) {
    for (const field of fields) {
      for (const argument of field.sizing?.listSize.slicingArguments ?? []) {
        const value = field.sizing?.arguments.get(argument);
        if (value?.kind === Kind.VARIABLE) into.add(value.name.value);
      }
      if (field.selection) pageSizeVariables(field.selection, into);
    }
  }
  return into;
}

type PlanFetches = Omit<PlanCost, 'estimatedCost'>;

function fetchesOf(node: PlanNode | SubscriptionNode): PlanFetches {
  switch (node.kind) {
    case 'Fetch':
      return { fetches: 1, depth: 1 };
    case 'Flatten':
      return fetchesOf(node.node);
    case 'Sequence':
      return combine(node.nodes.map(fetchesOf), (depths) => depths.reduce((sum, depth) => sum + depth, 0));
    case 'Parallel':
      return combine(node.nodes.map(fetchesOf), (depths) => Math.max(0, ...depths));
    case 'Condition':
      return combine([node.ifClause, node.elseClause].filter((clause) => clause !== undefined).map(fetchesOf), (depths) => Math.max(0, ...depths));
    case 'Defer': {
      const primary = node.primary.node ? fetchesOf(node.primary.node) : { fetches: 0, depth: 0 };
      const deferred = combine(node.deferred.flatMap((deferredNode) => (deferredNode.node ? [fetchesOf(deferredNode.node)] : [])), (depths) => Math.max(0, ...depths));
      return { fetches: primary.fetches + deferred.fetches, depth: primary.depth + deferred.depth };
    }
    case 'Subscription':
      return combine([fetchesOf(node.primary), ...(node.rest ? [fetchesOf(node.rest)] : [])], (depths) => depths.reduce((sum, depth) => sum + depth, 0));
  }
}

function combine(costs: PlanFetches[], depthOf: (depths: number[]) => number): PlanFetches {
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
    if (cost.estimatedCost > allowed.estimatedCost) overruns.push(`${name}: estimated cost ${cost.estimatedCost}, budget ${allowed.estimatedCost}`);
    return overruns;
  });
}

/**
 * The operations whose estimated cost (at the largest pages) is above what the gateway serves by
 * default (MAX_OPERATION_COST), one line each: an SDK operation must never be refused for its cost.
 */
export function overDefaultMaximum(costs: PlanBudget, maxCost = DEFAULT_MAX_OPERATION_COST): string[] {
  return Object.entries(costs).flatMap(([name, cost]) =>
    cost.estimatedCost > maxCost ? [`${name}: estimated cost ${cost.estimatedCost} at its largest pages, above the default MAX_OPERATION_COST of ${maxCost}`] : [],
  );
}

/** `npm run plan-budget`: writes the costs of the SDK's operations now as the budget. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const costs = planCosts(await readFile(SUPERGRAPH_FILE, 'utf8'), await sdkOperations());
  await writeFile(BUDGET_FILE, `${JSON.stringify(costs, null, 2)}\n`);
  console.table(costs);
}
