import { getArgumentValues, getDirectiveValues, GraphQLIncludeDirective, GraphQLSkipDirective, Kind, OperationTypeNode, type FieldNode, type GraphQLResolveInfo, type SelectionNode, type SelectionSetNode } from 'graphql';
import { BadUserInputError } from '@shop/service-kit';

/** Root fields that hash a password the client sends, always. */
const ALWAYS = new Set(['login', 'register', 'changePassword', 'deleteMe']);
/** ...and updateMe, when its input carries the current password. */
const WITH_CURRENT_PASSWORD = 'updateMe';

/**
 * Refuses (BAD_USER_INPUT) an operation with more than one root field that hashes a password, so
 * that one request costs at most one hash of a client's choosing (aliases would let it ask for
 * dozens, run one after the other). Every such field calls it before it hashes anything: the
 * first of them already sees the whole operation, so none runs.
 */
export function requireOnePasswordField(info: GraphQLResolveInfo): void {
  if (info.operation.operation !== OperationTypeNode.MUTATION || countPasswordFields(info) <= 1) return;
  throw new BadUserInputError(
    'A request may check or set at most one password: send login, register, changePassword, deleteMe or updateMe with currentPassword one at a time',
  );
}

/** The root fields of the operation that will run (skip and include applied), one per response key. */
function countPasswordFields(info: GraphQLResolveInfo): number {
  const fields = new Map<string, FieldNode>();
  const visitedFragments = new Set<string>();
  const included = (node: SelectionNode) => {
    const skip = getDirectiveValues(GraphQLSkipDirective, node, info.variableValues);
    const include = getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues);
    return skip?.if !== true && include?.if !== false;
  };
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        // Fields under one response key run once (validation makes their arguments equal).
        if (!fields.has(key)) fields.set(key, selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else if (!visitedFragments.has(selection.name.value)) {
        visitedFragments.add(selection.name.value);
        const fragment = info.fragments[selection.name.value];
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  collect(info.operation.selectionSet);

  return [...fields.values()].filter((field) => hashesPassword(field, info)).length;
}

function hashesPassword(field: FieldNode, info: GraphQLResolveInfo): boolean {
  const name = field.name.value;
  if (ALWAYS.has(name)) return true;
  const definition = name === WITH_CURRENT_PASSWORD ? info.schema.getMutationType()?.getFields()[name] : undefined;
  if (!definition) return false;
  const args = getArgumentValues(definition, field, info.variableValues) as { input?: { currentPassword?: unknown } };
  return args.input?.currentPassword != null;
}
