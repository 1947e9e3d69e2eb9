import {
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type NamedTypeNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { AuthorizationRules, Requirement } from './rules.js';

/** What one request may read: whether it is signed in, and the scopes and policies it holds among those the supergraph names. */
export interface Access {
  signedIn: boolean;
  scopes: ReadonlySet<string>;
  policies: ReadonlySet<string>;
}

/** Why a selection is denied: UNAUTHENTICATED for an anonymous request (signing in may help), FORBIDDEN for a signed-in one. */
export interface Denial {
  code: 'UNAUTHENTICATED' | 'FORBIDDEN';
  /** What requires it: `Type.field`, or `Type` for a field returning it or a fragment on it. */
  coordinate: string;
}

/** A denied selection where the operation has it: the response keys from the root, list positions left out. */
export interface DeniedSelection extends Denial {
  /** A denied field's own path; a dropped fragment's parent's (its type is `coordinate`). */
  path: readonly string[];
  fragment: boolean;
  /** A dropped fragment's enclosing fragments at its parent's level, and itself: it applies where all of them do. */
  conditions?: readonly DroppedFragment[];
}

/** An inline fragment or a spread on a type the request may not read. */
export type DroppedFragment = InlineFragmentNode | FragmentSpreadNode;

export interface AuthorizedOperation {
  /** The operation with every denied selection removed, ready to plan: only what may be read reaches a subgraph. */
  document: DocumentNode;
  /** The client's operation less its dropped fragments: what the answer is completed against. */
  completion: DocumentNode;
  /** The client's denied fields (nodes of the original document, kept in `completion`), and why. */
  denied: ReadonlyMap<FieldNode, Denial>;
  /** The client's dropped fragments, and why. */
  dropped: ReadonlyMap<DroppedFragment, Denial>;
}

/** Most denied selections listed when a whole operation is refused: enough to say what to remove. */
export const MAX_LISTED_DENIALS = 50;

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };
/** Where an object's type is answered when the client gave the key `__typename` to another field. */
export const TYPENAME_KEY = '__authorizationTypename';
const ALIASED_TYPENAME: FieldNode = { ...TYPENAME, alias: { kind: Kind.NAME, value: TYPENAME_KEY } };

export function satisfies(requirement: Requirement, access: Access): boolean {
  if (requirement.authenticated && !access.signedIn) return false;
  const anyAll = (sets: readonly (readonly string[])[], held: ReadonlySet<string>) => sets.some((set) => set.every((entry) => held.has(entry)));
  if (requirement.scopes && !anyAll(requirement.scopes, access.scopes)) return false;
  if (requirement.policies && !anyAll(requirement.policies, access.policies)) return false;
  return true;
}

/** The policies an operation's selections and fragments may need decided, whatever the request: what to ask the policy functions. */
export function policiesOf(schema: GraphQLSchema, rules: AuthorizationRules, document: DocumentNode, operationName: string | undefined | null): string[] {
  if (rules.policies.size === 0) return [];
  const names = new Set<string>();
  const add = (requirement: Requirement | undefined) => requirement?.policies?.flat().forEach((name) => names.add(name));
  const visitSet = (set: SelectionSetNode, parent: GraphQLCompositeType, seen: Set<string>) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = fieldOf(parent, selection.name.value);
        if (!field) continue;
        const type = getNamedType(field.type);
        add(rules.fields.get(`${parent.name}.${field.name}`));
        add(rules.types.get(type.name));
        if (selection.selectionSet) visitSet(selection.selectionSet, type as GraphQLCompositeType, seen);
      } else {
        let inner: { typeCondition?: NamedTypeNode | undefined; selectionSet: SelectionSetNode } = selection as InlineFragmentNode;
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          const fragment = fragmentsOf(document).get(selection.name.value);
          if (!fragment || seen.has(fragment.name.value)) continue;
          seen.add(fragment.name.value);
          inner = fragment;
        }
        const condition = inner.typeCondition?.name.value;
        add(condition ? rules.types.get(condition) : undefined);
        visitSet(inner.selectionSet, condition ? (schema.getType(condition) as GraphQLCompositeType) : parent, seen);
      }
    }
  };
  const operation = operationOf(document, operationName);
  const root = operation && rootType(schema, operation);
  if (operation && root) {
    add(rules.types.get(root.name));
    visitSet(operation.selectionSet, root, new Set());
  }
  return [...names];
}

/**
 * Removes from `document` each selection `access` may not read, before it is planned: a field
 * whose own requirement or whose type's fails, and an inline fragment or spread on a type whose
 * requirement fails. A selection set left empty asks for `__typename` instead, so its parent
 * still answers; abstract selections ask for `__typename` too, so that the answer can be
 * completed (./complete.ts). Only the chosen operation is kept, with the fragments it still
 * spreads. Undefined when nothing is denied.
 *
 * Two documents come out: the one to plan, and the one to complete the answer with, which is the
 * client's own less the dropped fragments. A denied field answers null with an error (and its null
 * propagates); a dropped fragment's fields are left out of the objects it would have applied to,
 * as if the fragment had not been asked for, so that one guarded member of a list does not null
 * the whole list, and an error says so at each such object.
 */
export function authorize(
  schema: GraphQLSchema,
  rules: AuthorizationRules,
  document: DocumentNode,
  operationName: string | undefined | null,
  access: Access,
): AuthorizedOperation | undefined {
  const operation = operationOf(document, operationName);
  const root = operation && rootType(schema, operation);
  if (!operation || !root) return undefined;
  const fragments = fragmentsOf(document);
  const denied = new Map<FieldNode, Denial>();
  const dropped = new Map<DroppedFragment, Denial>();
  const denialOf = (requirement: Requirement | undefined, coordinate: string): Denial | undefined =>
    requirement && !satisfies(requirement, access) ? { code: access.signedIn ? 'FORBIDDEN' : 'UNAUTHENTICATED', coordinate } : undefined;
  const typeDenial = (typeName: string) => denialOf(rules.types.get(typeName), typeName);

  /** The selection set to plan and the one to complete with. */
  const filterSet = (set: SelectionSetNode, parent: GraphQLCompositeType): { planned: SelectionSetNode; completion: SelectionSetNode } => {
    const planned: SelectionNode[] = [];
    const completion: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = selection.name.value.startsWith('__') ? undefined : fieldOf(parent, selection.name.value);
        if (!field) {
          planned.push(selection);
          completion.push(selection);
          continue;
        }
        const type = getNamedType(field.type);
        const denial =
          denialOf(rules.fields.get(`${parent.name}.${field.name}`), `${parent.name}.${field.name}`) ?? typeDenial(type.name) ?? (parent === root ? typeDenial(root.name) : undefined);
        if (denial) {
          denied.set(selection, denial);
          completion.push(selection);
        } else if (selection.selectionSet) {
          const inner = filterSet(selection.selectionSet, type as GraphQLCompositeType);
          planned.push({ ...selection, selectionSet: inner.planned });
          completion.push({ ...selection, selectionSet: inner.completion });
        } else {
          planned.push(selection);
          completion.push(selection);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value;
        const denial = condition ? typeDenial(condition) : undefined;
        if (denial) {
          dropped.set(selection, denial);
          continue;
        }
        const inner = filterSet(selection.selectionSet, condition ? (schema.getType(condition) as GraphQLCompositeType) : parent);
        planned.push({ ...selection, selectionSet: inner.planned });
        completion.push({ ...selection, selectionSet: inner.completion });
      } else {
        const fragment = fragments.get(selection.name.value);
        const denial = fragment ? typeDenial(fragment.typeCondition.name.value) : undefined;
        if (denial) {
          dropped.set(selection, denial);
          continue;
        }
        planned.push(selection);
        completion.push(selection);
      }
    }
    const fields = planned.filter((selection) => selection.kind === Kind.FIELD);
    const asksTypename = fields.some((selection) => selection.name.value === '__typename' && !selection.alias && !selection.directives?.length);
    const keyTaken = fields.some((selection) => selection.alias?.value === '__typename' && selection.name.value !== '__typename');
    if (!asksTypename && (planned.length === 0 || isAbstractType(parent))) planned.push(keyTaken ? ALIASED_TYPENAME : TYPENAME);
    return { planned: { ...set, selections: planned }, completion: { ...set, selections: completion } };
  };

  const filtered = filterSet(operation.selectionSet, root);
  // Only the fragments this operation spreads: another operation's cannot deny anything here.
  const plannedFragments = new Map<string, FragmentDefinitionNode>();
  const completionFragments = new Map<string, FragmentDefinitionNode>();
  for (const name of spreadFragments(operation, fragments)) {
    const fragment = fragments.get(name)!;
    const inner = filterSet(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType);
    plannedFragments.set(name, { ...fragment, selectionSet: inner.planned });
    completionFragments.set(name, { ...fragment, selectionSet: inner.completion });
  }
  if (denied.size === 0 && dropped.size === 0) return undefined;
  const documentOf = (selectionSet: SelectionSetNode, definitions: ReadonlyMap<string, FragmentDefinitionNode>): DocumentNode => {
    const definition: OperationDefinitionNode = { ...operation, selectionSet };
    return { kind: Kind.DOCUMENT, definitions: [definition, ...[...spreadFragments(definition, definitions)].map((name) => definitions.get(name)!)] };
  };
  return {
    document: documentOf(filtered.planned, plannedFragments),
    completion: documentOf(filtered.completion, completionFragments),
    denied,
    dropped,
  };
}

/**
 * Where the operation has each denied field and dropped fragment, by response keys from the root
 * (a fragment at its parent's path): what a refused operation lists, and where a dropped
 * fragment's objects are looked for. At most MAX_LISTED_DENIALS; subtrees without a denial are
 * not walked, so a document of many fragments costs no more than its denied paths.
 */
export function deniedSelections(
  document: DocumentNode,
  operationName: string | undefined | null,
  authorized: Pick<AuthorizedOperation, 'denied' | 'dropped'>,
): DeniedSelection[] {
  const operation = operationOf(document, operationName);
  if (!operation) return [];
  const { denied, dropped } = authorized;
  const fragments = fragmentsOf(document);
  const listed: DeniedSelection[] = [];
  const innerOf = (selection: InlineFragmentNode | FragmentSpreadNode) =>
    selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value)?.selectionSet;
  let fields = 0;
  let fragmentsListed = 0;
  const memos = { field: new Map<SelectionSetNode, boolean>(), fragment: new Map<SelectionSetNode, boolean>() };
  /** Whether `set` holds a denied field (kind field) or a dropped fragment (kind fragment) to list. */
  const contains = (kind: 'field' | 'fragment', set: SelectionSetNode): boolean => {
    const memo = memos[kind];
    let known = memo.get(set);
    if (known === undefined) {
      memo.set(set, false); // a fragment cycle, which validation refuses anyway, ends here
      known = set.selections.some((selection) => {
        if (selection.kind === Kind.FIELD) return (kind === 'field' && denied.has(selection)) || (selection.selectionSet !== undefined && contains(kind, selection.selectionSet));
        if (dropped.has(selection)) return kind === 'fragment';
        const inner = innerOf(selection);
        return inner !== undefined && contains(kind, inner);
      });
      memo.set(set, known);
    }
    return known;
  };
  const worthWalking = (set: SelectionSetNode) => (fields < MAX_LISTED_DENIALS && contains('field', set)) || (fragmentsListed < MAX_LISTED_DENIALS && contains('fragment', set));
  const walk = (set: SelectionSetNode, path: string[], enclosing: readonly DroppedFragment[]) => {
    for (const selection of set.selections) {
      if (fields >= MAX_LISTED_DENIALS && fragmentsListed >= MAX_LISTED_DENIALS) return;
      if (selection.kind === Kind.FIELD) {
        const key = (selection.alias ?? selection.name).value;
        const denial = denied.get(selection);
        if (denial) {
          if (fields++ < MAX_LISTED_DENIALS) listed.push({ ...denial, path: [...path, key], fragment: false });
        } else if (selection.selectionSet && worthWalking(selection.selectionSet)) walk(selection.selectionSet, [...path, key], []);
        continue;
      }
      const denial = dropped.get(selection);
      if (denial) {
        if (fragmentsListed++ < MAX_LISTED_DENIALS) listed.push({ ...denial, path, fragment: true, conditions: [...enclosing, selection] });
        continue;
      }
      const inner = innerOf(selection);
      if (inner && worthWalking(inner)) walk(inner, path, [...enclosing, selection]);
    }
  };
  walk(operation.selectionSet, [], []);
  return listed;
}

function fieldOf(parent: GraphQLCompositeType, name: string) {
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

export function operationOf(document: DocumentNode, operationName: string | undefined | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((operation) => operation.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
}

function rootType(schema: GraphQLSchema, operation: OperationDefinitionNode) {
  if (operation.operation === OperationTypeNode.QUERY) return schema.getQueryType();
  if (operation.operation === OperationTypeNode.MUTATION) return schema.getMutationType();
  return schema.getSubscriptionType();
}

const fragmentMaps = new WeakMap<DocumentNode, ReadonlyMap<string, FragmentDefinitionNode>>();
function fragmentsOf(document: DocumentNode): ReadonlyMap<string, FragmentDefinitionNode> {
  let fragments = fragmentMaps.get(document);
  if (!fragments) {
    fragments = new Map(
      document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
    );
    fragmentMaps.set(document, fragments);
  }
  return fragments;
}

/** The fragments `operation` spreads, directly or through other fragments, in the order first met. */
function spreadFragments(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): Set<string> {
  const names = new Set<string>();
  const visitSet = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || names.has(fragment.name.value)) continue;
        names.add(fragment.name.value);
        visitSet(fragment.selectionSet);
      } else if (selection.selectionSet) visitSet(selection.selectionSet);
    }
  };
  visitSet(operation.selectionSet);
  return names;
}
