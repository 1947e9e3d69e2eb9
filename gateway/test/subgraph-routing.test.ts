import { describe, expect, it } from 'vitest';
import { ConfigError } from '@shop/service-kit';
import { loadConfig } from '../src/config.js';
import { readinessUrlOf } from '../src/readiness.js';
import { endpointVariable, NO_OVERRIDES, routeSubgraphs, unusedOverrides } from '../src/subgraph-routing.js';

const SUBGRAPHS = [
  { name: 'users', url: 'http://accounts.internal/api/graphql' },
  { name: 'inventory-v2', url: 'http://inventory.internal:8080/graphql?tenant=a' },
];

describe("subgraph routing", () => {
  it("routes every subgraph to the supergraph's own URL when nothing overrides it", () => {
    expect(Object.fromEntries(routeSubgraphs(SUBGRAPHS, NO_OVERRIDES))).toEqual({
      users: 'http://accounts.internal/api/graphql',
      'inventory-v2': 'http://inventory.internal:8080/graphql?tenant=a',
    });
  });

  it('uses a SUBGRAPH_<NAME>_URL override exactly as given, path and query included', () => {
    expect(endpointVariable('inventory-v2')).toBe('SUBGRAPH_INVENTORY_V2_URL');
    const routes = routeSubgraphs(SUBGRAPHS, { endpoints: { SUBGRAPH_INVENTORY_V2_URL: 'https://edge.example/inv/gql?x=1' }, bases: {} });
    expect(routes.get('inventory-v2')).toBe('https://edge.example/inv/gql?x=1');
    expect(routes.get('users')).toBe('http://accounts.internal/api/graphql');
  });

  it("serves a shop service's base URL (USERS_URL) at graphql beneath its path, and lets the exact override win", () => {
    expect(routeSubgraphs(SUBGRAPHS, { endpoints: {}, bases: { users: 'http://127.0.0.1:4101' } }).get('users')).toBe('http://127.0.0.1:4101/graphql');
    expect(routeSubgraphs(SUBGRAPHS, { endpoints: {}, bases: { users: 'http://proxy.internal/users' } }).get('users')).toBe('http://proxy.internal/users/graphql');
    const both = { endpoints: { SUBGRAPH_USERS_URL: 'http://exact.internal/q' }, bases: { users: 'http://127.0.0.1:4101' } };
    expect(routeSubgraphs(SUBGRAPHS, both).get('users')).toBe('http://exact.internal/q');
  });

  it('refuses an override two subgraph names share, and one for a subgraph with no URL at all', () => {
    const clashing = [
      { name: 'inventory-v2', url: 'http://a/graphql' },
      { name: 'inventory_v2', url: 'http://b/graphql' },
    ];
    expect(() => routeSubgraphs(clashing, NO_OVERRIDES).size).not.toThrow();
    expect(() => routeSubgraphs(clashing, { endpoints: { SUBGRAPH_INVENTORY_V2_URL: 'http://c/graphql' }, bases: {} })).toThrow(/both subgraph/);
    expect(() => routeSubgraphs([{ name: 'local', url: undefined }], NO_OVERRIDES)).toThrow(/SUBGRAPH_LOCAL_URL/);
  });

  it("asks a subgraph's readiness beside its endpoint, under any path prefix", () => {
    expect(readinessUrlOf('http://products:4002/graphql')).toBe('http://products:4002/ready');
    expect(readinessUrlOf('http://proxy/shop/products/graphql/?tenant=a')).toBe('http://proxy/shop/products/ready');
    expect(readinessUrlOf('http://products:4002')).toBe('http://products:4002/ready');
  });

  it('names the overrides that match no subgraph', () => {
    expect(unusedOverrides(SUBGRAPHS, { endpoints: { SUBGRAPH_USERS_URL: 'http://a/', SUBGRAPH_USRES_URL: 'http://b/' }, bases: {} })).toEqual(['SUBGRAPH_USRES_URL']);
  });
});

describe("the gateway's configuration of routing and the supergraph", () => {
  it('routes by the supergraph alone when no URL variable is set', () => {
    expect(loadConfig({}).subgraphOverrides).toEqual(NO_OVERRIDES);
  });

  it("reads SUBGRAPH_<NAME>_URL and the shop services' URLs that are set, and only those", () => {
    const config = loadConfig({ SUBGRAPH_REVIEWS_URL: 'http://reviews.internal/v2/graphql', PRODUCTS_URL: 'http://products:4002' });
    expect(config.subgraphOverrides).toEqual({ endpoints: { SUBGRAPH_REVIEWS_URL: 'http://reviews.internal/v2/graphql' }, bases: { products: 'http://products:4002' } });
  });

  it('names every bad setting at once: an override that is no URL among the others', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return error instanceof ConfigError ? error.problems : [String(error)];
      }
    };
    expect(problems({ SUBGRAPH_REVIEWS_URL: 'reviews:4005', PORT: 'eighty' })).toEqual([
      expect.stringMatching(/^PORT:/),
      "SUBGRAPH_REVIEWS_URL: must be an http(s) URL, the subgraph's GraphQL endpoint",
    ]);
    expect(problems({ SUPERGRAPH_PATH: 'supergraph.graphql', SUPERGRAPH_URL: 'http://registry/supergraph' })).toEqual([
      'SUPERGRAPH_URL: set either SUPERGRAPH_PATH or SUPERGRAPH_URL, not both',
    ]);
    expect(problems({ SUBGRAPH_REVIEWS_URL: 'reviews:4005' })).toEqual(["SUBGRAPH_REVIEWS_URL: must be an http(s) URL, the subgraph's GraphQL endpoint"]);
    expect(problems({ SUPERGRAPH_POLL_SECONDS: '0' })).toEqual([expect.stringMatching(/^SUPERGRAPH_POLL_SECONDS:/)]);
    expect(problems({ SUPERGRAPH_POLL_SECONDS: '9999999' })).toEqual([expect.stringMatching(/^SUPERGRAPH_POLL_SECONDS:/)]);
    // USERS_URL only routes the users subgraph and, unless JWKS_URL or JWKS is set, finds its keys: production needs none of them (token-keys-config.test.ts).
    expect(problems({ NODE_ENV: 'production' })).toEqual([]);
  });
});
