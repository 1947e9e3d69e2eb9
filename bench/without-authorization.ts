import { Kind, parse, print, visit, type ConstDirectiveNode } from 'graphql';
import { AUTHORIZATION_FEATURES } from '../gateway/src/authorization/supergraph-features.js';

/**
 * The names a supergraph's authorization links give their directives (and, `<name>__`, their
 * types): each link's `as`, else the feature's own name (`authenticated`, `requiresScopes`,
 * `policy`). Composition writes the links without `import`, so that is all there is to read.
 */
function authorizationNames(links: readonly ConstDirectiveNode[]): Set<string> {
  const names = new Set<string>();
  for (const link of links) {
    const argument = (name: string) => {
      const value = link.arguments?.find((candidate) => candidate.name.value === name)?.value;
      return value?.kind === Kind.STRING ? value.value : undefined;
    };
    const url = argument('url');
    const identity = AUTHORIZATION_FEATURES.find((feature) => url?.startsWith(`${feature}/`));
    if (identity) names.add(argument('as') ?? identity.slice(identity.lastIndexOf('/') + 1));
  }
  return names;
}

const isAuthorizationLink = (directive: ConstDirectiveNode) =>
  directive.name.value === 'link' &&
  directive.arguments?.some((argument) => argument.name.value === 'url' && argument.value.kind === Kind.STRING && AUTHORIZATION_FEATURES.some((feature) => (argument.value as { value: string }).value.startsWith(`${feature}/`)));

/**
 * The same supergraph with no declared authorization: every `@authenticated`, `@requiresScopes`
 * and `@policy` application removed, with their definitions, their scalars and their `@link`s.
 * The bench serves it to a second instance of our gateway, so that one run measures what
 * enforcing the directives costs (issue 32: within 5% of CPU per request). Derived at each run
 * from supergraph.graphql, so it never drifts from the composed one.
 */
export function withoutDeclaredAuthorization(supergraphSdl: string): string {
  const document = parse(supergraphSdl);
  const links: ConstDirectiveNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION) links.push(...(definition.directives ?? []).filter(isAuthorizationLink));
  }
  const names = authorizationNames(links);
  if (!names.size) return supergraphSdl;
  const ownType = (name: string) => [...names].some((feature) => name.startsWith(`${feature}__`));
  return print(
    visit(document, {
      // null removes the node.
      Directive: (directive) => (names.has(directive.name.value) || isAuthorizationLink(directive as ConstDirectiveNode) ? null : undefined),
      DirectiveDefinition: (definition) => (names.has(definition.name.value) ? null : undefined),
      ScalarTypeDefinition: (definition) => (ownType(definition.name.value) ? null : undefined),
    }),
  );
}
