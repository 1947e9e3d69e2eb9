import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { randomUUID } from 'node:crypto';
import { startStack, type Stack } from './support/stack.js';
import { ADMIN, ALICE, errorCodes, graphql, login } from './support/graphql.js';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { token user { id email name role createdAt } } }`;
const ME = '{ me { id email name role } }';
const uniqueEmail = () => `user-${randomUUID()}@example.com`;

describe('identity through the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('registers, signs in and answers me', async () => {
    const email = uniqueEmail();
    const registered = await graphql(stack.gatewayUrl, REGISTER, { variables: { input: { email, password: 'long-enough', name: 'Bob' } } });
    expect(registered.errors).toBeUndefined();
    expect(registered.data.register.user).toMatchObject({ email, name: 'Bob', role: 'CUSTOMER' });
    expect(new Date(registered.data.register.user.createdAt).toISOString()).toBe(registered.data.register.user.createdAt);

    const token = await login(stack.gatewayUrl, email.toUpperCase(), 'long-enough');
    const me = await graphql(stack.gatewayUrl, ME, { token });
    expect(me.data.me).toEqual({ id: registered.data.register.user.id, email, name: 'Bob', role: 'CUSTOMER' });
  });

  it('answers me with null without a token', async () => {
    const me = await graphql(stack.gatewayUrl, ME);
    expect(me.errors).toBeUndefined();
    expect(me.data.me).toBeNull();
  });

  it('issues EdDSA tokens with sub, role, iss, aud and an expiry of one hour', async () => {
    const token = await login(stack.gatewayUrl, ALICE.email, ALICE.password);
    const claims = decodeJwt(token);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'JWT' });
    expect(claims).toMatchObject({ role: 'CUSTOMER', iss: 'shop-users', aud: 'shop' });
    expect(typeof claims.sub).toBe('string');
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('publishes the public key as a JWKS and never the private part', async () => {
    const response = await fetch(`${stack.urls.users}/.well-known/jwks.json`);
    const { keys } = (await response.json()) as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it.each([
    ['a bad email', { email: 'not-an-email', password: 'long-enough', name: 'X' }, 'email'],
    ['a short password', { email: uniqueEmail(), password: 'short', name: 'X' }, 'password'],
    ['an empty name', { email: uniqueEmail(), password: 'long-enough', name: '  ' }, 'name'],
  ])('refuses a registration with %s as BAD_USER_INPUT naming the field', async (_case, input, field) => {
    const response = await graphql(stack.gatewayUrl, REGISTER, { variables: { input } });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe(field);
  });

  it('refuses an email that is taken, whatever its case, as CONFLICT', async () => {
    const response = await graphql(stack.gatewayUrl, REGISTER, {
      variables: { input: { email: 'ALICE@example.com', password: 'long-enough', name: 'Alice again' } },
    });
    expect(errorCodes(response)).toEqual(['CONFLICT']);
  });

  it('gives the same UNAUTHENTICATED error for a wrong password and an unknown email', async () => {
    const query = 'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }';
    const wrongPassword = await graphql(stack.gatewayUrl, query, { variables: { email: ALICE.email, password: 'wrong-password' } });
    const unknownEmail = await graphql(stack.gatewayUrl, query, { variables: { email: uniqueEmail(), password: 'wrong-password' } });
    expect(errorCodes(wrongPassword)).toEqual(['UNAUTHENTICATED']);
    expect(unknownEmail.errors?.[0]?.message).toBe(wrongPassword.errors?.[0]?.message);
    expect(errorCodes(unknownEmail)).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    ['a malformed header', 'Token abc'],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
    ['a token with a forged signature', 'FORGED'],
  ])('refuses %s with UNAUTHENTICATED at the gateway', async (_case, header) => {
    let authorization = header;
    if (header === 'FORGED') {
      const [head, payload] = (await login(stack.gatewayUrl, ALICE.email, ALICE.password)).split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, role: 'ADMIN' })).toString('base64url');
      authorization = `Bearer ${head}.${forged}.${'A'.repeat(86)}`;
    }
    const response = await graphql(stack.gatewayUrl, ME, { headers: { authorization } });
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('lets a user read themself by id, an admin anyone, and nobody else', async () => {
    const alice = await login(stack.gatewayUrl, ALICE.email, ALICE.password);
    const admin = await login(stack.gatewayUrl, ADMIN.email, ADMIN.password);
    const aliceId = (await graphql(stack.gatewayUrl, '{ me { id } }', { token: alice })).data.me.id;
    const adminId = (await graphql(stack.gatewayUrl, '{ me { id } }', { token: admin })).data.me.id;
    const query = 'query ($id: ID!) { user(id: $id) { email } }';

    expect((await graphql(stack.gatewayUrl, query, { token: alice, variables: { id: aliceId } })).data.user.email).toBe(ALICE.email);
    expect((await graphql(stack.gatewayUrl, query, { token: admin, variables: { id: aliceId } })).data.user.email).toBe(ALICE.email);
    expect(errorCodes(await graphql(stack.gatewayUrl, query, { token: alice, variables: { id: adminId } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(stack.gatewayUrl, query, { variables: { id: aliceId } }))).toEqual(['UNAUTHENTICATED']);
    expect((await graphql(stack.gatewayUrl, query, { token: admin, variables: { id: randomUUID() } })).data.user).toBeNull();
    expect((await graphql(stack.gatewayUrl, query, { token: admin, variables: { id: 'not-a-uuid' } })).data.user).toBeNull();
  });
});
