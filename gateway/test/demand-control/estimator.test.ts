import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { compileCostFormula, CostEstimateError, MAX_COSTED_FIELDS } from '../../src/demand-control/cost-formula.js';
import { costing, costSchemaOf } from './costing.js';

const LIBRARY = costSchemaOf(`
  interface Item { id: ID! }
  type Book implements Item { id: ID!  title: String  chapters(first: Int = 3): [Chapter] @listSize(slicingArguments: ["first"]) }
  type Chapter { title: String }
  type Film implements Item { id: ID!  director: Person  cast: [Person] @listSize(assumedSize: 20) }
  type Person { name: String }
  union Found = Book | Film
  type Query {
    item(id: ID!): Item
    search(text: String!): [Found] @listSize(assumedSize: 4)
    shelf(size: Int): [Book] @listSize(slicingArguments: ["size"], requireOneSlicingArgument: false)
    strictShelf(size: Int): [Book] @listSize(slicingArguments: ["size"])
    newest: [Book]
  }
`);
const cost = costing(LIBRARY, { defaultListSize: 7 });

describe('estimated cost', () => {
  it('costs an abstract type as its most expensive possibility, not the sum of its fragments', () => {
    // A Book: 1 + 3 chapters; a Film: 1 + director (1) + 20 cast: the Film is dearer.
    const query = '{ item(id: 1) { id ... on Book { chapters { title } } ... on Film { director { name } cast { name } } } }';
    expect(cost(query).estimated).toBe(1 + 1 + 20);
    expect(cost('{ search(text: "x") { ... on Book { chapters { title } } ... on Film { director { name } } } }').estimated).toBe(4 * (1 + 3));
  });

  it('reads fragments spread and nested, on the abstract type and on its members', () => {
    const query = `
      query { item(id: 1) { ...Everything } }
      fragment Everything on Item { id ...OnBook }
      fragment OnBook on Book { chapters(first: 5) { title } }`;
    expect(cost(query).estimated).toBe(1 + 5);
  });

  it('honours @skip and @include, from literals and variables, on fields and fragments', () => {
    const query = 'query ($withChapters: Boolean!, $skipTitle: Boolean = false) { item(id: 1) { ... on Book @include(if: $withChapters) { chapters { title @skip(if: $skipTitle) } } } }';
    expect(cost(query, { withChapters: false }).estimated).toBe(1);
    expect(cost(query, { withChapters: true }).estimated).toBe(1 + 3);
    expect(cost('{ newest @skip(if: true) { id } item(id: 1) @include(if: true) { id } }').estimated).toBe(1);
  });

  it("takes a slicing argument from a variable, the variable's default, or else the argument's default", () => {
    const query = 'query ($chapters: Int = 9) { item(id: 1) { ... on Book { chapters(first: $chapters) { title } } } }';
    expect(cost(query, { chapters: 2 }).estimated).toBe(1 + 2);
    expect(cost(query).estimated).toBe(1 + 9);
    expect(cost('query ($chapters: Int) { item(id: 1) { ... on Book { chapters(first: $chapters) { title } } } }').estimated).toBe(1 + 3);
  });

  it('falls back to assumedSize, then to the configured default list size, where no slicing argument is given', () => {
    expect(cost('{ shelf { id } }').estimated).toBe(7);
    expect(cost('{ shelf(size: 2) { id } }').estimated).toBe(2);
    expect(cost('{ newest { id } }').estimated).toBe(7);
  });

  it('refuses a list that requires exactly one slicing argument and is given none', () => {
    expect(() => cost('{ strictShelf { id } }')).toThrow(CostEstimateError);
    expect(() => cost('query ($size: Int) { strictShelf(size: $size) { id } }', { size: null })).toThrow(/Query.strictShelf needs exactly one/);
    expect(cost('query ($size: Int) { strictShelf(size: $size) { id } }', { size: 4 }).estimated).toBe(4);
  });

  it('counts each alias, and nothing for __typename', () => {
    expect(cost('{ a: item(id: 1) { __typename id } b: item(id: 2) { id } }').estimated).toBe(2);
  });

  it('names the variables the cost depends on, so that estimates can be cached by them alone', () => {
    const { formula } = cost('query ($id: ID!, $n: Int, $on: Boolean!) { item(id: $id) { ... on Book @include(if: $on) { chapters(first: $n) { title } } } }', { id: '1', n: 1, on: true });
    expect([...formula.variables].sort()).toEqual(['id', 'n', 'on']);
  });

  it('picks the named operation of a document, and refuses a name it does not have', () => {
    const document = parse('query A { newest { id } } query B { item(id: 1) { id } }');
    expect(compileCostFormula(LIBRARY, document, 'B', { defaultListSize: 7 }).selection.byRuntimeType.get('Query')).toHaveLength(1);
    expect(() => compileCostFormula(LIBRARY, document, 'C', { defaultListSize: 7 })).toThrow(CostEstimateError);
    expect(() => compileCostFormula(LIBRARY, document, undefined, { defaultListSize: 7 })).toThrow(CostEstimateError);
  });
});

describe('actual cost', () => {
  it('counts the lists as returned, each object its weight, under the same measure as the estimate', () => {
    const query = '{ search(text: "x") { ... on Book { chapters { title } } ... on Film { director { name } cast { name } } } }';
    const { estimated, actual } = cost(query);
    const data = {
      search: [
        { __typename: 'Book', chapters: [{ title: 'a' }] },
        { __typename: 'Film', director: null, cast: [{ name: 'x' }, { name: 'y' }] },
      ],
    };
    // Book: 1 + 1 chapter; Film: 1 + no director + 2 cast.
    expect(actual(data)).toBe(2 + 3);
    expect(estimated).toBe(4 * (1 + 1 + 20));
  });

  it('costs an object without __typename as its most expensive reading, and nulls and absent fields as nothing', () => {
    const { actual } = cost('{ item(id: 1) { ... on Book { chapters { title } } ... on Film { cast { name } } } newest { id } }');
    expect(actual({ item: { chapters: [{ title: 'a' }, { title: 'b' }] }, newest: null })).toBe(1 + 2);
    expect(actual({ item: null })).toBe(0);
  });

  it('refuses a document whose fragments spread into more fields than it may cost, before compiling them all', () => {
    // 20 levels of a fragment spread twice: 2^19 fields from some 200 tokens, validated in milliseconds.
    const levels = 20;
    const fragments = Array.from({ length: levels }, (_, level) => `fragment F${level} on Book { ${level === levels - 1 ? 'id' : `...F${level + 1} ...F${level + 1}`} }`).join(' ');
    expect(() => cost(`{ newest { ...F0 } } ${fragments}`)).toThrow(new CostEstimateError(`the operation comes to more than ${MAX_COSTED_FIELDS} fields once its fragments are spread`));
    // 2^10 = 1,024 fields (with newest) still compile.
    const fewer = Array.from({ length: 11 }, (_, level) => `fragment F${level} on Book { ${level === 10 ? 'id' : `...F${level + 1} ...F${level + 1}`} }`).join(' ');
    expect(cost(`{ newest { ...F0 } } ${fewer}`).estimated).toBe(7);
  });

  it('adds the mutation base cost and the arguments given', () => {
    const shop = costSchemaOf('type Query { ok: Boolean }  type Receipt { id: ID }  type Mutation { buy(note: String @cost(weight: 3)): Receipt @cost(weight: 20) }');
    const { estimated, actual } = costing(shop)('mutation { buy(note: "gift") { id } }');
    expect(estimated).toBe(10 + 20 + 3);
    expect(actual({ buy: { id: '1' } })).toBe(10 + 20 + 3);
  });
});
