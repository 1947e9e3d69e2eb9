import { describe, expect, it } from 'vitest';
import { CostEstimateError } from '../../src/demand-control/cost-formula.js';
import { costing, costSchemaOf } from './costing.js';

/**
 * The worked examples of the documents the estimator follows, reproduced exactly: the IBM GraphQL
 * Cost Directives specification, Apollo Router's demand control and Cosmo Router's cost control.
 */
describe('the IBM GraphQL Cost Directives specification', () => {
  // https://ibm.github.io/graphql-specs/cost-spec.html#sec-Example (Examples № 1 to 3). The spec's
  // weights are strings ("2.0"); federation's @cost takes an Int.
  const users = costSchemaOf(`
    type User { name: String  age: Int @cost(weight: 2) }
    type Query { users(max: Int): [User] @listSize(slicingArguments: ["max"]) }
  `);
  const ibm = costing(users, { defaultListSize: 10, weighting: 'ibm' });

  it('statically analyses users(max: 5) { age } as 11: Query.users once (1), five User.age (2 each)', () => {
    expect(ibm('query Example { users(max: 5) { age } }').estimated).toBe(11);
  });

  it('finds the actual cost of the three users returned to be 7: Query.users once (1), three User.age (2 each)', () => {
    const { actual } = ibm('query Example { users(max: 5) { age } }');
    expect(actual({ users: [{ age: 33 }, { age: 45 }, { age: 27 }] })).toBe(7);
  });

  it("counts each of the five users' own weight too under Apollo Router's reading: 5 × (1 User + 2) = 15", () => {
    expect(costing(users)('query Example { users(max: 5) { age } }').estimated).toBe(15);
  });

  // https://ibm.github.io/graphql-specs/cost-spec.html#sec-Field-Cost (Examples № 10 to 12)
  const products = costSchemaOf(`
    enum Approximate { ROUGH }
    input Filter { approx: Approximate @cost(weight: -12)  category: String }
    type Product { name: String }
    type Query {
      topProducts(filter: Filter @cost(weight: 15)): [String] @cost(weight: 5) @listSize(assumedSize: 10)
      mostPopularProduct(approx: Approximate @cost(weight: -3)): Product @cost(weight: 5)
    }
  `);
  const fieldCost = costing(products, { defaultListSize: 10, weighting: 'ibm' });

  it('Argument Weights: topProducts costs 5, and 20 with a filter (5 for the field, 15 for the argument)', () => {
    expect(fieldCost('{ topProducts }').estimated).toBe(5);
    expect(fieldCost('{ topProducts(filter: { category: "tea" }) }').estimated).toBe(20);
  });

  it('Negative Weights: mostPopularProduct costs 5, and 5 - 3 = 2 when only an approximate answer is asked for', () => {
    expect(fieldCost('{ mostPopularProduct { name } }').estimated).toBe(5);
    expect(fieldCost('{ mostPopularProduct(approx: ROUGH) { name } }').estimated).toBe(2);
  });

  it('Input Field Weights: an approximate filter contributes 15 - 12 = 3, for a field cost of 8', () => {
    expect(fieldCost('{ topProducts(filter: { approx: ROUGH }) }').estimated).toBe(8);
  });

  it('never lets a field cost less than zero', () => {
    const cheap = costSchemaOf('type Query { guess(approx: Boolean @cost(weight: -9)): Int @cost(weight: 1) }');
    expect(costing(cheap, { defaultListSize: 10, weighting: 'ibm' })('{ guess(approx: true) }').estimated).toBe(0);
  });
});

// https://www.apollographql.com/docs/graphos/routing/security/demand-control#calculating-cost
// (the same page in the router repository: docs/source/routing/security/demand-control.mdx)
describe("Apollo Router's demand control", () => {
  const books = (addressWeight: string) =>
    costSchemaOf(`
      type Query {
        book(id: ID): Book
        bestsellers: [Book] @listSize(assumedSize: 5)
        newestAdditions(after: ID, limit: Int!): [Book] @listSize(slicingArguments: ["limit"])
      }
      type Book { title: String  author: Author  publisher: Publisher }
      type Author { name: String }
      type Publisher { name: String  address: Address }
      type Address ${addressWeight} { zipCode: Int! }
    `);
  const BOOK_FIELDS = 'title author { name } publisher { name address { zipCode } }';

  it('costs BookQuery 4: book (1) + author (1) + publisher (1) + address (1)', () => {
    expect(costing(books(''))(`query BookQuery { book(id: 1) { ${BOOK_FIELDS} } }`).estimated).toBe(4);
  });

  it('costs it 8 once Address has @cost(weight: 5)', () => {
    expect(costing(books('@cost(weight: 5)'))(`query BookQuery { book(id: 1) { ${BOOK_FIELDS} } }`).estimated).toBe(8);
  });

  it('costs BestsellersQuery 40: 5 books (assumedSize) × (1 + 1 + 1 + 5)', () => {
    expect(costing(books('@cost(weight: 5)'))(`query BestsellersQuery { bestsellers { ${BOOK_FIELDS} } }`).estimated).toBe(40);
  });

  it('costs NewestAdditions 24 with limit: 3 and 56 with limit: 7, from a literal or a variable', () => {
    const cost = costing(books('@cost(weight: 5)'));
    expect(cost(`query NewestAdditions { newestAdditions(limit: 3) { ${BOOK_FIELDS} } }`).estimated).toBe(24);
    expect(cost(`query NewestAdditions { newestAdditions(limit: 7) { ${BOOK_FIELDS} } }`).estimated).toBe(56);
    expect(cost(`query NewestAdditions($limit: Int!) { newestAdditions(limit: $limit) { ${BOOK_FIELDS} } }`, { limit: 7 }).estimated).toBe(56);
  });

  it('adds 10 for a mutation, as the operation-type table says', () => {
    const mutations = costSchemaOf('type Query { ok: Boolean }  type Thing { id: ID }  type Mutation { make: Thing }');
    expect(costing(mutations)('mutation { make { id } }').estimated).toBe(11);
  });
});

// https://cosmo-docs.wundergraph.com/router/security/cost-control (the repository's
// docs-website/router/security/cost-control.mdx)
describe("Cosmo Router's cost control", () => {
  it('costs the book query 4: Book, Author, Publisher and Address objects 1 each, scalars 0', () => {
    const costs = costSchemaOf(`
      type Query { book(id: ID): Book }
      type Book { title: String  author: Author  publisher: Publisher }
      type Author { name: String }
      type Publisher { address: Address }
      type Address { zipCode: Int }
    `);
    expect(costing(costs)('{ book(id: 1) { title author { name } publisher { address { zipCode } } } }').estimated).toBe(4);
  });

  const company = costSchemaOf(`
    type Query { employees: [Employee]  departments: [Department] }
    type Employee { id: ID  department: Department  projects: [Project] }
    type Department { name: String  employees: [Employee] }
    type Project { tasks: [Task] }
    type Task { name: String }
  `);

  it('costs employees { id department { name } } 10 × (1 Employee + 1 Department) = 20 with a default list size of 10', () => {
    expect(costing(company, { defaultListSize: 10 })('{ employees { id department { name } } }').estimated).toBe(20);
  });

  it('costs departments → employees → projects → tasks "over 10,000": 10 × (1 + 10 × (1 + 10 × (1 + 10))) = 11,110', () => {
    expect(costing(company, { defaultListSize: 10 })('{ departments { employees { projects { tasks { name } } } } }').estimated).toBe(11_110);
  });

  const catalogue = costSchemaOf(`
    type Product { name: String }
    type Query {
      topProducts: [Product] @listSize(assumedSize: 5)
      products(first: Int!): [Product] @listSize(slicingArguments: ["first"])
    }
  `);

  it('uses assumedSize for topProducts (5) and the slicing argument for products(first: 20) (20)', () => {
    const cost = costing(catalogue, { defaultListSize: 10 });
    expect(cost('{ topProducts { name } }').estimated).toBe(5);
    expect(cost('{ products(first: 20) { name } }').estimated).toBe(20);
  });

  const connections = (requireOne: string) =>
    costSchemaOf(`
      type Query {
        usersConnection(first: Int, last: Int, before: ID): Connection! @listSize(slicingArguments: ["first", "last"], sizedFields: ["edges"]${requireOne})
      }
      type Connection { edges: [Edge]  totalCount: Int }
      type Edge { cursor: ID  node: Film }
      type Film { title: String }
    `);

  it('applies usersConnection(first: 5) to the sized field edges only: 1 Connection + 5 × (1 Edge + 1 Film) = 11', () => {
    expect(costing(connections(''), { defaultListSize: 10 })('{ usersConnection(first: 5) { totalCount edges { cursor node { title } } } }').estimated).toBe(11);
  });

  it('takes the largest of several slicing arguments where the schema allows several', () => {
    const cost = costing(connections(', requireOneSlicingArgument: false'), { defaultListSize: 10 });
    expect(cost('{ usersConnection(first: 5, last: 8) { edges { node { title } } } }').estimated).toBe(1 + 8 * 2);
  });

  it('refuses several slicing arguments where requireOneSlicingArgument (the default) wants exactly one, as the IBM spec says', () => {
    const cost = costing(connections(''), { defaultListSize: 10 });
    expect(() => cost('{ usersConnection(first: 5, last: 8) { edges { node { title } } } }')).toThrow(CostEstimateError);
  });

  it('counts only the input fields given, so two requests of one query can cost differently', () => {
    const costs = costSchemaOf(`
      enum Department { ENGINEERING  SALES }
      input FindEmployeeCriteria { id: Int  department: Department @cost(weight: 4)  title: String @cost(weight: 3) }
      type Employee { id: ID }
      type Query { findEmployeesBy(criteria: FindEmployeeCriteria): [Employee] }
    `);
    const cost = costing(costs, { defaultListSize: 10 });
    const query = 'query Find($criteria: FindEmployeeCriteria) { findEmployeesBy(criteria: $criteria) { id } }';
    // 10 employees, plus the criteria object (1) and the weighted fields given.
    expect(cost(query, { criteria: { id: 1 } }).estimated).toBe(10 + 1);
    expect(cost(query, { criteria: { department: 'SALES', title: 'Lead' } }).estimated).toBe(10 + 1 + 4 + 3);
  });
});
