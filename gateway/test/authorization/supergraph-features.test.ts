import { ApolloGateway } from '@apollo/gateway';
import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { parse, print, printSchema, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { testLogger } from '../../../test/support/logger.js';
import { AUTHORIZATION_FEATURES, SUPPORTED_SUPERGRAPH_FEATURES, withoutAuthorizationPurpose } from '../../src/authorization/supergraph-features.js';
import { composed, shop } from './fixture.js';

/** The API schema stock @apollo/gateway serves for `supergraphSdl`: what the gateway hands it. */
async function stockApiSchema(supergraphSdl: string): Promise<GraphQLSchema> {
  const gateway = new ApolloGateway({ supergraphSdl, logger: testLogger('stock-gateway') });
  try {
    return (await gateway.load()).schema;
  } finally {
    await gateway.stop();
  }
}

const RENAMING = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: [{ name: "@authenticated", as: "@signedIn" }, "@policy"])
type Query { secret: String @signedIn  ruled: String @policy(policies: [["p"]]) }
`;

describe('the supergraph handed to stock @apollo/gateway (withoutAuthorizationPurpose)', () => {
  it('supports the three authorization features at v0.1 besides what @apollo/gateway supports', () => {
    expect(AUTHORIZATION_FEATURES).toEqual(['https://specs.apollo.dev/authenticated', 'https://specs.apollo.dev/requiresScopes', 'https://specs.apollo.dev/policy']);
    for (const feature of DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES) expect(SUPPORTED_SUPERGRAPH_FEATURES.has(feature)).toBe(true);
    expect([...SUPPORTED_SUPERGRAPH_FEATURES].filter((feature) => !DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES.has(feature)).sort()).toEqual([
      'https://specs.apollo.dev/authenticated/v0.1',
      'https://specs.apollo.dev/policy/v0.1',
      'https://specs.apollo.dev/requiresScopes/v0.1',
    ]);
  });

  it('is needed: stock @apollo/gateway refuses a supergraph that links the authorization features for SECURITY', async () => {
    await expect(stockApiSchema(shop.text)).rejects.toThrow(/authenticated\/v0\.1 is for: SECURITY but is unsupported/);
  });

  it('removes only the purpose of the authorization links, and stock @apollo/gateway then loads it with the same API schema', async () => {
    const stripped = withoutAuthorizationPurpose(shop.text);
    // The same document but for those three `for: SECURITY` (join's `for: EXECUTION` stays).
    expect(print(parse(stripped))).toBe(print(parse(shop.text.replaceAll(', for: SECURITY)', ')'))));
    expect(stripped).toContain('@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)');
    // The directives stay, as metadata: their applications are still there.
    expect(stripped).toMatch(/email: String @join__field\(graph: ACCOUNTS\) @authenticated/);
    const served = await stockApiSchema(stripped);
    expect(printSchema(served)).toBe(printSchema(shop.apiSchema));
    // ...which shows none of the directives.
    expect(printSchema(served)).not.toMatch(/@authenticated|@requiresScopes|@policy/);
  });

  it('handles renamed imports, and leaves a stripped supergraph as it is', async () => {
    const { text, apiSchema } = composed({ renaming: RENAMING });
    expect(text).toContain('import: [{name: "@authenticated", as: "@signedIn"}]');
    const stripped = withoutAuthorizationPurpose(text);
    expect(stripped).not.toContain('for: SECURITY');
    expect(stripped).toContain('import: [{name: "@authenticated", as: "@signedIn"}]');
    expect(printSchema(await stockApiSchema(stripped))).toBe(printSchema(apiSchema));
    expect(withoutAuthorizationPurpose(stripped)).toBe(stripped);
  });

  it('leaves a supergraph without authorization links byte for byte as it was', () => {
    const { text } = composed({
      plain: `
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@inaccessible"])
        type Query { public: String  hidden: String @inaccessible }
      `,
    });
    expect(text).toContain('for: SECURITY'); // @inaccessible's link is for SECURITY, and is none of ours
    expect(withoutAuthorizationPurpose(text)).toBe(text);
  });

  it('yields a supergraph that builds with the default features, declaring the same rules', () => {
    const stripped = withoutAuthorizationPurpose(shop.text);
    const rebuilt = Supergraph.build(stripped);
    expect(printSchema(rebuilt.apiSchema().toGraphQLJSSchema())).toBe(printSchema(shop.apiSchema));
  });
});
