import { describe, expect, it } from 'vitest';
import {
  ChangePasswordDocument,
  createShopClient,
  MeDocument,
  RefreshSessionDocument,
  ShopNetworkError,
  SignOutEverywhereDocument,
  type SessionFieldsFragment,
  type ShopClientOptions,
  type ShopSession,
} from '../src/index.js';

const USER = { id: '1', email: 'a@example.com', name: 'A', role: 'CUSTOMER', createdAt: '2026-01-01T00:00:00.000Z' } as const;
const IN_AN_HOUR = () => new Date(Date.now() + 3_600_000).toISOString();
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const refused = (message: string) => json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }, 401);

interface Call {
  operation: string;
  bearer: string | undefined;
}

/**
 * A shop that keeps sessions as the users service does: access tokens it can expire one by one,
 * refresh tokens that are single-use, and a retired refresh token presented again ending the
 * whole session (as a copied one would).
 */
class FakeShop {
  readonly calls: Call[] = [];
  /** Runs before each answer: a test holds an answer back, or fails the request, from here. */
  beforeAnswer: (call: Call) => Promise<void> = async () => undefined;
  /** Me refuses every token, valid or not. */
  meRefusesEveryone = false;
  /** DeleteMe answers a wrong password: a field's UNAUTHENTICATED, HTTP 200, as users does. */
  wrongPassword = false;
  private issued = 0;
  private readonly liveAccess = new Set<string>();
  private readonly refreshTokens = new Map<string, 'live' | 'retired'>();

  issue(): SessionFieldsFragment {
    this.issued += 1;
    const n = this.issued;
    this.liveAccess.add(`access-${n}`);
    this.refreshTokens.set(`refresh-${n}`, 'live');
    return { token: `access-${n}`, accessTokenExpiresAt: IN_AN_HOUR(), refreshToken: `refresh-${n}`, refreshTokenExpiresAt: IN_AN_HOUR(), user: USER };
  }

  /** The access token runs out; its refresh token still works. */
  expire(token: string | undefined): void {
    this.liveAccess.delete(token ?? '');
  }

  /** Every session ends (signed out everywhere, say): no token of them works any more. */
  endSessions(): void {
    this.liveAccess.clear();
    this.refreshTokens.clear();
  }

  count(operation: string): number {
    return this.calls.filter((call) => call.operation === operation).length;
  }

  readonly fetch: typeof globalThis.fetch = async (_url, init) => {
    const body = JSON.parse(init?.body as string) as { query: string; variables?: Record<string, unknown> };
    const operation = /^\s*(?:query|mutation) (\w+)/.exec(body.query)?.[1] ?? '?';
    const bearer = new Headers(init?.headers).get('authorization')?.replace(/^Bearer /, '');
    const call = { operation, bearer };
    this.calls.push(call);
    await this.beforeAnswer(call);
    if (bearer !== undefined && !this.liveAccess.has(bearer)) return refused('The token has expired');
    switch (operation) {
      case 'Login':
        return json({ data: { login: this.issue() } });
      case 'RefreshSession': {
        const refreshToken = String(body.variables?.refreshToken);
        const state = this.refreshTokens.get(refreshToken);
        if (state === 'retired') this.endSessions();
        if (state !== 'live') return refused('The session has ended');
        this.refreshTokens.set(refreshToken, 'retired');
        return json({ data: { refreshSession: this.issue() } });
      }
      case 'ChangePassword':
        this.endSessions();
        return json({ data: { changePassword: this.issue() } });
      case 'Me':
        if (this.meRefusesEveryone) return refused('Not you');
        return json({ data: { me: bearer ? USER : null } });
      case 'DeleteMe':
        if (this.wrongPassword) return json({ data: null, errors: [{ message: 'Wrong password', path: ['deleteMe'], extensions: { code: 'UNAUTHENTICATED' } }] });
        return json({ data: { deleteMe: true } });
      case 'SignOut':
      case 'SignOutEverywhere':
        if (!bearer) return refused('Sign in first');
        this.endSessions();
        return json({ data: { [operation.charAt(0).toLowerCase() + operation.slice(1)]: true } });
      default:
        return json({ errors: [{ message: `The fake shop does not know ${operation}` }] });
    }
  };
}

/** A client of the fake shop that records what it told onSession. */
function clientOf(shop: FakeShop, options: Partial<ShopClientOptions> = {}) {
  const told: (ShopSession | null)[] = [];
  const client = createShopClient({
    url: 'http://shop.test/graphql',
    persistedDocuments: false,
    fetch: shop.fetch,
    onSession: (session) => told.push(session),
    ...options,
  });
  return { client, told };
}

const tokensOf = (session: ShopSession | null | undefined) => session && { token: session.token, refreshToken: session.refreshToken };

describe('the client session', () => {
  it('does not refresh, or send a password again, for a field refused as UNAUTHENTICATED (a wrong password)', async () => {
    const shop = new FakeShop();
    const { client } = clientOf(shop);
    await client.login('a@example.com', 'password');
    shop.wrongPassword = true;
    await expect(client.deleteMe('not-it')).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 200 });
    expect(shop.count('DeleteMe')).toBe(1);
    expect(shop.count('RefreshSession')).toBe(0);
    expect(client.session).toBeDefined();
  });

  it('keeps the session a sign-in starts, and tells onSession', async () => {
    const shop = new FakeShop();
    const { client, told } = clientOf(shop);
    const { token, refreshToken } = await client.login('a@example.com', 'password');
    expect(told.map(tokensOf)).toEqual([{ token, refreshToken }]);
    expect(client.session).toMatchObject({ token, refreshToken });
    expect(shop.calls).toEqual([{ operation: 'Login', bearer: undefined }]);
  });

  it('renews an expired access token with one refresh shared by the calls that failed together, and retries each once', async () => {
    const shop = new FakeShop();
    const { client, told } = clientOf(shop);
    await client.login('a@example.com', 'password');
    shop.expire(client.token);
    const answers = await Promise.all([client.request(MeDocument), client.request(MeDocument), client.request(MeDocument)]);
    expect(answers).toEqual([{ me: USER }, { me: USER }, { me: USER }]);
    expect(shop.count('RefreshSession')).toBe(1);
    expect(shop.calls.filter((call) => call.operation === 'Me').map((call) => call.bearer)).toEqual(['access-1', 'access-1', 'access-1', 'access-2', 'access-2', 'access-2']);
    expect(told.map(tokensOf)).toEqual([
      { token: 'access-1', refreshToken: 'refresh-1' },
      { token: 'access-2', refreshToken: 'refresh-2' },
    ]);
    expect(client.session).toMatchObject({ token: 'access-2', refreshToken: 'refresh-2' });
  });

  it('follows a renewal already done when a slower call fails, instead of spending the retired refresh token', async () => {
    const shop = new FakeShop();
    const { client } = clientOf(shop);
    await client.login('a@example.com', 'password');
    shop.expire(client.token);
    let releaseSlow: () => void = () => undefined;
    const slowHeld = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    let meCalls = 0;
    shop.beforeAnswer = async ({ operation }) => {
      if (operation === 'Me' && ++meCalls === 2) await slowHeld;
    };
    const fast = client.request(MeDocument);
    const slow = client.request(MeDocument);
    expect(await fast).toEqual({ me: USER });
    releaseSlow();
    expect(await slow).toEqual({ me: USER });
    expect(shop.count('RefreshSession')).toBe(1);
    expect(client.session).toMatchObject({ refreshToken: 'refresh-2' });
  });

  it('drops the session and throws the call’s own error when the renewal is refused', async () => {
    const shop = new FakeShop();
    const { client, told } = clientOf(shop);
    await client.login('a@example.com', 'password');
    shop.endSessions();
    const error = await client.request(MeDocument).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ name: 'ShopError', code: 'UNAUTHENTICATED', message: 'The token has expired' });
    expect(shop.count('RefreshSession')).toBe(1);
    expect(shop.count('Me')).toBe(1);
    expect(told.at(-1)).toBeNull();
    expect(client.session).toBeUndefined();
    expect(client.token).toBeUndefined();
    expect(await client.request(MeDocument)).toEqual({ me: null });
    expect(shop.calls.at(-1)).toEqual({ operation: 'Me', bearer: undefined });
  });

  it('retries a call once only, and then throws its error', async () => {
    const shop = new FakeShop();
    const { client } = clientOf(shop);
    await client.login('a@example.com', 'password');
    shop.meRefusesEveryone = true;
    await expect(client.request(MeDocument)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'Not you' });
    expect(shop.count('Me')).toBe(2);
    expect(shop.count('RefreshSession')).toBe(1);
  });

  it('keeps the session and throws the network error when the refresh cannot reach the shop', async () => {
    const shop = new FakeShop();
    const { client, told } = clientOf(shop);
    await client.login('a@example.com', 'password');
    shop.expire(client.token);
    shop.beforeAnswer = async ({ operation }) => {
      if (operation === 'RefreshSession') throw new TypeError('fetch failed');
    };
    await expect(client.request(MeDocument)).rejects.toBeInstanceOf(ShopNetworkError);
    expect(client.session).toMatchObject({ refreshToken: 'refresh-1' });
    expect(told).toHaveLength(1);
    shop.beforeAnswer = async () => undefined;
    expect(await client.request(MeDocument)).toEqual({ me: USER });
    expect(client.session).toMatchObject({ refreshToken: 'refresh-2' });
  });

  it('never renews for RefreshSession itself, and sends the documents that sign in without the access token', async () => {
    const shop = new FakeShop();
    const { client } = clientOf(shop);
    await client.login('a@example.com', 'password');
    await expect(client.request(RefreshSessionDocument, { refreshToken: 'unknown' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(shop.calls).toEqual([
      { operation: 'Login', bearer: undefined },
      { operation: 'RefreshSession', bearer: undefined },
    ]);
    // Someone else's refresh token failing says nothing about this client's session.
    expect(client.session).toMatchObject({ refreshToken: 'refresh-1' });
  });

  it('renews before the call when the access token it resumes with is known to have expired', async () => {
    const shop = new FakeShop();
    const { refreshToken, refreshTokenExpiresAt } = shop.issue();
    const { client, told } = clientOf(shop, {
      session: { token: 'long-gone', accessTokenExpiresAt: new Date(Date.now() - 1000).toISOString(), refreshToken, refreshTokenExpiresAt },
    });
    expect(await client.request(MeDocument)).toEqual({ me: USER });
    expect(shop.calls).toEqual([
      { operation: 'RefreshSession', bearer: undefined },
      { operation: 'Me', bearer: 'access-2' },
    ]);
    expect(told.map(tokensOf)).toEqual([{ token: 'access-2', refreshToken: 'refresh-2' }]);
  });

  it('keeps the session ChangePassword answers with', async () => {
    const shop = new FakeShop();
    const { client } = clientOf(shop);
    await client.login('a@example.com', 'password');
    await client.request(ChangePasswordDocument, { currentPassword: 'password', newPassword: 'another-password' });
    expect(client.session).toMatchObject({ token: 'access-2', refreshToken: 'refresh-2' });
    expect(await client.request(MeDocument)).toEqual({ me: USER });
    expect(shop.count('RefreshSession')).toBe(0);
  });

  it('signOut forgets the session at once and ends it on the server', async () => {
    const shop = new FakeShop();
    const { client, told } = clientOf(shop);
    await client.login('a@example.com', 'password');
    const ended = client.signOut();
    expect(client.token).toBeUndefined();
    expect(told.at(-1)).toBeNull();
    await ended;
    expect(shop.calls.at(-1)).toEqual({ operation: 'SignOut', bearer: 'access-1' });
  });

  it('signOut renews an expired access token to end the session', async () => {
    const shop = new FakeShop();
    const { client } = clientOf(shop);
    await client.login('a@example.com', 'password');
    shop.expire(client.token);
    await client.signOut();
    expect(shop.calls.map((call) => call.operation)).toEqual(['Login', 'SignOut', 'RefreshSession', 'SignOut']);
    expect(shop.calls.at(-1)).toEqual({ operation: 'SignOut', bearer: 'access-2' });
    expect(client.session).toBeUndefined();
  });

  it('drops the session once SignOutEverywhere succeeds', async () => {
    const shop = new FakeShop();
    const { client, told } = clientOf(shop);
    await client.login('a@example.com', 'password');
    expect(await client.request(SignOutEverywhereDocument)).toEqual({ signOutEverywhere: true });
    expect(client.session).toBeUndefined();
    expect(told.at(-1)).toBeNull();
  });
});
