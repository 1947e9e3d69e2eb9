import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { createTokenVerifier, type Role } from '@shop/service-kit';
import { newSigningKeyPem } from '../../../test/support/tokens.js';
import { signingKeyFromPem } from '../src/signing-key.js';
import { createTokenIssuer, type TokenIssuer } from '../src/tokens.js';

const RULES = { issuer: 'shop-users', audience: 'shop' };
const SESSION = { id: randomUUID(), generation: 1 };

describe('access tokens', () => {
  let tokens: TokenIssuer;
  let verify: ReturnType<typeof createTokenVerifier>;

  beforeAll(async () => {
    const key = await signingKeyFromPem(newSigningKeyPem());
    tokens = createTokenIssuer(key, RULES, 900);
    verify = createTokenVerifier(key.publicKey, RULES);
  });

  const issueFor = async (role: Role) => (await tokens.issue({ id: randomUUID(), role }, SESSION)).token;

  it("carry an admin's scopes in the scope claim, space-separated, for the gateway's @requiresScopes", async () => {
    const token = await issueFor('ADMIN');
    expect(decodeJwt(token).scope).toBe('users:admin catalogue:write orders:write:any webhooks:admin');
    expect((await verify(token)).scopes).toEqual(['users:admin', 'catalogue:write', 'orders:write:any', 'webhooks:admin']);
  });

  it("give a customer's token no scopes", async () => {
    const token = await issueFor('CUSTOMER');
    expect(decodeJwt(token).scope ?? '').toBe('');
    expect((await verify(token)).scopes).toEqual([]);
  });
});
