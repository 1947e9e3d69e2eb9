import {
  AUTHENTICATED_VERSIONS,
  FieldDefinition,
  POLICY_VERSIONS,
  REQUIRES_SCOPES_VERSIONS,
  type DirectiveDefinition,
  type Schema,
} from '@apollo/federation-internals';
import { AuthenticatedSpecDefinition, PolicySpecDefinition, RequiresScopesSpecDefinition } from '@apollo/federation-internals';

/**
 * What reading one field, or any field of one type, requires: a signed-in user, and scopes and
 * policies in disjunctive normal form as the directives give them (any one inner list, all of
 * its entries). Composition has already ANDed each coordinate's requirements across subgraphs.
 */
export interface Requirement {
  authenticated: boolean;
  scopes: readonly (readonly string[])[] | undefined;
  policies: readonly (readonly string[])[] | undefined;
}

/** A supergraph's declared authorization, read once per supergraph. */
export interface AuthorizationRules {
  /** By field coordinate, `Type.field`. */
  fields: ReadonlyMap<string, Requirement>;
  /** By type name: any field returning the type needs it, and so does a fragment on it. */
  types: ReadonlyMap<string, Requirement>;
  /** Every scope and policy named: a token's other scopes cannot change an outcome, so they are no part of a cache key. */
  scopes: ReadonlySet<string>;
  policies: ReadonlySet<string>;
}

type Feature = { identity: string };
const featureDirective = <Spec>(
  schema: Schema,
  feature: Feature,
  versions: { find(version: never): Spec | undefined },
  directiveOf: (spec: Spec) => DirectiveDefinition | undefined,
): DirectiveDefinition | undefined => {
  const linked = schema.coreFeatures?.getByIdentity(feature.identity);
  if (!linked) return undefined;
  const spec = versions.find(linked.url.version as never);
  if (!spec) throw new Error(`the supergraph links ${linked.url.toString()}, a version of ${feature.identity} this gateway does not know`);
  return directiveOf(spec);
};

/** The authorization a supergraph declares; undefined when it declares none. */
export function authorizationRules(schema: Schema): AuthorizationRules | undefined {
  const directives = {
    authenticated: featureDirective(schema, AuthenticatedSpecDefinition, AUTHENTICATED_VERSIONS, (spec) => spec.authenticatedDirective(schema)),
    scopes: featureDirective(schema, RequiresScopesSpecDefinition, REQUIRES_SCOPES_VERSIONS, (spec) => spec.requiresScopesDirective(schema)),
    policies: featureDirective(schema, PolicySpecDefinition, POLICY_VERSIONS, (spec) => spec.policyDirective(schema)),
  };
  const fields = new Map<string, Requirement>();
  const types = new Map<string, Requirement>();
  const scopes = new Set<string>();
  const policies = new Set<string>();
  const requirementAt = (element: unknown): Requirement => {
    const isField = element instanceof FieldDefinition;
    const coordinate = (element as { coordinate: string }).coordinate;
    const byCoordinate = isField ? fields : types;
    let requirement = byCoordinate.get(coordinate);
    if (!requirement) byCoordinate.set(coordinate, (requirement = { authenticated: false, scopes: undefined, policies: undefined }));
    return requirement;
  };
  for (const application of directives.authenticated?.applications() ?? []) requirementAt(application.parent).authenticated = true;
  for (const application of directives.scopes?.applications() ?? []) {
    const sets = (application.arguments() as { scopes: string[][] }).scopes;
    requirementAt(application.parent).scopes = sets;
    for (const scope of sets.flat()) scopes.add(scope);
  }
  for (const application of directives.policies?.applications() ?? []) {
    const sets = (application.arguments() as { policies: string[][] }).policies;
    requirementAt(application.parent).policies = sets;
    for (const policy of sets.flat()) policies.add(policy);
  }
  if (fields.size === 0 && types.size === 0) return undefined;
  return { fields, types, scopes, policies };
}
