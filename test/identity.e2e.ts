import { describe, expect } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { randomUUID } from 'node:crypto';
import { LoginDocument, MeDocument, RegisterDocument, UserDocument, type RegisterInput } from '@shop/sdk';
import { it } from './support/fixtures.js';
import { ADMIN, ALICE, errorCodes, graphql, login, pick } from './support/graphql.js';

const uniqueEmail = () => `user-${randomUUID()}@example.com`;

describe('identity through the gateway', () => {
  it('registers, signs in and answers me', async ({ stack }) => {
    const email = uniqueEmail();
    const registered = await graphql(stack.gatewayUrl, RegisterDocument, { variables: { input: { email, password: 'long-enough', name: 'Bob' } } });
    expect(registered.errors).toBeUndefined();
    const { user } = registered.data!.register;
    expect(user).toMatchObject({ email, name: 'Bob', role: 'CUSTOMER' });
    expect(new Date(user.createdAt).toISOString()).toBe(user.createdAt);

    const token = await login(stack.gatewayUrl, email.toUpperCase(), 'long-enough');
    const me = await graphql(stack.gatewayUrl, MeDocument, { token });
    expect(pick(me.data!.me!, 'id', 'email', 'name', 'role')).toEqual({ id: user.id, email, name: 'Bob', role: 'CUSTOMER' });
  });

  it('answers me with null without a token', async ({ stack }) => {
    const me = await graphql(stack.gatewayUrl, MeDocument);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toBeNull();
  });

  it('issues EdDSA tokens with sub, role, iss, aud and an expiry of one hour', async ({ stack }) => {
    const token = await login(stack.gatewayUrl, ALICE.email, ALICE.password);
    const claims = decodeJwt(token);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'JWT' });
    expect(claims).toMatchObject({ role: 'CUSTOMER', iss: 'shop-users', aud: 'shop' });
    expect(typeof claims.sub).toBe('string');
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('publishes the public key as a JWKS and never the private part', async ({ stack }) => {
    const response = await fetch(`${stack.urls.users}/.well-known/jwks.json`);
    const { keys } = (await response.json()) as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it.for<[string, RegisterInput, string]>([
    ['a bad email', { email: 'not-an-email', password: 'long-enough', name: 'X' }, 'email'],
    ['a short password', { email: uniqueEmail(), password: 'short', name: 'X' }, 'password'],
    ['an empty name', { email: uniqueEmail(), password: 'long-enough', name: '  ' }, 'name'],
  ])('refuses a registration with %s as BAD_USER_INPUT naming the field', async ([, input, field], { stack }) => {
    const response = await graphql(stack.gatewayUrl, RegisterDocument, { variables: { input } });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe(field);
  });

  it('refuses an email that is taken, whatever its case, as CONFLICT', async ({ stack }) => {
    const email = uniqueEmail();
    const register = (address: string) => graphql(stack.gatewayUrl, RegisterDocument, { variables: { input: { email: address, password: 'long-enough', name: 'Bob' } } });
    expect((await register(email)).errors).toBeUndefined();
    expect(errorCodes(await register(email.toUpperCase()))).toEqual(['CONFLICT']);
  });

  it("refuses a demo account's email, in any case, as CONFLICT", async ({ stack }) => {
    const response = await graphql(stack.gatewayUrl, RegisterDocument, {
      variables: { input: { email: 'ALICE@example.com', password: 'long-enough', name: 'Alice again' } },
    });
    expect(errorCodes(response)).toEqual(['CONFLICT']);
  });

  it('gives the same UNAUTHENTICATED error for a wrong password and an unknown email', async ({ stack }) => {
    const wrongPassword = await graphql(stack.gatewayUrl, LoginDocument, { variables: { email: ALICE.email, password: 'wrong-password' } });
    const unknownEmail = await graphql(stack.gatewayUrl, LoginDocument, { variables: { email: uniqueEmail(), password: 'wrong-password' } });
    expect(errorCodes(wrongPassword)).toEqual(['UNAUTHENTICATED']);
    expect(unknownEmail.errors?.[0]?.message).toBe(wrongPassword.errors?.[0]?.message);
    expect(errorCodes(unknownEmail)).toEqual(['UNAUTHENTICATED']);
  });

  it.for<[string, string]>([
    ['a malformed header', 'Token abc'],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
    ['a token with a forged signature', 'FORGED'],
  ])('refuses %s with UNAUTHENTICATED at the gateway', async ([, header], { stack }) => {
    let authorization = header;
    if (header === 'FORGED') {
      const [head, payload] = (await login(stack.gatewayUrl, ALICE.email, ALICE.password)).split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, role: 'ADMIN' })).toString('base64url');
      authorization = `Bearer ${head}.${forged}.${'A'.repeat(86)}`;
    }
    const response = await graphql(stack.gatewayUrl, MeDocument, { headers: { authorization } });
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('lets a user read themself by id, an admin anyone, and nobody else', async ({ stack }) => {
    const alice = await login(stack.gatewayUrl, ALICE.email, ALICE.password);
    const admin = await login(stack.gatewayUrl, ADMIN.email, ADMIN.password);
    const aliceId = (await graphql(stack.gatewayUrl, MeDocument, { token: alice })).data!.me!.id;
    const adminId = (await graphql(stack.gatewayUrl, MeDocument, { token: admin })).data!.me!.id;
    const user = (token: string | undefined, id: string) => graphql(stack.gatewayUrl, UserDocument, { token, variables: { id } });

    expect((await user(alice, aliceId)).data!.user!.email).toBe(ALICE.email);
    expect((await user(admin, aliceId)).data!.user!.email).toBe(ALICE.email);
    expect(errorCodes(await user(alice, adminId))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await user(undefined, aliceId))).toEqual(['UNAUTHENTICATED']);
    expect((await user(admin, randomUUID())).data!.user).toBeNull();
    const malformed = await user(admin, 'not-a-uuid');
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
    expect(malformed.errors?.[0]?.extensions?.field).toBe('id');
  });
});
