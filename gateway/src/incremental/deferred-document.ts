import {
  Kind,
  OperationTypeNode,
  visit,
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { BadUserInputError } from '@shop/service-kit';

/** One fragment a request defers. */
export interface DeferredFragment {
  /** What the plan knows it by: given here, one per place it is deferred at. */
  label: string;
  /** The client's own label for it; none when it gave none. */
  clientLabel: string | undefined;
  /** The deferred fragment it sits in, if any: its part comes first. */
  parent: string | undefined;
  /** The response keys its own selection adds where it applies: its part's data is those. */
  keys: ReadonlySet<string>;
}

/** A request's operation with what it defers made plain: what the planner plans and the parts are cut from. */
export interface DeferredDocument {
  /** Its operation alone, named fragments written in place, each deferred fragment labelled and its `if` decided. */
  document: DocumentNode;
  /** The fragments deferred, by label, parents before children. */
  fragments: ReadonlyMap<string, DeferredFragment>;
  /** Which of its deferred fragments were on (`if` true), in document order: the plan's cache key beside the document's. */
  decided: string;
}

/**
 * Where a deferred fragment applies, in a part's answer: the key a part's document asks
 * `__typename` under inside the fragment, present in an object only where the fragment's type
 * condition and its `@skip`/`@include` hold. Never sent: withoutMarks takes them out.
 */
const MARK_PREFIX = '__deferApplies_';
export const appliesKey = (label: string) => `${MARK_PREFIX}${label}`;

const labelPrefix = 'defer_';
/**
 * Deferred fragments one operation may have, counted where they are deferred (a named fragment
 * once per place it is spread): each runs the first part's plan again, so their number bounds
 * what one request costs the gateway.
 */
export const MAX_DEFERRED_FRAGMENTS = 16;

/**
 * What the operation `operationName` of `document` defers with `variables`; undefined when it
 * defers nothing (no `@defer`, or every one off by its `if`). Refuses what the incremental
 * delivery RFC forbids: a label that is not a literal string, one label twice, `@defer` on a
 * mutation's root fields; and more than MAX_DEFERRED_FRAGMENTS deferred fragments.
 */
export function deferredDocument(document: DocumentNode, operationName: string | undefined, variables: Readonly<Record<string, unknown>> | undefined): DeferredDocument | undefined {
  const operation = operationOf(document, operationName);
  if (!operation || !mentionsDefer(document)) return undefined;
  const fragments = new Map(document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION).map((definition) => [definition.name.value, definition]));
  checkLabels(document);
  checkAliases(document);
  const defaults = new Map(operation.variableDefinitions?.map((definition) => [definition.variable.name.value, definition.defaultValue]) ?? []);
  const isOn = (directive: DirectiveNode): boolean => {
    const condition = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
    if (!condition) return true;
    if (condition.kind === Kind.BOOLEAN) return condition.value;
    if (condition.kind !== Kind.VARIABLE) return true;
    const name = condition.name.value;
    if (variables && Object.hasOwn(variables, name) && variables[name] !== undefined) return variables[name] !== false;
    const fallback = defaults.get(name);
    return !(fallback?.kind === Kind.BOOLEAN && !fallback.value);
  };
  const deferred = new Map<string, DeferredFragment>();
  const decisions: boolean[] = [];
  const rewrite = (selectionSet: SelectionSetNode, parent: string | undefined, atRoot: boolean): SelectionSetNode => ({
    ...selectionSet,
    selections: selectionSet.selections.map((selection): SelectionNode => {
      if (selection.kind === Kind.FIELD) return selection.selectionSet ? { ...selection, selectionSet: rewrite(selection.selectionSet, parent, false) } : selection;
      const inline: InlineFragmentNode =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection
          : (() => {
              const definition = fragments.get(selection.name.value) as FragmentDefinitionNode;
              return { kind: Kind.INLINE_FRAGMENT, typeCondition: definition.typeCondition, directives: [...(definition.directives ?? []), ...(selection.directives ?? [])], selectionSet: definition.selectionSet };
            })();
      const defer = inline.directives?.find((directive) => directive.name.value === 'defer');
      if (!defer) return { ...inline, selectionSet: rewrite(inline.selectionSet, parent, atRoot) };
      const on = isOn(defer);
      decisions.push(on);
      const others = inline.directives?.filter((directive) => directive !== defer) ?? [];
      if (!on) return { ...inline, directives: others, selectionSet: rewrite(inline.selectionSet, parent, atRoot) };
      if (atRoot && operation.operation !== OperationTypeNode.QUERY) throw new BadUserInputError(`@defer cannot be used on the root fields of a ${operation.operation}`);
      if (deferred.size >= MAX_DEFERRED_FRAGMENTS) throw new BadUserInputError(`An operation may defer at most ${MAX_DEFERRED_FRAGMENTS} fragments (a named fragment counts once per place it is spread)`);
      const label = `${labelPrefix}${deferred.size}`;
      const fragment: DeferredFragment = { label, clientLabel: labelOf(defer), parent, keys: new Set() };
      deferred.set(label, fragment);
      const selectionSet = rewrite(inline.selectionSet, label, atRoot);
      fragment.keys = responseKeys(selectionSet);
      const labelled: DirectiveNode = { ...defer, arguments: [labelArgument(label)] };
      return { ...inline, directives: [...others, labelled], selectionSet };
    }),
  });
  const rewritten: OperationDefinitionNode = { ...operation, selectionSet: rewrite(operation.selectionSet, undefined, true) };
  if (deferred.size === 0) return undefined;
  return { document: { kind: Kind.DOCUMENT, definitions: [rewritten] }, fragments: deferred, decided: decisions.map((on) => (on ? '1' : '0')).join('') };
}

/**
 * The document one part of the response is shaped with: the deferred fragments in `kept` written
 * in as plain fragments, every other one left as a fragment with only its mark (appliesKey), so
 * the part tells where each of its own and of the next ones applies. With nothing kept, the
 * first part's.
 */
export function partDocument(deferred: DeferredDocument, kept: ReadonlySet<string>): DocumentNode {
  return visit(deferred.document, {
    InlineFragment(node) {
      const defer = node.directives?.find((directive) => directive.name.value === 'defer');
      const label = defer && labelOf(defer);
      if (label === undefined) return undefined;
      const mark: FieldNode = { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: appliesKey(label) }, name: { kind: Kind.NAME, value: '__typename' } };
      const directives = node.directives?.filter((directive) => directive !== defer);
      const selections = kept.has(label) ? [mark, ...node.selectionSet.selections] : [mark];
      return { ...node, directives, selectionSet: { ...node.selectionSet, selections } };
    },
  });
}

/** `data` without the marks a part's document asked for (appliesKey): what the client is sent. */
export function withoutMarks(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(withoutMarks);
  if (typeof data !== 'object' || data === null) return data;
  return Object.fromEntries(Object.entries(data).flatMap(([key, value]) => (key.startsWith(MARK_PREFIX) ? [] : [[key, withoutMarks(value)]])));
}

function operationOf(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  return operationName === undefined ? (operations.length === 1 ? operations[0] : undefined) : operations.find((operation) => operation.name?.value === operationName);
}

/** Whether `document` uses `@defer` anywhere. */
export function mentionsDefer(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value !== 'defer') return undefined;
      found = true;
      return false;
    },
  });
  return found;
}

/** Refuses an alias the gateway's marks use (appliesKey): names starting with `__` are GraphQL's own. */
function checkAliases(document: DocumentNode): void {
  visit(document, {
    Field(node) {
      if (node.alias?.value.startsWith(MARK_PREFIX)) throw new BadUserInputError(`The alias ${node.alias.value} is reserved: names starting with __ are GraphQL's own`);
    },
  });
}

/** Refuses a label that is not a literal string and a label used twice, as the RFC's DeferStreamDirectiveLabel rule does. */
function checkLabels(document: DocumentNode): void {
  const seen = new Set<string>();
  visit(document, {
    Directive(node) {
      if (node.name.value !== 'defer') return;
      const argument = node.arguments?.find((candidate) => candidate.name.value === 'label');
      if (!argument) return;
      if (argument.value.kind !== Kind.STRING) throw new BadUserInputError('The label of @defer must be a literal string, not a variable');
      if (seen.has(argument.value.value)) throw new BadUserInputError(`The label "${argument.value.value}" is given to @defer twice: labels must be unique`);
      seen.add(argument.value.value);
    },
  });
}

function labelOf(directive: DirectiveNode): string | undefined {
  const value = directive.arguments?.find((argument) => argument.name.value === 'label')?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function labelArgument(label: string): ArgumentNode {
  return { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'label' }, value: { kind: Kind.STRING, value: label } };
}

/** The response keys a selection set adds at its own level, through the fragments in it that are not deferred themselves. */
function responseKeys(selectionSet: SelectionSetNode, keys = new Set<string>()): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) keys.add(selection.alias?.value ?? selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT && !selection.directives?.some((directive) => directive.name.value === 'defer')) responseKeys(selection.selectionSet, keys);
  }
  return keys;
}
