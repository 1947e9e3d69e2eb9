import { SignJWT } from 'jose';
import { scopesOfRole, type Role, type TokenRules, type TokenSession } from '@shop/service-kit';
import type { SigningKey } from './signing-key.js';

export interface AccessToken {
  token: string;
  expiresAt: Date;
}

export interface TokenIssuer {
  /** How long an access token lives. */
  readonly ttlSeconds: number;
  issue(user: { id: string; role: Role }, session: TokenSession): Promise<AccessToken>;
}

/**
 * Access tokens carry sub, role, the role's scopes (scope, space-separated as RFC 9068 has it),
 * the session (sid) and its generation (gen), iss, aud, iat and exp; nothing else about the user.
 */
export function createTokenIssuer(key: SigningKey, rules: TokenRules, ttlSeconds: number): TokenIssuer {
  return {
    ttlSeconds,
    async issue(user, session) {
      const issuedAt = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ role: user.role, scope: scopesOfRole(user.role).join(' '), sid: session.id, gen: session.generation })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(rules.issuer)
        .setAudience(rules.audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .sign(key.privateKey);
      return { token, expiresAt: new Date((issuedAt + ttlSeconds) * 1000) };
    },
  };
}
