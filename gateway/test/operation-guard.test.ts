import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApolloServer } from '@apollo/server';
import { buildSchema, GraphQLError } from 'graphql';
import type { GatewayContext } from '../src/context.js';
import { documentLimits } from '../src/document-limits.js';
import { operationGuard } from '../src/operation-guard.js';
import { createRateLimiters } from '../src/rate-limits.js';
import { testLogger } from '../../test/support/logger.js';

const schema = buildSchema(`
  input RegisterInput { email: String!  password: String! }
  input UpdateMeInput { name: String  currentPassword: String }
  type Query { ok: Boolean }
  type Mutation {
    login(email: String!, password: String!): String
    register(input: RegisterInput!): String
    changePassword(currentPassword: String!, newPassword: String!): String
    deleteMe(currentPassword: String!): Boolean
    updateMe(input: UpdateMeInput!): String
    cancelOrder(id: ID!): String
  }
`);
const allowance = { points: 100, durationSeconds: 60 };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A real Apollo Server with the gateway's guard and its string-length rule, resolvers that count their calls. */
async function guarded() {
  const limiters = createRateLimiters({ requests: allowance, loginAddresses: allowance, logins: allowance, loginAccounts: allowance, registrations: allowance, keyPrefix: randomUUID() }, testLogger('gateway'));
  const calls: string[] = [];
  const resolve = (name: string) => () => {
    calls.push(name);
    return name;
  };
  const rootValue: Record<string, (args: Record<string, unknown>) => unknown> = Object.fromEntries(['login', 'register', 'changePassword', 'deleteMe', 'updateMe', 'cancelOrder'].map((name) => [name, resolve(name)]));
  const signIn = rootValue.login!;
  rootValue.login = (args) => {
    if (args.password === 'wrong') throw new GraphQLError('Wrong email or password', { extensions: { code: 'UNAUTHENTICATED' } });
    return signIn(args);
  };
  const limits = documentLimits({ maxDepth: 8, maxAliases: 20, maxDirectives: 50, maxTokens: 1000, maxStringLength: 100, hideSuggestions: false });
  const server = new ApolloServer<GatewayContext>({ schema, rootValue, validationRules: limits.validationRules, plugins: [operationGuard({ maxStringLength: 100, limiters })] });
  await server.start();
  const run = async (query: string, variables?: Record<string, unknown>) => {
    const response = await server.executeOperation(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: { requestId: 'r', logger: testLogger('gateway'), clientAddress: '203.0.113.1' } },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    const { data, errors } = response.body.singleResult;
    return { status: response.http.status, data, errors: errors?.map((error) => ({ code: error.extensions?.code, field: error.extensions?.field })) };
  };
  return { run, calls, limiters, stop: () => server.stop() };
}

describe('operationGuard', () => {
  it('refuses a variable’s long string before any rate-limit key is made of it, and runs nothing', async () => {
    const { run, calls, limiters, stop } = await guarded();
    const email = 'a'.repeat(900_000);
    const refused = await run('mutation ($email: String!) { login(email: $email, password: "x") }', { email });
    expect(refused).toEqual({ status: 400, data: undefined, errors: [{ code: 'BAD_USER_INPUT', field: 'email' }] });
    expect(await limiters.loginAccounts.get(sha256(email))).toBeNull();
    expect((await run('mutation ($id: ID!) { cancelOrder(id: $id) }', { id: 'b'.repeat(900_000) })).errors).toEqual([{ code: 'BAD_USER_INPUT', field: 'id' }]);
    // Written in the document, the string-length rule refuses it first.
    expect((await run(`mutation { login(email: "${'c'.repeat(101)}", password: "x") }`)).errors).toEqual([{ code: 'GRAPHQL_VALIDATION_FAILED', field: 'email' }]);
    expect(calls).toEqual([]);
    await stop();
  });

  it('refuses a second field that checks or sets a password, however it is written, before any runs', async () => {
    const { run, calls, stop } = await guarded();
    const registrations = Array.from({ length: 15 }, (_, index) => `r${index}: register(input: { email: "u${index}@example.com", password: "password" })`).join(' ');
    expect(await run(`mutation { ${registrations} }`)).toEqual({ status: 400, data: undefined, errors: [{ code: 'BAD_USER_INPUT', field: 'register' }] });
    expect((await run('mutation { login(email: "a", password: "b") ...F } fragment F on Mutation { deleteMe(currentPassword: "c") }')).errors).toEqual([
      { code: 'BAD_USER_INPUT', field: 'deleteMe' },
    ]);
    expect((await run('mutation ($p: String) { changePassword(currentPassword: "a", newPassword: "b") updateMe(input: { currentPassword: $p }) }', { p: 'x' })).errors).toEqual([
      { code: 'BAD_USER_INPUT', field: 'updateMe' },
    ]);
    expect(calls).toEqual([]);

    // One is fine, beside fields that hash nothing (updateMe without currentPassword).
    const one = await run('mutation { login(email: "a", password: "b") updateMe(input: { name: "n" }) cancelOrder(id: "o") }');
    expect(one.errors).toBeUndefined();
    expect(calls).toEqual(['login', 'updateMe', 'cancelOrder']);
    await stop();
  });

  it('gives a login’s per-account point back when it succeeded, not when it failed', async () => {
    const { run, limiters, stop } = await guarded();
    const account = sha256('alice@example.com');
    expect((await run('mutation { login(email: "alice@example.com", password: "wrong") }')).errors).toEqual([{ code: 'UNAUTHENTICATED', field: undefined }]);
    expect((await limiters.loginAccounts.get(account))?.consumedPoints).toBe(1);
    expect((await run('mutation { signedIn: login(email: "Alice@example.com", password: "right") }')).errors).toBeUndefined();
    expect((await limiters.loginAccounts.get(account))?.consumedPoints).toBe(1);
    // The per-address points stay taken.
    expect((await limiters.logins.get(`${account}|203.0.113.1`))?.consumedPoints).toBe(2);
    expect((await limiters.loginAddresses.get('203.0.113.1'))?.consumedPoints).toBe(2);
    await stop();
  });
});
