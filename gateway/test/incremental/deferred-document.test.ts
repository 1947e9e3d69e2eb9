import { describe, expect, it } from 'vitest';
import { buildSchema, parse, print, validate } from 'graphql';
import { appliesKey, deferredDocument, MAX_DEFERRED_FRAGMENTS, partDocument, withoutMarks } from '../../src/incremental/deferred-document.js';
import { withDeferDirective } from '../../src/incremental/defer-directive.js';

const SCHEMA = withDeferDirective(
  buildSchema(`
    type Query { order(id: ID!): Order }
    type Mutation { cancel(id: ID!): Order }
    type Order { id: ID! status: String user: User items: [Item!]! }
    type Item { quantity: Int! product: Product }
    type Product { id: ID! name: String }
    type User { id: ID! name: String }
  `),
);

const deferred = (text: string, variables?: Record<string, unknown>) => {
  const document = parse(text);
  expect(validate(SCHEMA, document)).toEqual([]);
  return deferredDocument(document, undefined, variables);
};

describe('the API schema with @defer', () => {
  it('declares @defer as the RFC does, so requests using it validate', () => {
    expect(SCHEMA.getDirective('defer')?.args.map((arg) => `${arg.name}: ${String(arg.type)}`)).toEqual(['if: Boolean!', 'label: String']);
    expect(withDeferDirective(SCHEMA)).toBe(SCHEMA);
  });
});

describe('deferredDocument', () => {
  it('is undefined for an operation that defers nothing, or only with if: false', () => {
    expect(deferred('{ order(id: "1") { id } }')).toBeUndefined();
    expect(deferred('{ order(id: "1") { id ... @defer(if: false) { status } } }')).toBeUndefined();
    expect(deferred('query($d: Boolean!) { order(id: "1") { id ... @defer(if: $d) { status } } }', { d: false })).toBeUndefined();
    expect(deferred('query($d: Boolean! = false) { order(id: "1") { id ... @defer(if: $d) { status } } }')).toBeUndefined();
  });

  it("labels each deferred fragment, keeps the client's labels beside, and knows which sits in which", () => {
    const found = deferred('{ order(id: "1") { id ... @defer(label: "later") { status items { product { ... @defer { name } } } } } }')!;
    expect([...found.fragments.values()]).toEqual([
      { label: 'defer_0', clientLabel: 'later', parent: undefined, keys: new Set(['status', 'items']) },
      { label: 'defer_1', clientLabel: undefined, parent: 'defer_0', keys: new Set(['name']) },
    ]);
    expect(print(found.document)).toContain('@defer(label: "defer_1")');
    expect(found.decided).toBe('11');
  });

  it('writes named fragments in place, so a fragment spread in two places is deferred at each', () => {
    const found = deferred('{ order(id: "1") { user { ...U @defer } items { product { id } } } } fragment U on User { id name }')!;
    expect(found.fragments.get('defer_0')?.keys).toEqual(new Set(['id', 'name']));
    expect(print(found.document)).not.toContain('fragment U');
    expect(print(found.document)).toContain('... on User @defer(label: "defer_0")');
  });

  it('decides if: by the variables, and puts what it decided in the key of its plan', () => {
    const text = 'query($a: Boolean!, $b: Boolean!) { order(id: "1") { ... @defer(if: $a) { status } ... @defer(if: $b) { user { name } } } }';
    expect(deferred(text, { a: true, b: false })?.decided).toBe('10');
    expect(deferred(text, { a: false, b: true })?.decided).toBe('01');
  });

  it('refuses what the incremental delivery RFC forbids, with BAD_USER_INPUT', () => {
    const refusal = (text: string) => {
      try {
        deferred(text);
      } catch (error) {
        return { message: (error as Error).message, code: (error as { extensions?: { code?: string } }).extensions?.code };
      }
      return undefined;
    };
    expect(refusal('{ order(id: "1") { ... @defer(label: "a") { id } ... @defer(label: "a") { status } } }')).toEqual({ code: 'BAD_USER_INPUT', message: 'The label "a" is given to @defer twice: labels must be unique' });
    expect(refusal('query($l: String) { order(id: "1") { ... @defer(label: $l) { id } } }')).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(refusal('mutation { ... @defer { cancel(id: "1") { id } } }')).toEqual({ code: 'BAD_USER_INPUT', message: '@defer cannot be used on the root fields of a mutation' });
    // Below a mutation's root field, deferring is fine.
    expect(refusal('mutation { cancel(id: "1") { id ... @defer { user { name } } } }')).toBeUndefined();
  });
});

describe('partDocument', () => {
  const found = deferred('{ order(id: "1") { id ... @defer(label: "later") { status items { product { ... @defer { name } } } } } }')!;

  it('leaves the deferred fragments out of the first part but for their marks, which say where each applies', () => {
    expect(print(partDocument(found, new Set()))).toBe(`{\n  order(id: "1") {\n    id\n    ... {\n      ${appliesKey('defer_0')}: __typename\n    }\n  }\n}`);
  });

  it("keeps a part's fragment and those it sits in, and marks the next ones where they apply", () => {
    const outer = print(partDocument(found, new Set(['defer_0'])));
    expect(outer).toContain('status');
    expect(outer).not.toMatch(/\bname\b/);
    expect(outer).toContain(`${appliesKey('defer_1')}: __typename`);
    const inner = print(partDocument(found, new Set(['defer_0', 'defer_1'])));
    expect(inner).not.toContain('@defer');
    expect(inner).toMatch(/\bname\b/);
  });

  it('keeps the type condition and @skip/@include on a mark: it is there only where the fragment applies', () => {
    const conditional = deferred('query($x: Boolean!) { order(id: "1") { ... on Order @include(if: $x) @defer { status } } }', { x: false })!;
    expect(print(partDocument(conditional, new Set()))).toContain(`... on Order @include(if: $x) {\n      ${appliesKey('defer_0')}: __typename`);
  });

  it('takes the marks out of what the client is sent, at any depth', () => {
    expect(withoutMarks({ order: { id: '1', [appliesKey('defer_0')]: 'Order', items: [{ product: { [appliesKey('defer_1')]: 'Product', id: 'p' } }] } })).toEqual({ order: { id: '1', items: [{ product: { id: 'p' } }] } });
  });
});

describe('what an operation may defer', () => {
  it(`refuses more than ${MAX_DEFERRED_FRAGMENTS} deferred fragments, counting a named fragment at each place it is spread`, () => {
    const spreads = Array.from({ length: MAX_DEFERRED_FRAGMENTS / 2 + 1 }, (_, index) => `o${index}: order(id: "${index}") { ...F }`).join(' ');
    expect(() => deferred(`{ ${spreads} } fragment F on Order { ... @defer { status } ... @defer { id } }`)).toThrow(/at most 16 fragments/);
    expect(deferred('{ a: order(id: "1") { ...F } b: order(id: "2") { ...F } } fragment F on Order { ... @defer { status } }')?.fragments.size).toBe(2);
  });

  it('refuses an alias the marks use', () => {
    expect(() => deferred(`{ order(id: "1") { ${appliesKey('x')}: id ... @defer { status } } }`)).toThrow(/reserved/);
  });
});
