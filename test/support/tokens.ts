import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/** A fresh Ed25519 private key as PKCS#8 PEM, the form JWT_PRIVATE_KEY takes. */
export function newSigningKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export interface TokenClaims {
  sub: string;
  role: string;
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
  const { sub, role, iss, aud, exp } = { ...TOKEN_DEFAULTS, exp: inOneHour(), ...claims };
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key);
}

/** An unsigned token (`alg: none`): valid claims, no signature at all. jose will not make one, so it is built by hand. */
export function unsignedToken(claims: TokenClaims): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = { ...TOKEN_DEFAULTS, exp: inOneHour(), iat: Math.floor(Date.now() / 1000), ...claims };
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}
