import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { parse, print, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { authorizationRules } from '../../gateway/src/authorization/rules.js';
import { SUPPORTED_SUPERGRAPH_FEATURES } from '../../gateway/src/authorization/supergraph-features.js';
import { composeSubgraphs } from '../../scripts/supergraph.js';
import { withoutDeclaredAuthorization } from '../without-authorization.js';

const shop = readFileSync(new URL('../../supergraph.graphql', import.meta.url), 'utf8');

/** A supergraph with what the shop's lacks: `@policy`, and requirements on a scalar and an enum. */
const guarded = composeSubgraphs([
  {
    name: 'vault',
    url: 'http://vault.invalid/graphql',
    sdl: `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", "@requiresScopes", "@policy"])
      scalar Secret @requiresScopes(scopes: [["secrets:read"]])
      enum Level @authenticated { LOW HIGH }
      type Query { open: String, secret: Secret, level: Level, flagged: String @policy(policies: [["flag"]]) }
      type Box @key(fields: "id") @authenticated { id: ID! contents: String @requiresScopes(scopes: [["a", "b"], ["c"]]) }
    `,
  },
]);

const AUTHORIZATION = /@(authenticated|requiresScopes|policy)\b|\b(requiresScopes|policy)__|specs\.apollo\.dev\/(authenticated|requiresScopes|policy)\//;

/**
 * The printed supergraph with the authorization directives taken out line by line, by pattern:
 * another way to the same text than the stripping's, so that the two agreeing says nothing else changed.
 */
const removedByPattern = (sdl: string) =>
  print(parse(sdl))
    .split('\n')
    .filter((line) => !/^(directive @(authenticated|requiresScopes|policy)\b|scalar (requiresScopes|policy)__)/.test(line))
    .map((line) =>
      line
        .replace(/ @link\(url: "https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes|policy)\/[^)]*\)/g, '')
        .replace(/ @(authenticated|requiresScopes|policy)(\([^)]*\))?/g, ''),
    )
    .filter((line) => line.trim() !== '');
const lines = (sdl: string) => print(parse(sdl)).split('\n').filter((line) => line.trim() !== '');

describe('the supergraph without declared authorization (ours-no-authz)', () => {
  for (const [name, sdl] of [['the shop', shop], ['a supergraph with @policy', guarded]] as const) {
    describe(name, () => {
      const stripped = withoutDeclaredAuthorization(sdl);

      it('keeps no @authenticated, @requiresScopes or @policy: no application, definition, scalar or link', () => {
        expect(sdl).toMatch(AUTHORIZATION);
        expect(stripped.split('\n').filter((line) => AUTHORIZATION.test(line))).toEqual([]);
      });

      it('loads as a supergraph that declares nothing to enforce, even where authorization is not supported (as stock @apollo/gateway)', () => {
        const served = Supergraph.build(sdl, { supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES });
        expect(authorizationRules(served.schema)).toBeDefined();
        expect(() => Supergraph.build(sdl)).toThrow(/for: SECURITY but is unsupported/);
        const supergraph = Supergraph.build(stripped, { validateSupergraph: true });
        // Extracting the subgraphs validates each of them, as our gateway does before serving.
        expect(supergraph.subgraphs().names()).toEqual(served.subgraphs().names());
        expect(authorizationRules(supergraph.schema)).toBeUndefined();
      });

      it('changes nothing else: the same API schema, and the same supergraph line for line but for the directives', () => {
        const apiSchema = (text: string) => printSchema(Supergraph.build(text, { supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema());
        expect(apiSchema(stripped)).toBe(apiSchema(sdl));
        expect(lines(stripped)).toEqual(removedByPattern(sdl));
        expect(lines(stripped).length).toBeLessThan(lines(sdl).length);
      });
    });
  }

  it('leaves a supergraph that declares no authorization as it is', () => {
    const plain = withoutDeclaredAuthorization(shop);
    expect(withoutDeclaredAuthorization(plain)).toBe(plain);
  });
});
