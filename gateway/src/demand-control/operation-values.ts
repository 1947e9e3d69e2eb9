import { valueFromASTUntyped, type ValueNode } from 'graphql';

/** An operation's variables with the defaults its definitions declare filled in where the request gave none. */
export type OperationVariables = Readonly<Record<string, unknown>>;

export function withVariableDefaults(defaults: OperationVariables, given: OperationVariables | undefined): OperationVariables {
  return given ? { ...defaults, ...given } : defaults;
}

/** A value of the operation as JSON: literals as written, variables as given (undefined when neither given nor defaulted). */
export function operationValue(value: ValueNode, variables: OperationVariables): unknown {
  return valueFromASTUntyped(value, variables);
}

/** Whether `@skip`/`@include` keep a selection: every condition on it must. */
export function isSelected(conditions: readonly { include: boolean; value: ValueNode }[], variables: OperationVariables): boolean {
  return conditions.every(({ include, value }) => operationValue(value, variables) === include);
}
