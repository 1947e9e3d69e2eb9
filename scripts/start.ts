/**
 * `npm start`: the three subgraphs and the gateway on one machine, with labelled logs. Each
 * service runs as its own process, exactly as it would alone (`npm run start:users`, ...).
 * Databases: PGlite under .data/<service>/, or PostgreSQL per service with USERS_DATABASE_URL,
 * PRODUCTS_DATABASE_URL and ORDERS_DATABASE_URL (DATA_DIR moves the PGlite folders). Ports:
 * PORT (gateway), USERS_PORT, PRODUCTS_PORT, ORDERS_PORT. Ctrl-C stops everything gracefully.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { ROOT } from './supergraph.js';

const env = process.env;
const host = env.HOST ?? '127.0.0.1';
const ports = {
  users: Number(env.USERS_PORT ?? 4001),
  products: Number(env.PRODUCTS_PORT ?? 4002),
  orders: Number(env.ORDERS_PORT ?? 4003),
  gateway: Number(env.PORT ?? 4000),
};
const url = (port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
const shared = {
  USERS_URL: url(ports.users),
  PRODUCTS_URL: url(ports.products),
  ORDERS_URL: url(ports.orders),
  APOLLO_TELEMETRY_DISABLED: env.APOLLO_TELEMETRY_DISABLED ?? 'true',
  LOG_FORMAT: env.LOG_FORMAT ?? 'pretty',
};
const COLOURS = { users: 36, products: 33, orders: 35, gateway: 32 } as const;
type ServiceName = keyof typeof COLOURS;

const children = new Map<ServiceName, ChildProcess>();
let stopping = false;

function start(name: ServiceName, entry: string, extraEnv: Record<string, string | undefined>): void {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', resolve(ROOT, entry)], {
    cwd: ROOT,
    env: {
      ...env,
      ...shared,
      ...extraEnv,
      PORT: String(ports[name]),
      ...(env.DATA_DIR ? { DATA_DIR: resolve(env.DATA_DIR, name) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const label = `\x1b[${COLOURS[name]}m${name.padEnd(8)}\x1b[0m|`;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${label} ${line}\n`));
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`${label} exited (${signal ?? `code ${code}`}); stopping the rest`);
      void stopAll(1);
    }
  });
  children.set(name, child);
}

async function waitUntilReady(name: ServiceName, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!children.has(name)) throw new Error(`${name} exited before it was ready`);
    try {
      const response = await fetch(`${url(ports[name])}/ready`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000} s`);
}

async function stopAll(exitCode: number): Promise<void> {
  stopping = true;
  const exits = [...children.values()].map((child) => new Promise((done) => child.once('exit', done)));
  for (const child of children.values()) child.kill('SIGTERM');
  await Promise.all(exits);
  process.exit(exitCode);
}

process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));

try {
  start('users', 'subgraphs/users/src/index.ts', { DATABASE_URL: env.USERS_DATABASE_URL });
  start('products', 'subgraphs/products/src/index.ts', { DATABASE_URL: env.PRODUCTS_DATABASE_URL });
  start('orders', 'subgraphs/orders/src/index.ts', { DATABASE_URL: env.ORDERS_DATABASE_URL });
  await Promise.all((['users', 'products', 'orders'] as const).map((name) => waitUntilReady(name)));
  start('gateway', 'gateway/src/index.ts', {});
  await waitUntilReady('gateway');
  console.log(`
  The shop supergraph is up: ${url(ports.gateway)}/graphql (Apollo Sandbox in a browser)
  Sign in as alice@example.com / alice-password (or admin@example.com / admin-password) with
    mutation { login(email: "alice@example.com", password: "alice-password") { token } }
  and add the header  Authorization: Bearer <token>  in Sandbox. Ctrl-C stops everything.
`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
}
