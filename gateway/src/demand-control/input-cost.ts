import { getNamedType, getNullableType, isInputObjectType, isListType, type GraphQLInputType } from 'graphql';
import type { CostedArgument, CostWeighting } from './cost-formula.js';
import type { CostSchema } from './cost-schema.js';
import { operationValue, type OperationVariables } from './operation-values.js';

/**
 * The cost of one input value, as Apollo Router scores arguments: the `@cost` of the argument or
 * input field (else of its type), an input object 1 when unweighted under the `apollo` weighting
 * (0 under `ibm`) plus the cost of each field it gives, a list its weight plus each item's.
 * Null and absent values cost nothing.
 */
function inputValueCost(costs: CostSchema, value: unknown, type: GraphQLInputType, declaredWeight: number | undefined, weighting: CostWeighting): number {
  if (value === null || value === undefined) return 0;
  const nullable = getNullableType(type);
  const namedType = getNamedType(type);
  const weight = declaredWeight ?? costs.weights.get(namedType.name);
  if (isListType(nullable)) {
    // A single value given for a list is coerced into a list of one.
    const items = Array.isArray(value) ? value : [value];
    return items.reduce<number>((sum, item) => sum + inputValueCost(costs, item, nullable.ofType, declaredWeight, weighting), weight ?? 0);
  }
  if (isInputObjectType(namedType) && typeof value === 'object') {
    const fields = namedType.getFields();
    let cost = weight ?? (weighting === 'apollo' ? 1 : 0);
    for (const [name, fieldValue] of Object.entries(value)) {
      const field = fields[name];
      if (field) cost += inputValueCost(costs, fieldValue, field.type, costs.weights.get(`${namedType.name}.${name}`), weighting);
    }
    return cost;
  }
  return weight ?? 0;
}

/** What a field's arguments add to its cost, from the values the operation gives them. */
export function argumentsCost(costs: CostSchema, costedArguments: readonly CostedArgument[], variables: OperationVariables, weighting: CostWeighting): number {
  let cost = 0;
  for (const argument of costedArguments) {
    cost += inputValueCost(costs, operationValue(argument.value, variables), argument.definition.type, costs.weights.get(argument.coordinate), weighting);
  }
  return cost;
}
