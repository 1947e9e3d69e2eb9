import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** Production secrets made fresh for each bench run: nothing to configure, nothing reused. */
export function benchSecrets() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    /** users' token signing key, Ed25519 PKCS#8 PEM, as JWT_PRIVATE_KEY takes it. */
    jwtPrivateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    /** orders -> products credential; production wants 32+ characters of one's own. */
    serviceCredential: randomBytes(32).toString('hex'),
    /** The demo accounts' password for this run (production refuses the published demo ones). */
    userPassword: randomBytes(16).toString('hex'),
  };
}
