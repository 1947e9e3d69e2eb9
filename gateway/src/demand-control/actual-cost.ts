import type { CostedField, CostedSelection, CostFormula } from './cost-formula.js';
import { argumentsCost } from './input-cost.js';
import { isSelected, withVariableDefaults, type OperationVariables } from './operation-values.js';

type ResponseObject = Readonly<Record<string, unknown>>;

const isResponseObject = (value: unknown): value is ResponseObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A list's non-null items, nested lists flattened. */
function itemsOf(value: unknown): unknown[] {
  if (!Array.isArray(value)) return value === null || value === undefined ? [] : [value];
  return value.flatMap(itemsOf);
}

function selectionCost(formula: CostFormula, selection: CostedSelection, data: ResponseObject, variables: OperationVariables): number {
  const typename = data.__typename;
  const known = typeof typename === 'string' ? selection.byRuntimeType.get(typename) : undefined;
  // Without __typename the object could be any possible type: the most expensive reading of it.
  const candidates = known ? [known] : [...selection.byRuntimeType.values()];
  let mostExpensive = 0;
  for (const fields of candidates) {
    let cost = 0;
    for (const field of fields) cost += fieldCost(formula, field, data[field.responseKey], variables);
    mostExpensive = Math.max(mostExpensive, cost);
  }
  return mostExpensive;
}

function fieldCost(formula: CostFormula, field: CostedField, value: unknown, variables: OperationVariables): number {
  // Absent: skipped, or lost to an error; either way nothing was returned to cost.
  if (value === undefined || !isSelected(field.conditions, variables)) return 0;
  const ofArguments = argumentsCost(formula.costs, field.arguments, variables, formula.weighting);
  const items = field.isList ? itemsOf(value) : itemsOf(value).slice(0, 1);
  let selected = 0;
  for (const item of items) if (field.selection && isResponseObject(item)) selected += selectionCost(formula, field.selection, item, variables);
  if (formula.weighting === 'ibm') return Math.max(0, field.weight + ofArguments) + selected;
  return items.length * field.weight + selected + ofArguments;
}

/**
 * The operation's actual cost (IBM "query response analysis"): the same measure as the estimate,
 * with each list as long as the response's. `data` is the response's `data` for this operation.
 */
export function actualCost(formula: CostFormula, data: ResponseObject | null | undefined, variables?: OperationVariables): number {
  if (!data) return formula.baseCost;
  return formula.baseCost + selectionCost(formula, formula.selection, data, withVariableDefaults(formula.variableDefaults, variables));
}
