import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { RegisterDocument } from '@shop/sdk';
import type { Stack } from './support/stack.js';
import { test } from './support/fixtures.js';
import { errorCodes, graphql } from './support/graphql.js';

/** Two password checks per account a minute (logins get two per email and address); no other limit met. */
const it = test.extend('stackOptions', { scope: 'file' }, { rateLimits: { logins: { points: 2, durationSeconds: 60 } } });

const CHANGE_PASSWORD = `mutation ($current: String!) { changePassword(currentPassword: $current, newPassword: "new-password") { token } }`;
const DELETE_ME = `mutation ($current: String!) { deleteMe(currentPassword: $current) }`;
const UPDATE_ME = `mutation ($input: UpdateMeInput!) { updateMe(input: $input) { name } }`;

/** A new customer's token; registering takes no point from the logins allowance. */
async function newToken(stack: Stack): Promise<string> {
  const email = `limited-${randomUUID()}@example.com`;
  const response = await graphql(stack.gatewayUrl, RegisterDocument, { variables: { input: { email, password: 'right-password', name: 'Limited' } } });
  return response.data!.register.token;
}

describe('rate limits of the password checks at the gateway', () => {
  it('counts changePassword, deleteMe and updateMe with currentPassword against one allowance per user', async ({ stack }) => {
    const token = await newToken(stack);
    const send = (document: string, variables: Record<string, unknown>, as = token) => graphql(stack.gatewayUrl, document, { token: as, variables });

    expect(errorCodes(await send(CHANGE_PASSWORD, { current: 'guess-1' }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await send(DELETE_ME, { current: 'guess-2' }))).toEqual(['UNAUTHENTICATED']);
    const refused = await send(UPDATE_ME, { input: { name: 'X', currentPassword: 'guess-3' } });
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Refused before any password is checked, the right one included, however it is written.
    expect(errorCodes(await send(CHANGE_PASSWORD, { current: 'right-password' }))).toEqual(['RATE_LIMITED']);
    expect(errorCodes(await send(`mutation { deleteMe(currentPassword: "right-password") }`, {}))).toEqual(['RATE_LIMITED']);
    const inlined = `mutation ($p: String = "guess-4") { updateMe(input: { currentPassword: $p }) { name } }`;
    expect(errorCodes(await send(inlined, {}))).toEqual(['RATE_LIMITED']);

    // updateMe without a password checks none, so it takes no point.
    const renamed = await send(UPDATE_ME, { input: { name: 'Still Me', currentPassword: null } });
    expect(renamed.errors).toBeUndefined();
    // Another account keeps its own allowance.
    expect(errorCodes(await send(CHANGE_PASSWORD, { current: 'guess-1' }, await newToken(stack)))).toEqual(['UNAUTHENTICATED']);
  });
});
