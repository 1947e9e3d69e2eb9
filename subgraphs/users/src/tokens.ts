import { SignJWT } from 'jose';
import type { Role, TokenRules } from '@shop/service-kit';
import type { SigningKey } from './signing-key.js';

export interface TokenIssuer {
  issue(user: { id: string; role: Role }): Promise<string>;
}

/** Tokens carry sub, role, iss, aud, iat and exp; nothing else about the user. */
export function createTokenIssuer(key: SigningKey, rules: TokenRules, ttlSeconds: number): TokenIssuer {
  return {
    issue: (user) =>
      new SignJWT({ role: user.role })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(rules.issuer)
        .setAudience(rules.audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key.privateKey),
  };
}
