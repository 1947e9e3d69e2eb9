import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import { it } from './support/fixtures.js';
import { ALICE, errorCodes, graphql, msUntilRefused } from './support/graphql.js';

const { email: ALICE_EMAIL, password: ALICE_PASSWORD } = ALICE;

interface Session {
  token: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
  user: { id: string; email: string; role: string };
}
const SESSION_FIELDS = 'token refreshToken accessTokenExpiresAt refreshTokenExpiresAt user { id email role }';

async function signIn(url: string, email: string, password: string): Promise<Session> {
  const { data, errors } = await graphql<{ login: Session }>(url, `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { ${SESSION_FIELDS} } }`, {
    variables: { email, password },
  });
  expect(errors).toBeUndefined();
  return data!.login;
}

async function register(url: string, email: string): Promise<Session> {
  const { data, errors } = await graphql<{ register: Session }>(url, `mutation ($input: RegisterInput!) { register(input: $input) { ${SESSION_FIELDS} } }`, {
    variables: { input: { email, password: 'session-password', name: 'Session Tester' } },
  });
  expect(errors).toBeUndefined();
  return data!.register;
}

const refresh = (url: string, refreshToken: string) =>
  graphql<{ refreshSession: Session }>(url, `mutation ($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { ${SESSION_FIELDS} } }`, { variables: { refreshToken } });
const me = (url: string, token: string) => graphql<{ me: { email: string } | null }>(url, '{ me { email } }', { token });

describe('sessions', () => {
  it('signs in with a short-lived access token and a refresh token, both with their expiry', async ({ stack }) => {
    const session = await register(stack.gatewayUrl, 'sessions-1@example.com');
    expect(session.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(session.refreshTokenExpiresAt)).toBeGreaterThan(Date.parse(session.accessTokenExpiresAt));
    expect((await me(stack.gatewayUrl, session.token)).data?.me?.email).toBe('sessions-1@example.com');
  });

  it('rotates the refresh token, and a retired one presented again ends the whole session', async ({ stack }) => {
    const first = await register(stack.gatewayUrl, 'sessions-2@example.com');
    const second = (await refresh(stack.gatewayUrl, first.refreshToken)).data!.refreshSession;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await me(stack.gatewayUrl, second.token)).data?.me?.email).toBe('sessions-2@example.com');
    // The first refresh token again: someone holds a copy. Refused, and the session is over for the holder of the second too.
    expect(errorCodes(await refresh(stack.gatewayUrl, first.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await refresh(stack.gatewayUrl, second.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(await msUntilRefused(stack.gatewayUrl, second.token, 30_000)).toBeLessThan(30_000);
  });

  it('refuses a refresh token that is not one, and one of an unknown session', async ({ stack }) => {
    expect(errorCodes(await refresh(stack.gatewayUrl, 'nonsense'))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await refresh(stack.gatewayUrl, 'A'.repeat(43)))).toEqual(['UNAUTHENTICATED']);
  });

  it('signOut ends this session only: its refresh token at once, its access token at the gateway within 30 s', async ({ stack }) => {
    await register(stack.gatewayUrl, 'sessions-3@example.com');
    const phone = await signIn(stack.gatewayUrl, 'sessions-3@example.com', 'session-password');
    const laptop = await signIn(stack.gatewayUrl, 'sessions-3@example.com', 'session-password');
    const signedOut = await graphql<{ signOut: boolean }>(stack.gatewayUrl, 'mutation { signOut }', { token: phone.token });
    expect(signedOut.data?.signOut).toBe(true);
    expect(errorCodes(await refresh(stack.gatewayUrl, phone.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(await msUntilRefused(stack.gatewayUrl, phone.token, 30_000)).toBeLessThan(30_000);
    // The other device carries on.
    expect((await me(stack.gatewayUrl, laptop.token)).data?.me?.email).toBe('sessions-3@example.com');
    expect((await refresh(stack.gatewayUrl, laptop.refreshToken)).errors).toBeUndefined();
  });

  it("signOutEverywhere ends a second device's session", async ({ stack }) => {
    await register(stack.gatewayUrl, 'sessions-4@example.com');
    const phone = await signIn(stack.gatewayUrl, 'sessions-4@example.com', 'session-password');
    const laptop = await signIn(stack.gatewayUrl, 'sessions-4@example.com', 'session-password');
    expect((await graphql<{ signOutEverywhere: boolean }>(stack.gatewayUrl, 'mutation { signOutEverywhere }', { token: phone.token })).data?.signOutEverywhere).toBe(true);
    expect(errorCodes(await refresh(stack.gatewayUrl, laptop.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(await msUntilRefused(stack.gatewayUrl, laptop.token, 30_000)).toBeLessThan(30_000);
    // A sign-in afterwards is a new session, not refused.
    const again = await signIn(stack.gatewayUrl, 'sessions-4@example.com', 'session-password');
    expect((await me(stack.gatewayUrl, again.token)).data?.me?.email).toBe('sessions-4@example.com');
  });

  it('keeps refusing an ended session while users cannot be reached, and learns what ended meanwhile once it can', async ({ stack }) => {
    await register(stack.gatewayUrl, 'sessions-5@example.com');
    const ended = await signIn(stack.gatewayUrl, 'sessions-5@example.com', 'session-password');
    const later = await signIn(stack.gatewayUrl, 'sessions-5@example.com', 'session-password');
    await graphql(stack.gatewayUrl, 'mutation { signOut }', { token: ended.token });
    expect(await msUntilRefused(stack.gatewayUrl, ended.token, 30_000)).toBeLessThan(30_000);
    await stack.stopSubgraph('users');
    try {
      await sleep(1_500); // a poll or more fails meanwhile
      expect(errorCodes(await me(stack.gatewayUrl, ended.token))).toEqual(['UNAUTHENTICATED']);
    } finally {
      await stack.startSubgraph('users');
    }
    await graphql(stack.gatewayUrl, 'mutation { signOut }', { token: later.token });
    expect(await msUntilRefused(stack.gatewayUrl, later.token, 30_000)).toBeLessThan(30_000);
  });

  it('purges what has expired as people sign in: old refresh tokens, their sessions, and sessions ended long ago', async ({ stack }) => {
    const users = stack.dbs.users;
    const stale = await register(stack.gatewayUrl, 'sessions-6@example.com');
    const ended = await signIn(stack.gatewayUrl, 'sessions-6@example.com', 'session-password');
    await graphql(stack.gatewayUrl, 'mutation { signOut }', { token: ended.token });
    // Age them: the first session's refresh tokens expired a day ago, the second ended a day ago.
    await users.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 day' WHERE session_id = (SELECT id FROM sessions WHERE user_id = $1 ORDER BY created_at LIMIT 1)`, [stale.user.id]);
    await users.query(`UPDATE sessions SET ended_at = now() - interval '1 day' WHERE user_id = $1 AND ended_at IS NOT NULL`, [stale.user.id]);
    expect((await users.query<{ count: number }>('SELECT count(*)::int AS count FROM sessions WHERE user_id = $1', [stale.user.id]))[0]!.count).toBe(2);
    await signIn(stack.gatewayUrl, ALICE_EMAIL, ALICE_PASSWORD);
    expect((await users.query<{ count: number }>('SELECT count(*)::int AS count FROM sessions WHERE user_id = $1', [stale.user.id]))[0]!.count).toBe(0);
    expect((await users.query<{ count: number }>('SELECT count(*)::int AS count FROM refresh_tokens WHERE expires_at < now()'))[0]!.count).toBe(0);
  });

  it('needs a signed-in user to sign out', async ({ stack }) => {
    expect(errorCodes(await graphql(stack.gatewayUrl, 'mutation { signOut }'))).toEqual(['UNAUTHENTICATED']);
  });
});
