import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { createHash, timingSafeEqual, type KeyObject, type webcrypto } from 'node:crypto';
import { ForbiddenError, ServiceUnavailableError, UnauthenticatedError } from './errors.js';
import { beneath } from './service-url.js';

export const ROLES = ['CUSTOMER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What each role may do beyond being signed in, as OAuth scopes: the one table the schemas'
 * `@requiresScopes` are written against. The users service puts a role's scopes in its tokens.
 */
export const SCOPES_OF_ROLE = {
  CUSTOMER: [],
  ADMIN: ['users:admin', 'catalogue:write', 'orders:write:any', 'webhooks:admin'],
} as const satisfies Record<Role, readonly string[]>;

/** The scopes a token of a user with `role` carries. */
export function scopesOfRole(role: Role): readonly string[] {
  return SCOPES_OF_ROLE[role];
}

/** Who is asking, as proven by a verified token. Services build it from the token only. */
export interface Viewer {
  userId: string;
  /** Always present where a role is required (every subgraph); a gateway accepts tokens of other issuers without one. */
  role?: Role;
  /** The token's scopes (its `scope` claim), what the gateway checks `@requiresScopes` against. */
  scopes: readonly string[];
  /** The session the token belongs to (`sid`), when it was issued for one. */
  session?: TokenSession;
}

/** Which session issued a token, and at which of its generations (`gen`: a role change starts the next). */
export interface TokenSession {
  id: string;
  generation: number;
}

export interface TokenRules {
  issuer: string;
  audience: string;
}

/** The signature algorithms the users service signs with; anything else (`none` included) is refused. */
export const TOKEN_ALGORITHMS = ['EdDSA', 'ES256'];

export type VerificationKey = JWTVerifyGetKey | KeyObject | webcrypto.CryptoKey;
export type VerifyToken = (token: string) => Promise<Viewer>;

/**
 * The users service's published keys, fetched on first use, refreshed every ten minutes and for
 * an unknown `kid`. While users cannot be reached, the last keys fetched keep serving, so a users
 * outage does not refuse every signed-in request elsewhere.
 */
export function remoteKeySet(jwksUrl: string): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 3_000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      const lastFetched = remote.jwks();
      if (lastFetched && keysUnavailable(error)) return createLocalJWKSet(lastFetched)(header, token);
      throw error;
    }
  };
}

/** Failing to get the keys (timeout, no connection, an error answer) rather than a bad token. */
function keysUnavailable(error: unknown): boolean {
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    // jose's generic error (no subclass) is what a non-200 answer of the key endpoint gives.
    (error instanceof errors.JOSEError && error.code === errors.JOSEError.code) ||
    (error instanceof TypeError && /fetch/i.test(error.message))
  );
}

/** Verified tokens kept, and for how long at most: a key withdrawn from the JWKS stops working within that time. */
const VERIFIED_TOKENS = { max: 10_000, ttlMs: 60_000 };

/**
 * Verifies a token's signature and claims. A token that passed is remembered (until it expires,
 * and a minute at most), because every request verifies its token at the gateway and again at
 * each subgraph it reaches, and a signature check was a measurable share of their CPU. A refused
 * token is checked afresh each time. `requireRole: false` (the gateway, which judges by scopes and
 * leaves roles to the subgraphs) accepts a token without the shop's `role` claim, as another
 * issuer's are.
 */
export function createTokenVerifier(key: VerificationKey, rules: TokenRules, options: { requireRole?: boolean } = {}): VerifyToken {
  const requireRole = options.requireRole ?? true;
  const getKey: JWTVerifyGetKey = typeof key === 'function' ? key : async () => key;
  // A Map keeps insertion order: when full, the oldest entry goes.
  const verified = new Map<string, { viewer: Viewer; until: number }>();
  return async (token) => {
    const remembered = verified.get(token);
    if (remembered && remembered.until > Date.now()) return remembered.viewer;
    verified.delete(token);
    let payload;
    try {
      ({ payload } = await jwtVerify(token, getKey, { ...rules, algorithms: TOKEN_ALGORITHMS, requiredClaims: ['sub', 'exp'] }));
    } catch (error) {
      throw toAuthError(error);
    }
    const role = ROLES.find((known) => known === payload.role);
    if (typeof payload.sub !== 'string' || (requireRole && !role)) {
      throw new UnauthenticatedError(requireRole ? 'The token does not carry a user and role' : 'The token does not carry a user', 401);
    }
    const viewer: Viewer = { userId: payload.sub, ...(role ? { role } : {}), scopes: scopesOfClaim(payload.scope), ...sessionOf(payload) };
    if (verified.size >= VERIFIED_TOKENS.max) verified.delete(verified.keys().next().value!);
    // `exp` is required above, so it is a number of seconds.
    verified.set(token, { viewer, until: Math.min(payload.exp! * 1000, Date.now() + VERIFIED_TOKENS.ttlMs) });
    return viewer;
  };
}

/** The session claims, when both are well-formed; a token without them is a session-less one (older, or a test's). */
function sessionOf(payload: Record<string, unknown>): Pick<Viewer, 'session'> {
  const { sid, gen } = payload;
  return typeof sid === 'string' && typeof gen === 'number' && Number.isInteger(gen) ? { session: { id: sid, generation: gen } } : {};
}

/** How much of a `scope` claim is read: a token is the client's text, so its size is bounded here. */
const SCOPE_CLAIM_LIMITS = { maxScopes: 64, maxScopeLength: 128 };

/**
 * The scopes of a `scope` claim, a space-separated string (RFC 9068): the first
 * `maxScopes` distinct ones; a longer scope is ignored (never cut short, which could make it
 * another one). A missing claim, or one that is not a string, is no scopes.
 */
export function scopesOfClaim(claim: unknown): readonly string[] {
  if (typeof claim !== 'string') return [];
  const scopes = new Set<string>();
  // Read scope by scope, not split whole: a huge claim costs no more than its first scopes.
  for (const [scope] of claim.matchAll(/[^ ]+/g)) {
    if (scope.length > SCOPE_CLAIM_LIMITS.maxScopeLength) continue;
    scopes.add(scope);
    if (scopes.size === SCOPE_CLAIM_LIMITS.maxScopes) break;
  }
  return [...scopes];
}

/**
 * A token we can judge is the client's problem (401); failing to fetch the keys is ours (503).
 * Either way the whole request is refused.
 */
function toAuthError(error: unknown): Error {
  if (keysUnavailable(error)) return new ServiceUnavailableError('Cannot check the token right now; try again shortly', 503);
  return new UnauthenticatedError(undefined, 401);
}

/**
 * The viewer of a request from its Authorization header: null without one, an
 * UNAUTHENTICATED error for anything but a valid `Bearer <jwt>`.
 */
export async function viewerFromAuthorization(header: string | undefined, verify: VerifyToken): Promise<Viewer | null> {
  if (header === undefined || header === '') return null;
  const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/i.exec(header.trim());
  if (!match?.[1]) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"', 401);
  return verify(match[1]);
}

/** The viewer, or UNAUTHENTICATED when the request carries no token. */
export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new UnauthenticatedError('Sign in first');
  return viewer;
}

/** The viewer when they are an admin; FORBIDDEN for anyone else signed in. */
export function requireAdmin(viewer: Viewer | null): Viewer {
  const signedIn = requireViewer(viewer);
  if (signedIn.role !== 'ADMIN') throw new ForbiddenError('Only admins may do this');
  return signedIn;
}

/** Whether the viewer may read what belongs to `ownerId`: the owner themself or an admin. */
export function isSelfOrAdmin(viewer: Viewer, ownerId: string): boolean {
  return viewer.role === 'ADMIN' || viewer.userId === ownerId;
}

/** How the products and orders services check tokens: against the users service's JWKS. */
export function usersTokenVerifier(config: { USERS_URL: string; JWT_ISSUER: string; JWT_AUDIENCE: string }): VerifyToken {
  return createTokenVerifier(remoteKeySet(beneath(config.USERS_URL, '.well-known/jwks.json')), {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
}

/** The header that carries the service credential on calls between services. */
export const SERVICE_CREDENTIAL_HEADER = 'x-service-credential';

/** Whether a request's service credential is the expected one (compared in constant time). */
export function hasServiceCredential(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** A JWK Set (RFC 7517): `{ "keys": [...] }`. */
export type JwkSet = Parameters<typeof createLocalJWKSet>[0];

/**
 * Checks tokens against keys kept elsewhere than the users service: a JWK Set given inline (its
 * public keys, read once) or the URL that publishes one (fetched and refreshed as the users
 * service's are, remoteKeySet). The gateway's JWKS and JWKS_URL.
 */
export function keySetTokenVerifier(keys: { jwks: JwkSet } | { jwksUrl: string }, rules: TokenRules, options: { requireRole?: boolean } = {}): VerifyToken {
  return createTokenVerifier('jwks' in keys ? createLocalJWKSet(keys.jwks) : remoteKeySet(keys.jwksUrl), rules, options);
}
