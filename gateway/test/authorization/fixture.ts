import { Supergraph } from '@apollo/federation-internals';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { composeSubgraphs } from '../../../scripts/supergraph.js';
import type { Access } from '../../src/authorization/authorize.js';
import { authorizationRules, type AuthorizationRules } from '../../src/authorization/rules.js';
import { SUPPORTED_SUPERGRAPH_FEATURES } from '../../src/authorization/supergraph-features.js';

/**
 * A small supergraph declaring every kind of requirement: on fields, on object types (Invoice), on
 * an interface through its implementation (Node, Named.name), on a scalar and an enum, scopes as
 * OR-of-ANDs, a policy; non-null fields and lists to propagate nulls through; a union to condition on.
 */
export const ACCOUNTS = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", "@requiresScopes", "@policy"])

scalar Secret @requiresScopes(scopes: [["secrets:read"]])
enum Level @authenticated { LOW HIGH }

type Query {
  public: String
  count: Int!
  me: User @authenticated
  users: [User!]!
  user(id: ID!): User
  admin: String @requiresScopes(scopes: [["a", "b"], ["c"]])
  secret: Secret
  level: Level
  node(id: ID!): Node
  named: [Named!]!
  flagged: String @policy(policies: [["flag"]])
  flaggedBoth: String @policy(policies: [["flag", "other"]])
}

interface Node { id: ID! }
interface Named { name: String }

type User implements Node & Named @key(fields: "id") {
  id: ID!
  name: String
  email: String @authenticated
  profile: Profile!
  friends: [User!]
}

type Profile { bio: String ssn: String! @requiresScopes(scopes: [["pii"]]) }

type Pet implements Named { name: String @requiresScopes(scopes: [["pets"]]) }

type Mutation {
  publicAction: Boolean
  protectedAction: Boolean @authenticated
  adminAction: Boolean @requiresScopes(scopes: [["admin"]])
}
`;

export const BILLING = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated"])

type Query { search: [SearchResult!]! }
interface Node { id: ID! }
type Invoice implements Node @key(fields: "id") @authenticated { id: ID! total: Int! }
type User @key(fields: "id") { id: ID! invoices: [Invoice!] }
union SearchResult = User | Invoice
`;

export interface ComposedSupergraph {
  text: string;
  supergraph: Supergraph;
  rules: AuthorizationRules | undefined;
  /** The schema clients see, as Apollo Server hands it to the plugin and the executor. */
  apiSchema: GraphQLSchema;
}

/** Composes subgraphs (name → SDL) and builds the supergraph as the gateway does. */
export function composed(subgraphs: Record<string, string>): ComposedSupergraph {
  const text = composeSubgraphs(Object.entries(subgraphs).map(([name, sdl]) => ({ name, url: `http://${name}.invalid/graphql`, sdl })));
  const supergraph = Supergraph.build(text, { supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES });
  return { text, supergraph, rules: authorizationRules(supergraph.schema), apiSchema: supergraph.apiSchema().toGraphQLJSSchema() };
}

const shopSupergraph = composed({ accounts: ACCOUNTS, billing: BILLING });
export const shop = { ...shopSupergraph, rules: shopSupergraph.rules! };

export const ANONYMOUS: Access = { signedIn: false, scopes: new Set(), policies: new Set() };
export const signedIn = (scopes: readonly string[] = [], policies: readonly string[] = []): Access => ({ signedIn: true, scopes: new Set(scopes), policies: new Set(policies) });

export const gql = (text: string): DocumentNode => parse(text);
