import { CostEstimateError, type CostedField, type Sizing } from './cost-formula.js';
import { operationValue, type OperationVariables } from './operation-values.js';

/**
 * The list size a `@listSize` gives for the arguments of one use of its field: the largest
 * slicing argument given (an argument's default counts when the operation gives none), else
 * `assumedSize`; undefined when neither. With `requireOneSlicingArgument` (the default) a use
 * must give exactly one slicing argument, as the specification and Apollo Router require.
 */
export function expectedListSize(sizing: Sizing, variables: OperationVariables): number | undefined {
  const { slicingArguments, requireOneSlicingArgument, assumedSize } = sizing.listSize;
  const sizes: number[] = [];
  for (const argumentName of slicingArguments) {
    const given = sizing.arguments.get(argumentName);
    let size = given ? operationValue(given, variables) : undefined;
    if (size === undefined || size === null) size = sizing.definition.args.find((argument) => argument.name === argumentName)?.defaultValue;
    if (typeof size === 'number' && Number.isFinite(size)) sizes.push(Math.max(0, size));
  }
  if (slicingArguments.length > 0 && requireOneSlicingArgument && sizes.length !== 1) {
    throw new CostEstimateError(`${sizing.coordinate} needs exactly one of its slicing arguments (${slicingArguments.join(', ')}), and was given ${sizes.length}`);
  }
  return sizes.length > 0 ? Math.max(...sizes) : assumedSize;
}

/** How many times a field's selection runs per parent: 1 for a non-list, else its sized parent's, its own or the default list size. */
export function instanceCount(field: CostedField, variables: OperationVariables, defaultListSize: number): number {
  if (!field.isList) return 1;
  return (field.sizedBy && expectedListSize(field.sizedBy, variables)) ?? (field.sizing && expectedListSize(field.sizing, variables)) ?? defaultListSize;
}
