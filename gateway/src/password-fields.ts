import { Kind, OperationTypeNode, valueFromASTUntyped, type DocumentNode, type FieldNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { RefusedInputError } from './refused-input.js';
import { rootFields } from './root-fields.js';

/**
 * What password work a root field asks of users: `login` checks one by email, `register` sets one,
 * `currentPassword` checks the signed-in user's (`changePassword`, which also sets one, `deleteMe`,
 * and `updateMe` when its input carries `currentPassword`). Each is a slow hash: the one place that
 * says which fields cost one.
 */
export type PasswordWork = { kind: 'login'; email: string } | { kind: 'register' } | { kind: 'currentPassword' };

export interface PasswordField {
  field: FieldNode;
  work: PasswordWork;
}

/** The root fields of a mutation that hash a password, in document order. */
export function passwordFields(document: DocumentNode, operation: OperationDefinitionNode, given: Record<string, unknown> | undefined): PasswordField[] {
  if (operation.operation !== OperationTypeNode.MUTATION) return [];
  const variables = variablesOf(operation, given);
  return rootFields(document, operation).flatMap((field) => {
    const work = passwordWorkOf(field, variables);
    return work ? [{ field, work }] : [];
  });
}

/**
 * At most one password hash per operation: mutation fields run one after another, so aliases of
 * `register` or `login` in one request would each run a slow hash while the request's rate-limit
 * point was taken once. The second is refused before any runs.
 */
export function requireOnePasswordField(fields: readonly PasswordField[]): void {
  const second = fields[1];
  if (second) {
    throw new RefusedInputError('At most one field that checks or sets a password (login, register, changePassword, deleteMe, updateMe with currentPassword) per operation', second.field.name.value);
  }
}

function passwordWorkOf(field: FieldNode, variables: Map<string, unknown>): PasswordWork | undefined {
  switch (field.name.value) {
    case 'login':
      return { kind: 'login', email: stringArgument(field, 'email', variables) };
    case 'register':
      return { kind: 'register' };
    case 'changePassword':
    case 'deleteMe':
      return { kind: 'currentPassword' };
    case 'updateMe':
      return carriesField(field.arguments?.find((argument) => argument.name.value === 'input')?.value, 'currentPassword', variables) ? { kind: 'currentPassword' } : undefined;
    default:
      return undefined;
  }
}

/**
 * The variables as the operation will see them: the request's, else a definition's default
 * (written in the document, so a client could vary it at every attempt), as a literal value.
 */
function variablesOf(operation: OperationDefinitionNode, given: Record<string, unknown> | undefined): Map<string, unknown> {
  const variables = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const value = given?.[name];
    variables.set(name, value !== undefined ? value : definition.defaultValue && valueFromASTUntyped(definition.defaultValue));
  }
  return variables;
}

/** Whether an input object, written inline or given as a variable, has a non-null `name`. */
function carriesField(value: ValueNode | undefined, name: string, variables: Map<string, unknown>): boolean {
  if (value?.kind === Kind.VARIABLE) {
    const given = variables.get(value.name.value);
    return typeof given === 'object' && given !== null && (given as Record<string, unknown>)[name] != null;
  }
  if (value?.kind !== Kind.OBJECT) return false;
  const inner = value.fields.find((field) => field.name.value === name)?.value;
  if (inner?.kind === Kind.VARIABLE) return variables.get(inner.name.value) != null;
  return inner !== undefined && inner.kind !== Kind.NULL;
}

/** A string argument as written, as a variable or as its default; '' when it is none of those (validation refuses those anyway). */
function stringArgument(field: FieldNode, name: string, variables: Map<string, unknown>): string {
  const value = field.arguments?.find((argument) => argument.name.value === name)?.value;
  if (value?.kind === Kind.STRING) return value.value;
  if (value?.kind === Kind.VARIABLE) {
    const given = variables.get(value.name.value);
    return typeof given === 'string' ? given : '';
  }
  return '';
}
