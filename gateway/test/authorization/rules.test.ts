import { describe, expect, it } from 'vitest';
import { composed, shop } from './fixture.js';

const PUBLIC_ONLY = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Query { public: String }
`;

describe('the authorization a supergraph declares (authorizationRules)', () => {
  it('reads field requirements: @authenticated, @requiresScopes as OR-of-ANDs, @policy', () => {
    const { fields } = shop.rules;
    expect(fields.get('Query.me')).toEqual({ authenticated: true, scopes: undefined, policies: undefined });
    expect(fields.get('User.email')).toEqual({ authenticated: true, scopes: undefined, policies: undefined });
    expect(fields.get('Query.admin')).toEqual({ authenticated: false, scopes: [['a', 'b'], ['c']], policies: undefined });
    expect(fields.get('Profile.ssn')).toEqual({ authenticated: false, scopes: [['pii']], policies: undefined });
    expect(fields.get('Query.flagged')).toEqual({ authenticated: false, scopes: undefined, policies: [['flag']] });
    expect(fields.get('Query.flaggedBoth')).toEqual({ authenticated: false, scopes: undefined, policies: [['flag', 'other']] });
    expect(fields.get('Mutation.protectedAction')?.authenticated).toBe(true);
    expect(fields.get('Mutation.adminAction')?.scopes).toEqual([['admin']]);
    // Fields without a directive have no entry.
    expect(fields.has('Query.public')).toBe(false);
    expect(fields.has('User.name')).toBe(false);
    expect(fields.has('Mutation.publicAction')).toBe(false);
  });

  it('reads type requirements: an object type, a scalar and an enum', () => {
    const { types } = shop.rules;
    expect(types.get('Invoice')).toEqual({ authenticated: true, scopes: undefined, policies: undefined });
    expect(types.get('Secret')).toEqual({ authenticated: false, scopes: [['secrets:read']], policies: undefined });
    expect(types.get('Level')).toEqual({ authenticated: true, scopes: undefined, policies: undefined });
    expect(types.has('User')).toBe(false);
    expect(types.has('Profile')).toBe(false);
  });

  it('takes what composition propagates from implementations onto their interfaces', () => {
    // Invoice (billing) is @authenticated, so composition makes its interface Node @authenticated too,
    // although User (accounts) implements Node without any requirement.
    expect(shop.text).toMatch(/interface Node[^{]*@authenticated/);
    expect(shop.rules.types.get('Node')).toEqual({ authenticated: true, scopes: undefined, policies: undefined });
    // Pet.name requires "pets": so does Named.name, while User.name requires nothing.
    expect(shop.rules.fields.get('Pet.name')?.scopes).toEqual([['pets']]);
    expect(shop.rules.fields.get('Named.name')).toEqual({ authenticated: false, scopes: [['pets']], policies: undefined });
    // Unions carry no requirement of their own (the directives do not apply to them).
    expect(shop.rules.types.has('SearchResult')).toBe(false);
  });

  it('lists every scope and policy the supergraph names, and no other', () => {
    expect([...shop.rules.scopes].sort()).toEqual(['a', 'admin', 'b', 'c', 'pets', 'pii', 'secrets:read']);
    expect([...shop.rules.policies].sort()).toEqual(['flag', 'other']);
  });

  it('is undefined for a supergraph that declares no authorization', () => {
    const { text, rules } = composed({ only: PUBLIC_ONLY });
    expect(text).not.toMatch(/authenticated|requiresScopes|policy/);
    expect(rules).toBeUndefined();
  });

  it('ANDs the requirements two subgraphs declare on one shared field', () => {
    const sdl = (scope: string) => `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@shareable", "@requiresScopes"])
      type Query { shared: String @shareable @requiresScopes(scopes: [["${scope}"], ["both"]]) }
    `;
    const { rules } = composed({ left: sdl('x'), right: sdl('y') });
    // (x OR both) AND (y OR both), in disjunctive normal form.
    expect(rules?.fields.get('Query.shared')?.scopes).toEqual([['both'], ['x', 'y']]);
  });

  describe('a subgraph importing the directives under other names', () => {
    const RENAMING = `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", { name: "@authenticated", as: "@signedIn" }, { name: "@requiresScopes", as: "@scoped" }])
      type Query { secret: String @signedIn  pet: Pet }
      type Pet @key(fields: "id") { id: ID! chip: String @scoped(scopes: [["pets"]]) }
    `;

    it('composes into a supergraph that keeps the new names, and its rules are read all the same', () => {
      const { text, rules } = composed({ renaming: RENAMING, plain: PUBLIC_ONLY });
      // What the supergraph says: the feature is imported under the subgraph's name, and applied under it.
      expect(text).toContain('@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY, import: [{name: "@authenticated", as: "@signedIn"}])');
      expect(text).toContain('@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY, import: [{name: "@requiresScopes", as: "@scoped"}])');
      expect(text).toMatch(/secret: String @join__field\(graph: RENAMING\) @signedIn/);
      expect(text).not.toMatch(/@authenticated\b(?!", as)/);
      expect(rules?.fields.get('Query.secret')).toEqual({ authenticated: true, scopes: undefined, policies: undefined });
      expect(rules?.fields.get('Pet.chip')).toEqual({ authenticated: false, scopes: [['pets']], policies: undefined });
    });

    it('does not compose when another subgraph imports the same directive under its own name', () => {
      const other = `
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@authenticated"])
        type Query { other: String @authenticated }
      `;
      expect(() => composed({ renaming: RENAMING, other })).toThrow(/imported with mismatched name/);
    });
  });
});
