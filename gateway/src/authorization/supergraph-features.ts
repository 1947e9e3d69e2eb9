import { parse, print, visit, Kind, type ConstDirectiveNode } from 'graphql';
import {
  AuthenticatedSpecDefinition,
  DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES,
  PolicySpecDefinition,
  RequiresScopesSpecDefinition,
} from '@apollo/federation-internals';

/** The features of a supergraph's `@link`s that the gateway enforces itself, by their identity (the URL without its version). */
export const AUTHORIZATION_FEATURES: readonly string[] = [
  AuthenticatedSpecDefinition.identity,
  RequiresScopesSpecDefinition.identity,
  PolicySpecDefinition.identity,
];

/**
 * The linked features a supergraph may mark `for: SECURITY` or `for: EXECUTION` and still be
 * served: @apollo/gateway's own, and the authorization features enforced in ./authorize.ts.
 * (A Set, not a ReadonlySet, because that is what Supergraph.build takes; nothing adds to it.)
 */
export const SUPPORTED_SUPERGRAPH_FEATURES = new Set([
  ...DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES,
  ...AUTHORIZATION_FEATURES.map((identity) => `${identity}/v0.1`),
]);

const isAuthorizationLink = (directive: ConstDirectiveNode) =>
  directive.name.value === 'link' &&
  directive.arguments?.some(
    (argument) => argument.name.value === 'url' && argument.value.kind === Kind.STRING && AUTHORIZATION_FEATURES.some((identity) => (argument.value as { value: string }).value.startsWith(`${identity}/`)),
  );

/**
 * The supergraph as stock @apollo/gateway will load it. It refuses any `for: SECURITY` feature it
 * does not know, and it knows none of the authorization directives: the gateway enforces those
 * before @apollo/gateway sees an operation, so they are handed over as plain metadata (a link
 * without a purpose), which its API schema drops like every other link's.
 */
export function withoutAuthorizationPurpose(supergraphSdl: string): string {
  // Counted in an object: TypeScript does not see the visitor's assignment to a plain variable.
  const relaxed = { links: 0 };
  const document = visit(parse(supergraphSdl), {
    Directive(directive) {
      if (!isAuthorizationLink(directive as ConstDirectiveNode)) return undefined;
      const kept = directive.arguments?.filter((argument) => argument.name.value !== 'for');
      if (kept?.length === directive.arguments?.length) return undefined;
      relaxed.links++;
      return { ...directive, arguments: kept };
    },
  });
  return relaxed.links > 0 ? print(document) : supergraphSdl;
}
