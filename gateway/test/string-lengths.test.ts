import { describe, expect, it } from 'vitest';
import { buildSchema, parse, validate } from 'graphql';
import { MAX_NAME_LENGTH, requireShortVariables, stringLengthRule } from '../src/string-lengths.js';

const schema = buildSchema(`
  directive @tag(name: String) on FIELD
  input Address { lines: [String!]! }
  input SignUp { email: String!  address: Address }
  enum Colour { RED }
  input Range { from: Float }
  type Query { product(id: ID!): String  echo(text: String, when: Int): String  paint(colour: Colour, range: Range): String }
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

  it('refuses a number or an enum value written over the bound, as it does a string', () => {
    expect(refusals(`{ product(id: ${'9'.repeat(11)}) }`)).toEqual([{ message: 'id is longer than 10 characters', code: 'BAD_USER_INPUT', field: 'id' }]);
    expect(refusals(`{ paint(range: { from: 1.${'5'.repeat(10)} }) }`)).toMatchObject([{ field: 'range.from' }]);
    expect(refusals(`{ paint(colour: ${'R'.repeat(11)}) }`)).toMatchObject([{ field: 'colour' }]);
    expect(refusals(`query ($when: Int = ${'1'.repeat(11)}) { echo(when: $when) }`)).toMatchObject([{ field: 'when' }]);
  });

  it(`refuses any name longer than ${MAX_NAME_LENGTH} characters, saying what it names`, () => {
    const name = 'n'.repeat(MAX_NAME_LENGTH + 1);
    const named = (document: string) =>
      validate(schema, parse(document), [stringLengthRule(10)]).flatMap((error) => (error.extensions.code === 'BAD_USER_INPUT' ? [error.extensions.field] : []));
    expect(named(`{ ${name}: echo }`)).toEqual(['alias']);
    expect(named(`query ${name} { echo }`)).toEqual(['operation name']);
    expect(named(`{ ...${name} } fragment ${name} on Query { echo }`)).toEqual(['fragment name', 'fragment name']);
    expect(named(`query ($${name}: String) { echo(text: $${name}) }`)).toEqual(['variable name', 'variable name']);
    expect(named(`{ echo(${name}: "a") }`)).toEqual(['argument name']);
    expect(named(`{ paint(range: { ${name}: 1 }) }`)).toEqual(['input field name']);
    expect(named(`{ ${name} }`)).toEqual(['field name']);
    expect(refusals(`{ ${name}: echo }`)).toContainEqual({ message: `alias is longer than ${MAX_NAME_LENGTH} characters`, code: 'BAD_USER_INPUT', field: 'alias' });
    expect(refusals(`query ${'n'.repeat(MAX_NAME_LENGTH)} { ${'a'.repeat(MAX_NAME_LENGTH)}: echo }`)).toEqual([]);
  });

  it('lets strings up to the bound through', () => {
    expect(refusals(`mutation ($e: String! = "${'x'.repeat(10)}") { login(email: $e) register(input: { email: "${'y'.repeat(10)}" }) }`)).toEqual([]);
    expect(refusals(`{ product(id: ${'9'.repeat(10)}) paint(colour: RED, range: { from: 1.5 }) }`)).toEqual([]);
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
