import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@shop/service-kit';
import { loadConfig } from '../src/config.js';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC_JWK = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'EdDSA', use: 'sig' };
const JWKS = JSON.stringify({ keys: [PUBLIC_JWK] });

/** The problems loadConfig names for `env`, none when it loads. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return error instanceof ConfigError ? error.problems : [String(error)];
  }
}

describe("where the gateway's token keys come from", () => {
  it('takes JWKS_URL or JWKS, not both', () => {
    expect(problems({ JWKS_URL: 'https://idp.example/.well-known/jwks.json', JWKS })).toEqual(['JWKS: set either JWKS_URL or JWKS, not both']);
    expect(problems({ JWKS_URL: 'idp.example/jwks.json' })).toEqual([expect.stringMatching(/^JWKS_URL:/)]);
  });

  it('refuses an inline key with private members, and a set it cannot read', () => {
    const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'k1' };
    expect(problems({ JWKS: JSON.stringify({ keys: [PUBLIC_JWK, privateJwk] }) })).toEqual([
      'JWKS.keys.1: holds private key members (d): give the public keys only',
    ]);
    // A shared secret (an HMAC key) is a private member too.
    expect(problems({ JWKS: JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }) })).toEqual([
      'JWKS.keys.0: holds private key members (k): give the public keys only',
    ]);
    expect(problems({ JWKS: '{"keys": [' })).toEqual(['JWKS: must be a JWK Set as JSON: {"keys":[...]}']);
    expect(problems({ JWKS: JSON.stringify({ keys: [] }) })).toEqual([expect.stringMatching(/^JWKS\.keys:/)]);
    expect(problems({ JWKS: JSON.stringify(PUBLIC_JWK) })).toEqual([expect.stringMatching(/^JWKS\.keys:/)]);
    // A key cut short when pasted is named at start, not found at the first token.
    expect(problems({ JWKS: JSON.stringify({ keys: [{ ...PUBLIC_JWK, x: PUBLIC_JWK.x!.slice(0, 20) }] }) })).toEqual([
      expect.stringMatching(/^JWKS\.keys\.0: is no public key/),
    ]);
  });

  it('starts in production without USERS_URL: with keys given, or verifying no tokens at all', () => {
    const none = loadConfig({ NODE_ENV: 'production' });
    expect(none.tokenKeys).toBeUndefined();
    expect(none.sessionRevocationsUrl).toBeUndefined();
    expect(none.subgraphOverrides.bases).toEqual({});

    const inline = loadConfig({ NODE_ENV: 'production', JWKS });
    expect(inline.tokenKeys).toEqual({ jwks: { keys: [PUBLIC_JWK] } });
    // No subgraph named users is routed anywhere but the supergraph's URL.
    expect(inline.subgraphOverrides.bases).toEqual({});

    expect(loadConfig({ NODE_ENV: 'production', USERS_URL: 'http://users:4001' }).tokenKeys).toEqual({ jwksUrl: 'http://users:4001/.well-known/jwks.json' });
  });

  it("lists ended sessions at the users service's feed when its keys are used, and nowhere by default otherwise", () => {
    const development = loadConfig({});
    expect(development.tokenKeys).toEqual({ jwksUrl: 'http://127.0.0.1:4001/.well-known/jwks.json' });
    expect(development.sessionRevocationsUrl).toBe('http://127.0.0.1:4001/sessions/revocations');
    expect(loadConfig({ USERS_URL: 'http://proxy.internal/users' }).sessionRevocationsUrl).toBe('http://proxy.internal/users/sessions/revocations');

    // Keys from elsewhere: the users service (even with USERS_URL routing its subgraph) is not asked.
    const elsewhere = loadConfig({ JWKS_URL: 'https://idp.example/keys', USERS_URL: 'http://users:4001' });
    expect(elsewhere.tokenKeys).toEqual({ jwksUrl: 'https://idp.example/keys' });
    expect(elsewhere.sessionRevocationsUrl).toBeUndefined();
    expect(loadConfig({ JWKS }).sessionRevocationsUrl).toBeUndefined();

    // SESSION_REVOCATIONS_URL wins wherever the keys come from.
    const feed = 'https://sessions.internal/ended?tenant=a';
    expect(loadConfig({ JWKS, SESSION_REVOCATIONS_URL: feed }).sessionRevocationsUrl).toBe(feed);
    expect(loadConfig({ USERS_URL: 'http://users:4001', SESSION_REVOCATIONS_URL: feed }).sessionRevocationsUrl).toBe(feed);
    // ...but means nothing to a gateway that verifies no tokens.
    expect(problems({ NODE_ENV: 'production', SESSION_REVOCATIONS_URL: feed })).toEqual([
      'SESSION_REVOCATIONS_URL: this gateway verifies no tokens, so it has no sessions to end: set JWKS_URL, JWKS or USERS_URL too',
    ]);
  });
});
