import type { Schema } from '@apollo/federation-internals';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import { compileCostFormula, CostEstimateError, type CostedSelection, type CostFormula } from './cost-formula.js';
import { readCostSchema, type CostSchema } from './cost-schema.js';
import { estimatedCost } from './estimated-cost.js';
import type { OperationVariables } from './operation-values.js';

/** One document and operation, costed against one supergraph: its formula, or why it cannot be costed. */
type Costing =
  | {
      formula: CostFormula;
      /** The estimate, when no variable changes it: then estimating again is a lookup. */
      fixedEstimate: number | undefined;
    }
  | { refusal: string };

/** What an operation is estimated to cost with the request's variables, and the formula its answer is measured by. */
export interface OperationEstimate {
  formula: CostFormula;
  estimated: number;
}

/** What one costed field is counted at on the heap: the field's object, its arguments' and conditions' arrays, its selection's map. */
const FIELD_BYTES = 480;
const FORMULA_BYTES = 1024;

function fieldCount(selection: CostedSelection): number {
  let count = 0;
  for (const fields of selection.byRuntimeType.values()) {
    for (const field of fields) count += 1 + field.arguments.length + (field.selection ? fieldCount(field.selection) : 0);
  }
  return count;
}

/** A cached costing's heap, with its key: the formula's fields (the schema it points into is the supergraph's, counted elsewhere). */
export function costingBytes(costing: Costing, key: string): number {
  const held = 'formula' in costing ? FORMULA_BYTES + FIELD_BYTES * fieldCount(costing.formula.selection) : 2 * costing.refusal.length;
  return 256 + 2 * key.length + held;
}

/** One supergraph's cost declarations and the formulas compiled against them. */
interface Costs {
  costs: CostSchema;
  costings: LRUCache<string, Costing>;
}

export interface OperationCostsOptions {
  /** The heap the formulas may take (OPERATION_COST_FORMULAS_BYTES). */
  cacheBytes: number;
  defaultListSize: number;
  /** The supergraph behind the API schema a request was validated against; undefined for a schema no supergraph made. */
  supergraphOf: (schema: GraphQLSchema) => Schema | undefined;
}

/**
 * Estimates operations' costs by the supergraph each was validated against: its cost declarations
 * read once per supergraph, each document and operation compiled once (kept within `cacheBytes`
 * per supergraph, least recently used out: two only while a reload's old one finishes its
 * requests), and only a cost that depends on variables computed again per request.
 * A document that cannot be costed is remembered as such, and refused again without compiling.
 */
export function operationCosts(options: OperationCostsOptions) {
  /**
   * Each supergraph's costs and formulas, by the API schema Apollo Server validates against: they
   * go with it once a reload has replaced it and its last request is done, whatever the cache
   * held (a formula points into its supergraph's schema, which it would otherwise keep alive).
   */
  const bySchema = new WeakMap<GraphQLSchema, Costs>();
  const costsOf = (schema: GraphQLSchema): Costs | undefined => {
    let known = bySchema.get(schema);
    if (!known) {
      const supergraph = options.supergraphOf(schema);
      if (!supergraph) return undefined;
      known = {
        costs: readCostSchema(supergraph),
        costings: new LRUCache<string, Costing>({ maxSize: Math.max(1, options.cacheBytes), sizeCalculation: (costing, key) => costingBytes(costing, key) }),
      };
      bySchema.set(schema, known);
    }
    return known;
  };

  const costingOf = ({ costs, costings }: Costs, key: string, document: DocumentNode, operationName: string | undefined): Costing => {
    let costing = costings.get(key);
    if (costing) return costing;
    try {
      const formula = compileCostFormula(costs, document, operationName, { defaultListSize: options.defaultListSize });
      costing = { formula, fixedEstimate: formula.variables.size === 0 ? estimatedCost(formula) : undefined };
    } catch (error) {
      if (!(error instanceof CostEstimateError)) throw error;
      costing = { refusal: error.message };
    }
    costings.set(key, costing);
    return costing;
  };

  return {
    /**
     * The operation's estimate; undefined when `schema` is none a supergraph made. Throws
     * CostEstimateError for an operation that cannot be costed (a `@listSize` wanting exactly one
     * slicing argument and given none or several).
     */
    estimate(schema: GraphQLSchema, queryHash: string, document: DocumentNode, operationName: string | undefined, variables: OperationVariables | undefined): OperationEstimate | undefined {
      const known = costsOf(schema);
      if (!known) return undefined;
      const costing = costingOf(known, `${queryHash}\n${operationName ?? ''}`, document, operationName);
      if ('refusal' in costing) throw new CostEstimateError(costing.refusal);
      return { formula: costing.formula, estimated: costing.fixedEstimate ?? estimatedCost(costing.formula, variables) };
    },
  };
}

export type OperationCosts = ReturnType<typeof operationCosts>;
