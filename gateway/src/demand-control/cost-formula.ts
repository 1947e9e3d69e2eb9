import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
  Kind,
  OperationTypeNode,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { CostSchema, ListSize } from './cost-schema.js';

/**
 * How a list multiplies a field's own weight. `apollo`: Apollo Router's and Cosmo's reading, where
 * each of the list's objects costs its type's weight (`5 × (1 Book + ...)`), and an input object
 * argument costs 1 unless weighted. `ibm`: the IBM specification's field cost, where the field's
 * own weight (with its arguments', never below zero) counts once per resolver run and the list
 * multiplies only what is selected inside it.
 */
export type CostWeighting = 'apollo' | 'ibm';

export interface CostOptions {
  /** The size assumed for a list no `@listSize` bounds (Apollo Router's `list_size`, Cosmo's `estimated_list_size`). */
  defaultListSize: number;
  weighting?: CostWeighting;
}

/** An operation the estimator cannot cost: a `@listSize` that wants exactly one slicing argument and gets none or several, an unknown operation. */
export class CostEstimateError extends Error {
  override name = 'CostEstimateError';
}

/** `@skip(if:)` / `@include(if:)` on a field or on a fragment around it. */
export interface Condition {
  include: boolean;
  value: ValueNode;
}

/** A field's `@listSize` with the field and the arguments the operation gives it: what sizes its list, or its sized fields'. */
export interface Sizing {
  coordinate: string;
  listSize: ListSize;
  definition: GraphQLField<unknown, unknown>;
  arguments: ReadonlyMap<string, ValueNode>;
}

export interface CostedArgument {
  coordinate: string;
  definition: GraphQLArgument;
  value: ValueNode;
}

/** One field of the operation, resolved against the schema once. */
export interface CostedField {
  responseKey: string;
  coordinate: string;
  /** `@cost` of the field, else of its type, else 1 for objects, interfaces and unions and 0 for scalars and enums. */
  weight: number;
  isList: boolean;
  /** The field's own `@listSize` with its arguments. */
  sizing: Sizing | undefined;
  /** The parent's `@listSize` when this field is one of its `sizedFields`. */
  sizedBy: Sizing | undefined;
  arguments: readonly CostedArgument[];
  conditions: readonly Condition[];
  selection: CostedSelection | undefined;
}

/** A selection set, by the object type it may turn out to be at runtime: an abstract type costs its most expensive possibility. */
export interface CostedSelection {
  byRuntimeType: ReadonlyMap<string, readonly CostedField[]>;
}

/**
 * One operation's cost, resolved against the schema: compile once per document and cache it;
 * `estimatedCost` and `actualCost` then only read variables and data.
 */
export interface CostFormula {
  costs: CostSchema;
  /** 10 for a mutation, as Apollo Router counts it, else 0. */
  baseCost: number;
  selection: CostedSelection;
  variableDefaults: Readonly<Record<string, unknown>>;
  /** The variables the cost depends on (list sizes, `@skip`/`@include`, weighted input values): a cache of estimates keys on these alone. */
  variables: ReadonlySet<string>;
  defaultListSize: number;
  weighting: CostWeighting;
}

const MUTATION_BASE_COST = 10;
/**
 * The most fields an operation may come to once its fragments are spread: fragments spread twice
 * at each of n levels make 2^n fields of a document of a few hundred tokens, which would cost as
 * much to compile. Ten times the ~200 fields the document limits (MAX_TOKENS) let a client write
 * out without fragments; the SDK's largest operation comes to some 40.
 */
export const MAX_COSTED_FIELDS = 2_000;
const isIntrospection = (name: string) => name.startsWith('__');

function selectedOperation(document: DocumentNode, operationName: string | undefined | null): OperationDefinitionNode {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((candidate) => candidate.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) throw new CostEstimateError(operationName ? `no operation named ${operationName} in the document` : 'the document has several operations and no operation name');
  return operation;
}

function conditionsOf(directives: readonly DirectiveNode[] | undefined): Condition[] {
  const conditions: Condition[] = [];
  for (const directive of directives ?? []) {
    if (directive.name.value !== 'skip' && directive.name.value !== 'include') continue;
    const value = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
    if (value) conditions.push({ include: directive.name.value === 'include', value });
  }
  return conditions;
}

/** Collects every variable a value mentions, nested ones included. */
function collectVariables(value: ValueNode, into: Set<string>): void {
  if (value.kind === Kind.VARIABLE) into.add(value.name.value);
  else if (value.kind === Kind.LIST) for (const item of value.values) collectVariables(item, into);
  else if (value.kind === Kind.OBJECT) for (const field of value.fields) collectVariables(field.value, into);
}

class FormulaCompiler {
  readonly variables = new Set<string>();
  private fieldCount = 0;
  private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;

  constructor(
    private readonly costs: CostSchema,
    document: DocumentNode,
  ) {
    this.fragments = new Map(
      document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
    );
  }

  selection(parentType: GraphQLCompositeType, selectionSet: SelectionSetNode, sizedBy: Sizing | undefined): CostedSelection {
    const runtimeTypes = isAbstractType(parentType) ? this.costs.schema.getPossibleTypes(parentType) : [parentType as GraphQLObjectType];
    return { byRuntimeType: new Map(runtimeTypes.map((runtimeType) => [runtimeType.name, this.fieldsFor(runtimeType, selectionSet, sizedBy, [])])) };
  }

  private applies(runtimeType: GraphQLObjectType, typeCondition: string | undefined): boolean {
    if (!typeCondition || typeCondition === runtimeType.name) return true;
    const condition = this.costs.schema.getType(typeCondition);
    return condition !== undefined && isAbstractType(condition) && this.costs.schema.isSubType(condition, runtimeType);
  }

  private fieldsFor(runtimeType: GraphQLObjectType, selectionSet: SelectionSetNode, sizedBy: Sizing | undefined, outerConditions: readonly Condition[]): CostedField[] {
    const fields: CostedField[] = [];
    for (const selection of selectionSet.selections) {
      const conditions = [...outerConditions, ...conditionsOf(selection.directives)];
      for (const condition of conditions) collectVariables(condition.value, this.variables);
      if (selection.kind === Kind.FIELD) {
        if (isIntrospection(selection.name.value)) continue;
        fields.push(this.field(runtimeType, selection, sizedBy, conditions));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (this.applies(runtimeType, selection.typeCondition?.name.value)) fields.push(...this.fieldsFor(runtimeType, selection.selectionSet, sizedBy, conditions));
      } else {
        const fragment = this.fragments.get(selection.name.value);
        if (!fragment) throw new CostEstimateError(`no fragment named ${selection.name.value} in the document`);
        if (this.applies(runtimeType, fragment.typeCondition.name.value)) fields.push(...this.fieldsFor(runtimeType, fragment.selectionSet, sizedBy, conditions));
      }
    }
    return fields;
  }

  private field(
    parentType: GraphQLObjectType,
    node: FieldNode,
    sizedBy: Sizing | undefined,
    conditions: readonly Condition[],
  ): CostedField {
    if (++this.fieldCount > MAX_COSTED_FIELDS) throw new CostEstimateError(`the operation comes to more than ${MAX_COSTED_FIELDS} fields once its fragments are spread`);
    const name = node.name.value;
    const definition = parentType.getFields()[name] as GraphQLField<unknown, unknown> | undefined;
    const coordinate = `${parentType.name}.${name}`;
    if (!definition) throw new CostEstimateError(`${coordinate} is not in the schema`);
    const namedType = getNamedType(definition.type);
    const argumentNodes = new Map((node.arguments ?? []).map((argument) => [argument.name.value, argument.value]));
    const costedArguments: CostedArgument[] = [];
    for (const [argumentName, value] of argumentNodes) {
      const argumentDefinition = definition.args.find((candidate) => candidate.name === argumentName);
      if (!argumentDefinition) throw new CostEstimateError(`${coordinate}(${argumentName}:) is not in the schema`);
      collectVariables(value, this.variables);
      costedArguments.push({ coordinate: `${coordinate}(${argumentName}:)`, definition: argumentDefinition, value });
    }
    const listSize = this.costs.listSizes.get(coordinate);
    const sizing = listSize ? { coordinate, listSize, definition, arguments: argumentNodes } : undefined;
    const childSizing = sizing && sizing.listSize.sizedFields.size > 0 ? sizing : undefined;
    return {
      responseKey: node.alias?.value ?? name,
      coordinate,
      weight: this.costs.weights.get(coordinate) ?? this.costs.weights.get(namedType.name) ?? (isCompositeType(namedType) ? 1 : 0),
      isList: isListType(getNullableType(definition.type)),
      sizing,
      sizedBy: sizedBy?.listSize.sizedFields.has(name) ? sizedBy : undefined,
      arguments: costedArguments,
      conditions,
      selection: node.selectionSet && isCompositeType(namedType) ? this.selection(namedType, node.selectionSet, childSizing) : undefined,
    };
  }
}

/** Resolves an operation against the supergraph's cost declarations; throws CostEstimateError for a document it cannot cost. */
export function compileCostFormula(costs: CostSchema, document: DocumentNode, operationName: string | undefined | null, options: CostOptions): CostFormula {
  const operation = selectedOperation(document, operationName);
  const rootType = costs.schema.getRootType(operation.operation);
  if (!rootType) throw new CostEstimateError(`the schema has no ${operation.operation} type`);
  const compiler = new FormulaCompiler(costs, document);
  const selection = compiler.selection(rootType, operation.selectionSet, undefined);
  const variableDefaults: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
  }
  return {
    costs,
    baseCost: operation.operation === OperationTypeNode.MUTATION ? MUTATION_BASE_COST : 0,
    selection,
    variableDefaults,
    variables: compiler.variables,
    defaultListSize: options.defaultListSize,
    weighting: options.weighting ?? 'apollo',
  };
}
