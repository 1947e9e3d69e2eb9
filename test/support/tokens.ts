import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { ROLES, scopesOfRole, type Role } from '@shop/service-kit';

/** A fresh Ed25519 private key as PKCS#8 PEM, the form JWT_PRIVATE_KEY takes. */
export function newSigningKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export interface TokenClaims {
  sub: string;
  role: string;
  /** Space-separated scopes; by default the role's, as the users service signs them. */
  scope?: string;
  iss?: string;
  aud?: string;
  /** Seconds since the epoch. */
  exp?: number;
}

/** What the users service signs; tests vary one part at a time from here. */
export const TOKEN_DEFAULTS = { iss: 'shop-users', aud: 'shop' };
const inOneHour = () => Math.floor(Date.now() / 1000) + 3600;

/** A JWT as users would issue it, signed with `key` under `kid`, with any claim overridden. */
export function signToken(key: KeyObject, kid: string, claims: TokenClaims): Promise<string> {
  const { sub, role, scope, iss, aud, exp } = { ...TOKEN_DEFAULTS, exp: inOneHour(), scope: scopeOfRole(claims.role), ...claims };
  return new SignJWT({ role, scope })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key);
}

/** The scope claim users signs for `role`; none for a role that is not one (a test's forged role). */
function scopeOfRole(role: string): string {
  return (ROLES as readonly string[]).includes(role) ? scopesOfRole(role as Role).join(' ') : '';
}

/** An unsigned token (`alg: none`): valid claims, no signature at all. jose will not make one, so it is built by hand. */
export function unsignedToken(claims: TokenClaims): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = { ...TOKEN_DEFAULTS, exp: inOneHour(), iat: Math.floor(Date.now() / 1000), ...claims };
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}
