import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandLine, parentPid } from '../../bench/proc-stats.js';
import { npmStartOnFreePorts, startNpmStart, type RunningProcess } from '../../scripts/processes.js';
import { gatewayService, SUBGRAPH_SERVICES } from '../../scripts/services.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { ALICE, graphql, login } from '../support/graphql.js';

/** The files the Node processes started by `pid` run, that still run (from Linux's /proc). */
async function nodeProcessesStartedBy(pid: number): Promise<string[]> {
  const entries: string[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const command = commandLine(Number(name));
      if (parentPid(Number(name)) === pid && command.startsWith(`${process.execPath} `)) entries.push(command.split(' ').at(-1)!);
    } catch {
      // Gone meanwhile.
    }
  }
  return entries.sort();
}

/**
 * `npm start` as a newcomer runs it: four processes and the storefront served by the launcher, PGlite on disk (or, with TEST_DATABASE_URL,
 * a PostgreSQL database per service), demo data, then Ctrl-C.
 */
// Four Node processes booting from TypeScript: minutes on a loaded two-core machine, not seconds.
describe('npm start', { timeout: 180_000 }, () => {
  const databases: TestDatabase[] = [];
  let dataDir: string;
  let env: Record<string, string>;
  let gatewayUrl: string;
  let storefrontUrl: string;
  let running: RunningProcess | undefined;
  const start = async () => {
    // One stack at a time: a test that failed midway leaves its stack for the next to stop.
    await running?.stop();
    running = startNpmStart(env);
    await running.waitFor(/The shop supergraph is up/);
    return running;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'shop-start-'));
    ({ gatewayUrl, storefrontUrl, env } = await npmStartOnFreePorts(dataDir));
    for (const name of ['users', 'products', 'orders']) {
      const database = await createTestDatabase(name);
      databases.push(database);
      if (database.url) env[`${name.toUpperCase()}_DATABASE_URL`] = database.url;
    }
  });
  afterAll(async () => {
    await running?.stop();
    for (const database of databases) await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts every service with the demo data, and stops them all on SIGTERM', async () => {
    const stack = await start();
    const products = await graphql<{ products: { totalCount: number } }>(gatewayUrl, '{ products(first: 3) { totalCount nodes { name price { amountCents currency } stock } } }');
    expect(products.errors).toBeUndefined();
    expect(products.data!.products.totalCount).toBe(12);
    const token = await login(gatewayUrl, ALICE.email, ALICE.password);
    const me = await graphql<{ me: { orders: { nodes: unknown[] } } }>(gatewayUrl, '{ me { email orders { nodes { status items { product { name } } } } } }', { token });
    expect(me.errors).toBeUndefined();
    expect(me.data!.me.orders.nodes.length).toBeGreaterThan(0);
    expect((await fetch(`${gatewayUrl}/ready`)).status).toBe(200);
    // The storefront, built and served beside them, talking to this gateway.
    const storefront = await fetch(storefrontUrl);
    expect(storefront.status).toBe(200);
    expect(await storefront.text()).toMatch(/<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js">/);
    expect(await (await fetch(`${storefrontUrl}/config.json`)).json()).toEqual({ gatewayUrl: `${gatewayUrl}/graphql` });
    // Served by the launcher itself (a process of its own held 90 MB of the laptop's 1.2 GB): its
    // Node processes are the four services, Vite's build having ended.
    const services = [gatewayService, ...Object.values(SUBGRAPH_SERVICES)].map((service) => fileURLToPath(service.entry));
    expect(await nodeProcessesStartedBy(stack.pid)).toEqual(services.sort());

    expect(await stack.stop()).toBe(0);
    for (const name of ['users', 'products', 'orders', 'gateway']) {
      expect(stack.output()).toMatch(new RegExp(`${name}.*"msg":"stopped"`));
    }
    await expect(fetch(`${gatewayUrl}/health`)).rejects.toThrow();
    await expect(fetch(storefrontUrl)).rejects.toThrow();
  });

  it('keeps data and signing key across a restart without seeding twice, after stopping on SIGHUP (a closed terminal)', async () => {
    const first = await start();
    const token = await login(gatewayUrl, ALICE.email, ALICE.password);
    const created = await graphql(gatewayUrl, 'mutation ($input: RegisterInput!) { register(input: $input) { user { id } } }', {
      variables: { input: { email: 'restart@example.com', password: 'restart-password', name: 'Restart' } },
    });
    expect(created.errors).toBeUndefined();
    // The gateway alone takes SIGHUP as a reload; npm start stops it with the rest, freeing its port for the restart.
    first.child.kill('SIGHUP');
    expect((await first.exited(30_000)).code).toBe(0);
    expect(first.output()).toMatch(/gateway.*"msg":"stopped"/);

    await start();
    const me = await graphql<{ me: { email: string } }>(gatewayUrl, '{ me { email } }', { token });
    expect(me.data!.me.email).toBe(ALICE.email);
    expect(await login(gatewayUrl, 'restart@example.com', 'restart-password')).toBeTruthy();
    const catalogue = await graphql<{ products: { totalCount: number } }>(gatewayUrl, '{ products(first: 1) { totalCount } }');
    expect(catalogue.data!.products.totalCount).toBe(12);
  });
});
