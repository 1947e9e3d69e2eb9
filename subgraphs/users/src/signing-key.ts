import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';

/** The key only the users service holds; its public half is published as a JWKS. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  alg: 'EdDSA' | 'ES256';
  kid: string;
  publicJwk: JWK;
}

const DEV_KEY_FILE = 'jwt-signing-key.pem';

export async function signingKeyFromPem(pem: string): Promise<SigningKey> {
  const privateKey = createPrivateKey(pem);
  const alg = algorithmOf(privateKey);
  const publicKey = createPublicKey(privateKey);
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey, publicKey, alg, kid, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

/**
 * Development only: the key kept in `dataDir` (made on first start), so tokens outlive a
 * restart; without a data directory (in-memory database) a fresh key per process.
 */
export async function developmentSigningKey(dataDir: string | undefined): Promise<SigningKey> {
  const generate = () =>
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  if (dataDir === undefined) return signingKeyFromPem(generate());
  const file = join(dataDir, DEV_KEY_FILE);
  const existing = await readFile(file, 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing) return signingKeyFromPem(existing);
  const pem = generate();
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, pem, { mode: 0o600 });
  return signingKeyFromPem(pem);
}

function algorithmOf(key: KeyObject): SigningKey['alg'] {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('JWT_PRIVATE_KEY must be an Ed25519 or P-256 private key in PEM (PKCS#8)');
}
