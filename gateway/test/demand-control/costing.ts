import { Supergraph } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { SUPPORTED_SUPERGRAPH_FEATURES } from '../../src/authorization/supergraph-features.js';
import { actualCost } from '../../src/demand-control/actual-cost.js';
import { compileCostFormula, type CostOptions } from '../../src/demand-control/cost-formula.js';
import { readCostSchema, type CostSchema } from '../../src/demand-control/cost-schema.js';
import { estimatedCost } from '../../src/demand-control/estimated-cost.js';
import { composeSubgraphs } from '../../../scripts/supergraph.js';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])';

/** The cost declarations of a one-subgraph supergraph composed from `sdl` (the federation link with @cost and @listSize is added). */
export function costSchemaOf(sdl: string): CostSchema {
  const supergraphSdl = composeSubgraphs([{ name: 'examples', url: 'http://examples.invalid/graphql', sdl: `${LINK}\n${sdl}` }]);
  return readCostSchema(Supergraph.build(supergraphSdl, { supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES }).schema);
}

/** Costs one operation of `costs` as the gateway will: compile once, then estimate and measure. */
export function costing(costs: CostSchema, options: CostOptions = { defaultListSize: 10 }) {
  return (query: string, variables?: Record<string, unknown>) => {
    const formula = compileCostFormula(costs, parse(query), undefined, options);
    return {
      formula,
      estimated: estimatedCost(formula, variables),
      actual: (data: Record<string, unknown>) => actualCost(formula, data, variables),
    };
  };
}
