import { GraphQLError, Kind, type ASTNode, type EnumValueNode, type FloatValueNode, type IntValueNode, type StringValueNode, type ValidationRule } from 'graphql';
import { RefusedInputError } from './refused-input.js';

/**
 * The longest string a client may send as an argument or variable by default: above anything the
 * shop accepts (a product's description, 5000 characters, is its longest), far below what would
 * cost memory as a rate-limit key, a cache key or a log line.
 */
export const DEFAULT_MAX_STRING_LENGTH = 8192;

/**
 * The longest name a document may hold (an alias, an operation, fragment, variable, argument,
 * field, type or directive name). Names are the client's choice too (an alias, an operation name)
 * and land in logs, metrics and cache keys; a schema's own names are a few dozen characters at
 * most, far below it, so it is fixed rather than configured.
 */
export const MAX_NAME_LENGTH = 256;

const tooLong = (field: string, maxLength: number) => `${field} is longer than ${maxLength} characters`;

/** What a name names, by the node that holds it: what a refusal says. */
const NAMED_BY: Partial<Record<Kind, string>> = {
  [Kind.OPERATION_DEFINITION]: 'operation name',
  [Kind.FRAGMENT_DEFINITION]: 'fragment name',
  [Kind.FRAGMENT_SPREAD]: 'fragment name',
  [Kind.VARIABLE]: 'variable name',
  [Kind.ARGUMENT]: 'argument name',
  [Kind.OBJECT_FIELD]: 'input field name',
  [Kind.DIRECTIVE]: 'directive name',
  [Kind.NAMED_TYPE]: 'type name',
};

/**
 * Refuses a document holding a literal longer than `maxLength` characters in an argument (of a
 * field or a directive, in input objects and lists) or a variable's default value, whatever its
 * type: a string, and as much a number (`product(id: 999…)`) or an enum value, whose digits or
 * name are the client's choice as much. And any name (alias, operation, fragment, variable,
 * argument, field) longer than MAX_NAME_LENGTH. A validation rule, so the refusal comes before the
 * document is cached, planned or read by any plugin (BAD_USER_INPUT naming the argument, or what
 * the name names).
 */
export function stringLengthRule(maxLength: number): ValidationRule {
  return (context) => {
    const literal = (node: StringValueNode | IntValueNode | FloatValueNode | EnumValueNode, parent: unknown, ancestors: readonly (ASTNode | readonly ASTNode[])[]) => {
      if (node.value.length <= maxLength) return;
      const field = fieldOf(parent ? [...ancestors, parent as ASTNode] : ancestors);
      context.reportError(new GraphQLError(tooLong(field, maxLength), { nodes: node, extensions: { code: 'BAD_USER_INPUT', field } }));
    };
    return {
      StringValue: (node, _key, parent, _path, ancestors) => literal(node, parent, ancestors),
      IntValue: (node, _key, parent, _path, ancestors) => literal(node, parent, ancestors),
      FloatValue: (node, _key, parent, _path, ancestors) => literal(node, parent, ancestors),
      EnumValue: (node, _key, parent, _path, ancestors) => literal(node, parent, ancestors),
      Name(node, key, parent) {
        if (node.value.length <= MAX_NAME_LENGTH) return;
        const holder = parent && 'kind' in parent ? parent : undefined;
        const field = holder?.kind === Kind.FIELD ? (key === 'alias' ? 'alias' : 'field name') : ((holder && NAMED_BY[holder.kind]) ?? 'name');
        context.reportError(new GraphQLError(tooLong(field, MAX_NAME_LENGTH), { nodes: node, extensions: { code: 'BAD_USER_INPUT', field } }));
      },
    };
  };
}

/** The argument or variable a literal is in, with the input fields leading to it (`input.email`). */
function fieldOf(ancestors: readonly (ASTNode | readonly ASTNode[])[]): string {
  const names: string[] = [];
  for (let index = ancestors.length - 1; index >= 0; index -= 1) {
    const ancestor = ancestors[index]!;
    if (!('kind' in ancestor)) continue;
    if (ancestor.kind === Kind.OBJECT_FIELD) names.unshift(ancestor.name.value);
    else if (ancestor.kind === Kind.ARGUMENT) return [ancestor.name.value, ...names].join('.');
    else if (ancestor.kind === Kind.VARIABLE_DEFINITION) return [ancestor.variable.name.value, ...names].join('.');
  }
  return names.join('.');
}

/**
 * Refuses a request whose variables hold a string longer than `maxLength` anywhere (in input
 * objects and lists, and in variables the operation does not declare), before anything reads them.
 * Walked without recursion: a body may nest arrays a hundred thousand deep.
 */
export function requireShortVariables(variables: Record<string, unknown> | undefined, maxLength: number): void {
  if (!variables) return;
  interface Step {
    value: unknown;
    key: string;
    parent: Step | undefined;
  }
  const pending: Step[] = Object.entries(variables).map(([key, value]) => ({ value, key, parent: undefined }));
  for (let step = pending.pop(); step; step = pending.pop()) {
    const { value } = step;
    if (typeof value === 'string') {
      if (value.length > maxLength) throw new RefusedInputError(tooLong(pathOf(step), maxLength), pathOf(step));
    } else if (Array.isArray(value)) {
      value.forEach((item: unknown, index) => pending.push({ value: item, key: `[${index}]`, parent: step }));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) pending.push({ value: item, key: `.${key}`, parent: step });
    }
  }

  function pathOf(step: Step): string {
    let path = '';
    for (let at: Step | undefined = step; at; at = at.parent) path = at.key + path;
    return path;
  }
}
