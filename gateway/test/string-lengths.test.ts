import { describe, expect, it } from 'vitest';
import { buildSchema, parse, validate } from 'graphql';
import { requireShortVariables, stringLengthRule } from '../src/string-lengths.js';

const schema = buildSchema(`
  directive @tag(name: String) on FIELD
  input Address { lines: [String!]! }
  input SignUp { email: String!  address: Address }
  type Query { product(id: ID!): String  echo(text: String, when: Int): String }
  type Mutation { register(input: SignUp!): String  login(email: String!): String }
`);
const long = 'x'.repeat(11);
const refusals = (document: string) =>
  validate(schema, parse(document), [stringLengthRule(10)]).map((error) => ({ message: error.message, ...error.extensions }));

describe('stringLengthRule', () => {
  it('refuses a string literal over the bound in any argument, however deep, naming it', () => {
    expect(refusals(`mutation { login(email: "${long}") }`)).toEqual([{ message: 'email is longer than 10 characters', code: 'BAD_USER_INPUT', field: 'email' }]);
    expect(refusals(`{ product(id: "${long}") }`)).toMatchObject([{ field: 'id' }]);
    expect(refusals(`mutation { register(input: { email: "a", address: { lines: ["b", "${long}"] } }) }`)).toMatchObject([{ field: 'input.address.lines' }]);
    expect(refusals(`{ echo(text: "ok") @tag(name: """${long}""") }`)).toMatchObject([{ field: 'name' }]);
  });

  it('refuses a variable’s default value over the bound', () => {
    expect(refusals(`query ($text: String = "${long}") { echo(text: $text) }`)).toMatchObject([{ field: 'text' }]);
    expect(refusals(`mutation ($input: SignUp! = { email: "${long}" }) { register(input: $input) }`)).toMatchObject([{ field: 'input.email' }]);
  });

  it('lets strings up to the bound through', () => {
    expect(refusals(`mutation ($e: String! = "${'x'.repeat(10)}") { login(email: $e) register(input: { email: "${'y'.repeat(10)}" }) }`)).toEqual([]);
  });
});

describe('requireShortVariables', () => {
  const refusal = (variables: Record<string, unknown>) => {
    try {
      requireShortVariables(variables, 10);
      return undefined;
    } catch (error) {
      return { message: (error as Error).message, ...(error as { extensions: object }).extensions };
    }
  };

  it('refuses a variable holding a string over the bound anywhere, naming its path, with HTTP 400', () => {
    expect(refusal({ id: long })).toEqual({ message: 'id is longer than 10 characters', code: 'BAD_USER_INPUT', field: 'id', http: { status: 400 } });
    expect(refusal({ input: { email: 'a', address: { lines: ['b', long] } } })).toMatchObject({ field: 'input.address.lines[1]' });
    expect(refusal({ ok: 'short', unused: [[[long]]] })).toMatchObject({ field: 'unused[0][0][0]' });
  });

  it('lets short strings and other values through', () => {
    expect(refusal({ id: 'x'.repeat(10), n: 12_345_678_901, flag: true, none: null, list: [1, 'a'] })).toBeUndefined();
    requireShortVariables(undefined, 10);
  });

  it('walks a value nested deeper than the call stack would allow', () => {
    let deep: unknown = long;
    for (let level = 0; level < 50_000; level += 1) deep = [deep];
    expect(refusal({ deep })).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
