import type { CostedField, CostedSelection, CostFormula } from './cost-formula.js';
import { argumentsCost } from './input-cost.js';
import { instanceCount } from './list-size.js';
import { isSelected, withVariableDefaults, type OperationVariables } from './operation-values.js';

function selectionCost(formula: CostFormula, selection: CostedSelection, variables: OperationVariables): number {
  let mostExpensive = 0;
  for (const fields of selection.byRuntimeType.values()) {
    let cost = 0;
    for (const field of fields) cost += fieldCost(formula, field, variables);
    mostExpensive = Math.max(mostExpensive, cost);
  }
  return mostExpensive;
}

function fieldCost(formula: CostFormula, field: CostedField, variables: OperationVariables): number {
  if (!isSelected(field.conditions, variables)) return 0;
  const count = instanceCount(field, variables, formula.defaultListSize);
  const selected = field.selection ? selectionCost(formula, field.selection, variables) : 0;
  const ofArguments = argumentsCost(formula.costs, field.arguments, variables, formula.weighting);
  if (formula.weighting === 'ibm') return Math.max(0, field.weight + ofArguments) + count * selected;
  return count * (field.weight + selected) + ofArguments;
}

/**
 * The operation's estimated cost (IBM "static query analysis"): an upper bound on what executing
 * it may cost, from the schema's weights and list sizes and the request's variables. Pure and
 * cheap; throws CostEstimateError where a `@listSize` refuses the slicing arguments given.
 */
export function estimatedCost(formula: CostFormula, variables?: OperationVariables): number {
  return formula.baseCost + selectionCost(formula, formula.selection, withVariableDefaults(formula.variableDefaults, variables));
}
