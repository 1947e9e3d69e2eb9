import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, errors, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import {
  createTokenVerifier,
  isSelfOrAdmin,
  remoteKeySet,
  requireAdmin,
  requireViewer,
  SCOPES_OF_ROLE,
  scopesOfClaim,
  scopesOfRole,
  viewerFromAuthorization,
  type Viewer,
  type VerifyToken,
} from '../src/auth.js';
import { ForbiddenError, ServiceUnavailableError, UnauthenticatedError } from '../src/errors.js';

const RULES = { issuer: 'shop-users', audience: 'shop' };
const ADMIN_SCOPES = ['users:admin', 'catalogue:write', 'orders:write:any', 'webhooks:admin'];
const CUSTOMER: Viewer = { userId: 'user-1', role: 'CUSTOMER', scopes: [] };
const ADMIN: Viewer = { userId: 'admin-1', role: 'ADMIN', scopes: ADMIN_SCOPES };

let privateKey: CryptoKey;
let publicKey: CryptoKey;
let verify: VerifyToken;

beforeAll(async () => {
  ({ privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true }));
  verify = createTokenVerifier(publicKey, RULES);
});

interface TokenOptions {
  claims?: JWTPayload;
  key?: CryptoKey | Uint8Array;
  alg?: string;
  issuer?: string;
  audience?: string;
  subject?: string | null;
  /** Seconds since the epoch, or null for no `exp` at all. */
  expiresAt?: number | null;
}

const now = () => Math.floor(Date.now() / 1000);

/** A token as the users service issues it, with one thing changed per test. */
function signToken(options: TokenOptions = {}): Promise<string> {
  const { claims = { role: 'CUSTOMER' }, key = privateKey, alg = 'EdDSA', issuer = RULES.issuer, audience = RULES.audience } = options;
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).setIssuer(issuer).setAudience(audience).setIssuedAt();
  const subject = options.subject === undefined ? 'user-1' : options.subject;
  if (subject !== null) jwt.setSubject(subject);
  const expiresAt = options.expiresAt === undefined ? now() + 3600 : options.expiresAt;
  if (expiresAt !== null) jwt.setExpirationTime(expiresAt);
  return jwt.sign(key);
}

/** The error `work` throws; fails the test when it throws nothing. */
function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return expect.fail('expected an error, but nothing was thrown');
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Checks that `promise` rejects with the 401 UNAUTHENTICATED error that refuses a whole request. */
async function expectRefused(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => expect.fail('expected the token to be refused'),
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  expect(error).toMatchObject({ extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

describe('createTokenVerifier', () => {
  it('returns the viewer of a valid token', async () => {
    expect(await verify(await signToken())).toEqual(CUSTOMER);
    expect(await verify(await signToken({ claims: { role: 'ADMIN', scope: ADMIN_SCOPES.join(' ') }, subject: 'admin-1' }))).toEqual(ADMIN);
  });

  it('reads the scopes from the scope claim, whatever the role', async () => {
    const viewerWith = async (claims: JWTPayload) => verify(await signToken({ claims: { role: 'CUSTOMER', ...claims } }));
    expect((await viewerWith({ scope: 'catalogue:write  orders:read' })).scopes).toEqual(['catalogue:write', 'orders:read']);
    expect((await viewerWith({ scope: '' })).scopes).toEqual([]);
    expect((await viewerWith({})).scopes).toEqual([]);
    // Not RFC 9068's form: no scopes rather than a guess.
    expect((await viewerWith({ scope: ['users:admin'] })).scopes).toEqual([]);
  });

  it("requires the shop's role claim unless told not to, as the gateway is for other issuers' tokens", async () => {
    const withoutRole = await signToken({ claims: { role: undefined, scope: 'a:read' } });
    const forgedRole = await signToken({ claims: { role: 'SUPERUSER' } });
    await expectRefused(verify(withoutRole));
    await expectRefused(verify(forgedRole));
    const gatewayVerify = createTokenVerifier(publicKey, RULES, { requireRole: false });
    expect(await gatewayVerify(withoutRole)).toEqual({ userId: CUSTOMER.userId, scopes: ['a:read'] });
    // A role that is not one of the shop's is no role at all, not a refusal, and grants nothing.
    expect(await gatewayVerify(forgedRole)).toEqual({ userId: CUSTOMER.userId, scopes: [] });
  });

  it('takes the key from a key function, as with a remote JWKS', async () => {
    const getKey = vi.fn(async () => publicKey);
    const viewer = await createTokenVerifier(getKey, RULES)(await signToken());
    expect(viewer).toEqual(CUSTOMER);
    expect(getKey).toHaveBeenCalledTimes(1);
  });

  it('checks a token it has verified once only again after a minute, and never past its expiry', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const getKey = vi.fn(async () => publicKey);
      const remembering = createTokenVerifier(getKey, RULES);
      const token = await signToken();
      expect(await remembering(token)).toEqual(CUSTOMER);
      expect(await remembering(token)).toEqual(CUSTOMER);
      expect(getKey).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(61_000);
      expect(await remembering(token)).toEqual(CUSTOMER);
      expect(getKey).toHaveBeenCalledTimes(2);

      const shortLived = await signToken({ expiresAt: now() + 2 });
      expect(await remembering(shortLived)).toEqual(CUSTOMER);
      vi.advanceTimersByTime(3_000);
      await expectRefused(remembering(shortLived));
    } finally {
      vi.useRealTimers();
    }
  });

  it('checks a refused token afresh every time', async () => {
    const getKey = vi.fn(async () => publicKey);
    const remembering = createTokenVerifier(getKey, RULES);
    const forged = await signToken({ key: (await generateKeyPair('EdDSA')).privateKey });
    await expectRefused(remembering(forged));
    await expectRefused(remembering(forged));
    expect(getKey).toHaveBeenCalledTimes(2);
  });

  it('accepts ES256 tokens, the other algorithm the users service may sign with', async () => {
    const es = await generateKeyPair('ES256');
    const token = await signToken({ key: es.privateKey, alg: 'ES256' });
    expect(await createTokenVerifier(es.publicKey, RULES)(token)).toEqual(CUSTOMER);
  });

  it('refuses an expired token', async () => {
    await expectRefused(verify(await signToken({ expiresAt: now() - 3600 })));
  });

  it('refuses a token without an expiry', async () => {
    await expectRefused(verify(await signToken({ expiresAt: null })));
  });

  it('refuses a token from another issuer', async () => {
    await expectRefused(verify(await signToken({ issuer: 'someone-else' })));
  });

  it('refuses a token for another audience', async () => {
    await expectRefused(verify(await signToken({ audience: 'another-shop' })));
  });

  it('refuses a token signed by another key', async () => {
    const other = await generateKeyPair('EdDSA');
    await expectRefused(verify(await signToken({ key: other.privateKey })));
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const [header, , signature] = (await signToken()).split('.');
    const forgedPayload = base64url({ sub: 'user-1', role: 'ADMIN', iss: RULES.issuer, aud: RULES.audience, exp: now() + 3600 });
    await expectRefused(verify(`${header}.${forgedPayload}.${signature}`));
  });

  it('refuses an unsigned token with alg none', async () => {
    const payload = { sub: 'admin-1', role: 'ADMIN', iss: RULES.issuer, aud: RULES.audience, iat: now(), exp: now() + 3600 };
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
    await expectRefused(verify(token));
  });

  it('refuses an HS256 token whose secret is the public key (algorithm confusion)', async () => {
    const publicKeyBytes = new TextEncoder().encode(await exportSPKI(publicKey));
    await expectRefused(verify(await signToken({ key: publicKeyBytes, alg: 'HS256', claims: { role: 'ADMIN' } })));
  });

  it('refuses a token without a role', async () => {
    await expectRefused(verify(await signToken({ claims: {} })));
  });

  it('refuses a token with a role that does not exist', async () => {
    await expectRefused(verify(await signToken({ claims: { role: 'SUPERUSER' } })));
    await expectRefused(verify(await signToken({ claims: { role: 'admin' } })));
  });

  it('refuses a token without a subject', async () => {
    await expectRefused(verify(await signToken({ subject: null })));
  });

  it('refuses something that is not a JWT at all', async () => {
    await expectRefused(verify('not.a.jwt'));
  });

  it('answers SERVICE_UNAVAILABLE (503) when the keys cannot be fetched', async () => {
    const unreachable = createTokenVerifier(async () => {
      throw new TypeError('fetch failed');
    }, RULES);
    const error = await unreachable(await signToken()).catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });
  });

  it('answers SERVICE_UNAVAILABLE when fetching the keys times out', async () => {
    const slow = createTokenVerifier(async () => {
      throw new errors.JWKSTimeout();
    }, RULES);
    await expect(slow(await signToken())).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
  });

  it('answers SERVICE_UNAVAILABLE when the key endpoint answers 503', async () => {
    const server = createServer((_request, response) => {
      response.statusCode = 503;
      response.end('unavailable');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const remote = createTokenVerifier(remoteKeySet(`http://127.0.0.1:${port}/.well-known/jwks.json`), RULES);
      await expect(remote(await signToken())).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps verifying with the last keys fetched while the key endpoint is down', async () => {
    const jwk = { ...(await exportJWK(publicKey)), alg: 'EdDSA', use: 'sig' };
    let up = true;
    const server = createServer((_request, response) => {
      response.statusCode = up ? 200 : 503;
      response.setHeader('content-type', 'application/json');
      response.end(up ? JSON.stringify({ keys: [jwk] }) : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const remote = createTokenVerifier(remoteKeySet(`http://127.0.0.1:${port}/.well-known/jwks.json`), RULES);
      const token = await signToken();
      expect(await remote(token)).toEqual(CUSTOMER);
      up = false;
      // Past the cache's ten minutes, jose refetches on every call; the refetch fails.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 11 * 60_000 });
      expect(await remote(await signToken({ expiresAt: now() + 600 }))).toEqual(CUSTOMER);
    } finally {
      vi.useRealTimers();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers UNAUTHENTICATED when the key set has no key for the token', async () => {
    const noMatch = createTokenVerifier(async () => {
      throw new errors.JWKSNoMatchingKey();
    }, RULES);
    await expectRefused(noMatch(await signToken()));
  });
});

describe('scopesOfClaim', () => {
  it('splits a space-separated claim, once per scope', () => {
    expect(scopesOfClaim(' users:admin catalogue:write users:admin ')).toEqual(['users:admin', 'catalogue:write']);
  });

  it('reads at most 64 scopes and ignores the rest', () => {
    const scopes = Array.from({ length: 100 }, (_, index) => `scope:${index}`);
    expect(scopesOfClaim(scopes.join(' '))).toEqual(scopes.slice(0, 64));
  });

  it('ignores a scope longer than 128 characters rather than cutting it short', () => {
    const longest = 'a'.repeat(128);
    expect(scopesOfClaim(`${longest}b users:admin ${longest}`)).toEqual(['users:admin', longest]);
  });

  it('reads no scopes from a claim that is missing or not a string', () => {
    for (const claim of [undefined, null, 42, ['users:admin'], { scope: 'users:admin' }]) expect(scopesOfClaim(claim)).toEqual([]);
  });
});

describe('scopesOfRole', () => {
  it("gives customers no scopes and admins every admin's scope", () => {
    expect(scopesOfRole('CUSTOMER')).toEqual([]);
    expect(scopesOfRole('ADMIN')).toEqual(ADMIN_SCOPES);
    expect(Object.keys(SCOPES_OF_ROLE).sort()).toEqual(['ADMIN', 'CUSTOMER']);
  });
});

describe('viewerFromAuthorization', () => {
  it.each([undefined, ''])('returns null without a header (%j)', async (header) => {
    const spy = vi.fn<VerifyToken>();
    expect(await viewerFromAuthorization(header, spy)).toBeNull();
    expect(spy).not.toHaveBeenCalled();
  });

  it('returns the viewer of a valid Bearer token', async () => {
    expect(await viewerFromAuthorization(`Bearer ${await signToken()}`, verify)).toEqual(CUSTOMER);
  });

  it('accepts the scheme in any case, as HTTP auth schemes are case-insensitive', async () => {
    const spy = vi.fn<VerifyToken>(async () => CUSTOMER);
    expect(await viewerFromAuthorization('bearer aaa.bbb.ccc', spy)).toEqual(CUSTOMER);
  });

  it('passes the bare token, without the scheme, to the verifier', async () => {
    const spy = vi.fn<VerifyToken>(async () => CUSTOMER);
    await viewerFromAuthorization('Bearer aaa.bbb.ccc', spy);
    expect(spy).toHaveBeenCalledWith('aaa.bbb.ccc');
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Bearer not-a-jwt', 'Bearer a.b.c extra', 'Token aaa.bbb.ccc'])(
    'refuses %j as UNAUTHENTICATED without calling the verifier',
    async (header) => {
      const spy = vi.fn<VerifyToken>(async () => CUSTOMER);
      await expectRefused(viewerFromAuthorization(header, spy));
      expect(spy).not.toHaveBeenCalled();
    },
  );

  it('refuses a well-formed Bearer token that does not verify', async () => {
    const other = await generateKeyPair('EdDSA');
    await expectRefused(viewerFromAuthorization(`Bearer ${await signToken({ key: other.privateKey })}`, verify));
  });
});

describe('requireViewer', () => {
  it('returns the viewer when signed in', () => {
    expect(requireViewer(CUSTOMER)).toBe(CUSTOMER);
  });

  it('throws UNAUTHENTICATED, as a field error without an HTTP status, when not signed in', () => {
    const error = thrown(() => requireViewer(null));
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect((error as UnauthenticatedError).extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });
});

describe('requireAdmin', () => {
  it('returns an admin viewer', () => {
    expect(requireAdmin(ADMIN)).toBe(ADMIN);
  });

  it('throws FORBIDDEN for a customer', () => {
    const error = thrown(() => requireAdmin(CUSTOMER));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).extensions).toEqual({ code: 'FORBIDDEN' });
  });

  it('throws UNAUTHENTICATED when not signed in', () => {
    expect(() => requireAdmin(null)).toThrow(UnauthenticatedError);
  });
});

describe('isSelfOrAdmin', () => {
  it('lets a user read what is their own', () => {
    expect(isSelfOrAdmin(CUSTOMER, 'user-1')).toBe(true);
  });

  it('keeps a user from what belongs to someone else', () => {
    expect(isSelfOrAdmin(CUSTOMER, 'user-2')).toBe(false);
  });

  it('lets an admin read what belongs to anyone', () => {
    expect(isSelfOrAdmin(ADMIN, 'user-2')).toBe(true);
  });
});
