import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/root.js';
import { freePort, startService } from '../../scripts/processes.js';
import { SUBGRAPH_SERVICES } from '../../scripts/services.js';
import { graphql } from '../support/graphql.js';
import { seededServiceData } from '../support/databases.js';

/** The users service as production starts it: it must refuse development defaults. */
describe('users in production', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'shop-production-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const startUsers = async (env: Record<string, string>) =>
    startService(SUBGRAPH_SERVICES.users, { cwd: ROOT, env: {
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      ...env,
    } });

  it('refuses a bad setting, and then a missing signing key together with demo data, with one message', async () => {
    const users = await startUsers({ SEED_DEMO_DATA: 'true', PORT: 'not-a-port' });
    const code = await new Promise((resolve) => users.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(users.output()).toMatch(/PORT/);
    const second = await startUsers({ SEED_DEMO_DATA: 'true' });
    expect(await new Promise((resolve) => second.child.once('exit', resolve))).toBe(1);
    expect(second.output()).toMatch(/JWT_PRIVATE_KEY: required in production/);
    expect(second.output()).toMatch(/SEED_DEMO_DATA/);
  });

  it('starts, but disables a demo account that still has its published password, saying so at error level', async () => {
    // A database as development leaves it (demo accounts seeded), run in development once more first.
    const seeded = await seededServiceData('users');
    try {
      const development = await startUsers({ ...seeded.env, NODE_ENV: 'development', LOG_FORMAT: 'json' });
      await development.waitFor(/"msg":"listening"/);
      expect(await development.stop()).toBe(0);
      const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const port = await freePort();
      const production = await startUsers({ ...seeded.env, JWT_PRIVATE_KEY: key, PORT: String(port), LOG_FORMAT: 'json' });
      try {
        await production.waitFor(/"msg":"listening"/);
        // pino's level 50: error.
        expect(production.output()).toMatch(/"level":50,[^\n]*"email":"admin@example.com"[^\n]*demo account had its published password in production: disabled it/);
        const login = await graphql(`http://127.0.0.1:${port}`, 'mutation { login(email: "admin@example.com", password: "admin-password") { token } }');
        expect(login.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      } finally {
        expect(await production.stop()).toBe(0);
      }
    } finally {
      await seeded.drop();
    }
  });

  it('starts with a configured key, seeds nothing and shows no Sandbox', async () => {
    const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const port = await freePort();
    const users = await startUsers({ JWT_PRIVATE_KEY: key, PORT: String(port), LOG_FORMAT: 'json' });
    try {
      await users.waitFor(/"msg":"listening"/);
      const url = `http://127.0.0.1:${port}`;
      const login = await graphql(url, 'mutation { login(email: "alice@example.com", password: "alice-password") { token } }');
      expect(login.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const page = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toMatch(/sandbox/i);
      expect(users.output()).not.toContain('PRIVATE KEY');
    } finally {
      expect(await users.stop()).toBe(0);
    }
  });
});
