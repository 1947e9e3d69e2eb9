import { describe, expect, it } from 'vitest';
import { ConfigError } from '@shop/service-kit';
import { loadConfig } from '../src/config.js';

const PRODUCTION = { NODE_ENV: 'production', JWT_PRIVATE_KEY: 'a key in PEM' };

describe('users config: password hashing', () => {
  it("defaults to OWASP's cost, two hashes at once and sixteen waiting", () => {
    expect(loadConfig(PRODUCTION)).toMatchObject({ PASSWORD_HASH_COST: 'owasp', PASSWORD_HASH_CONCURRENCY: 2, PASSWORD_HASH_QUEUE: 16 });
  });

  it.for(['production', 'development'])('refuses the test-only cost under NODE_ENV=%s, naming PASSWORD_HASH_COST', (nodeEnv) => {
    expect(() => loadConfig({ ...PRODUCTION, NODE_ENV: nodeEnv, PASSWORD_HASH_COST: 'minimal-for-tests' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...PRODUCTION, NODE_ENV: nodeEnv, PASSWORD_HASH_COST: 'minimal-for-tests' })).toThrow(/PASSWORD_HASH_COST/);
  });

  it('accepts the test-only cost under NODE_ENV=test', () => {
    expect(loadConfig({ NODE_ENV: 'test', PASSWORD_HASH_COST: 'minimal-for-tests' }).PASSWORD_HASH_COST).toBe('minimal-for-tests');
  });
});
