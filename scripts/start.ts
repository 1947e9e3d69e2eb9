/**
 * `npm start`: the three subgraphs and the gateway on one machine, with labelled logs, and the
 * storefront talking to that gateway. Each service runs as its own process, exactly as it would
 * alone (`npm run start:users`, ...); the storefront is built by Vite in a process that ends, and
 * served from this one (a static file server: a process of its own held 90 MB for it).
 * Databases: PGlite under .data/<service>/, or PostgreSQL per service with USERS_DATABASE_URL,
 * PRODUCTS_DATABASE_URL and ORDERS_DATABASE_URL (DATA_DIR moves the PGlite folders). Ports:
 * PORT (gateway), USERS_PORT, PRODUCTS_PORT, ORDERS_PORT, STOREFRONT_PORT. Ctrl-C stops everything gracefully.
 */
import { resolve } from 'node:path';
import { DEFAULT_PORTS, SUBGRAPH_NAMES, type ServiceName, type SubgraphName } from '@shop/service-kit/definitions';
import { initialisePgliteDataDirs } from '@shop/service-kit/pglite-initdb';
import { isReady, startService, type RunningProcess } from './processes.js';
import { gatewayService, SUBGRAPH_SERVICES } from './services.js';
import { ROOT } from './root.js';
import { buildAndServeStorefront, STOREFRONT_PORT, type RunningStorefront } from './storefront.js';

const env = process.env;
const host = env.HOST ?? '127.0.0.1';
const portOf = (name: ServiceName) => Number((name === 'gateway' ? env.PORT : env[`${name.toUpperCase()}_PORT`]) ?? DEFAULT_PORTS[name]);
const url = (name: ServiceName) => `http://${host.includes(':') ? `[${host}]` : host}:${portOf(name)}`;
const shared = {
  USERS_URL: url('users'),
  PRODUCTS_URL: url('products'),
  ORDERS_URL: url('orders'),
  APOLLO_TELEMETRY_DISABLED: env.APOLLO_TELEMETRY_DISABLED ?? 'true',
  LOG_FORMAT: env.LOG_FORMAT ?? 'pretty',
};
type Part = ServiceName | 'storefront';
const COLOURS: Record<Part, number> = { users: 36, products: 33, orders: 35, gateway: 32, storefront: 34 };
const label = (name: Part) => `\x1b[${COLOURS[name]}m${name.padEnd(10)}\x1b[0m|`;
const storefrontUrl = `http://${host.includes(':') ? `[${host}]` : host}:${Number(env.STOREFRONT_PORT ?? STOREFRONT_PORT)}`;

const databaseUrl = (name: SubgraphName) => env[`${name.toUpperCase()}_DATABASE_URL`];
const dataDir = (name: SubgraphName) => resolve(ROOT, env.DATA_DIR ?? '.data', name);

const children = new Map<ServiceName, RunningProcess>();
/** Ends the storefront's build if a stop comes while it is being made. */
const storefrontBuild = new AbortController();
let storefront: RunningStorefront | undefined;
let stopped: Promise<void> | undefined;

function start(name: ServiceName): RunningProcess {
  const subgraph = name === 'gateway' ? undefined : SUBGRAPH_SERVICES[name];
  const child = startService(subgraph ?? gatewayService, {
    cwd: ROOT,
    env: {
      ...shared,
      PORT: String(portOf(name)),
      ...(subgraph ? { DATABASE_URL: databaseUrl(subgraph.name), DATA_DIR: dataDir(subgraph.name) } : {}),
    },
    output: { onLine: (line) => process.stdout.write(`${label(name)} ${line}\n`) },
  });
  return watch(name, child);
}

/** The storefront, built and served by this process; its failure stops the rest. */
async function startStorefront(): Promise<void> {
  const started = Date.now();
  const gatewayUrl = env.SHOP_GATEWAY_URL ?? `${url('gateway')}/graphql`;
  try {
    const { port } = new URL(storefrontUrl);
    storefront = await buildAndServeStorefront({ gatewayUrl, host, port: Number(port), signal: storefrontBuild.signal });
    console.log(`${label('storefront')} storefront at ${storefront.url}, built and served in ${Date.now() - started} ms, talking to ${gatewayUrl}`);
  } catch (error) {
    if (stopped) return;
    console.error(`${label('storefront')} ${error instanceof Error ? error.message : String(error)}`);
    console.error(`${label('storefront')} failed; stopping the rest`);
    await stopAll(1);
  }
}

/** Keeps `child` among those stopped together; when it exits on its own, stops the rest. */
function watch(name: ServiceName, child: RunningProcess): RunningProcess {
  void child.exited().then(({ code, signal }) => {
    children.delete(name);
    if (!stopped) {
      console.error(`${label(name)} exited (${signal ?? `code ${code}`}); stopping the rest`);
      void stopAll(1);
    }
  });
  children.set(name, child);
  return child;
}

/** Stops everything once, however many ways ask (a signal, a process ending, a failed start). */
function stopAll(exitCode: number): Promise<void> {
  stopped ??= (async () => {
    storefrontBuild.abort();
    await Promise.all([...[...children.values()].map((child) => child.stop()), storefront?.close()]);
    process.exit(exitCode);
  })();
  return stopped;
}

process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));
// A closed terminal stops the stack: the gateway itself takes SIGHUP as "reload the supergraph",
// so without this it would outlive the terminal, still holding its port.
process.once('SIGHUP', () => void stopAll(0));

try {
  // The subgraphs together, then the gateway: a gateway answering before its subgraphs listen
  // would open its breakers on the first requests (Sandbox polls) and refuse them for a while.
  // Generous: a first start on a busy two-core laptop initialises three databases at once.
  const ready = (name: ServiceName) => start(name).waitUntil(isReady(url(name)), 180_000);
  // First, as it is cheap (built in well under a second) and needs nothing of the rest; and done
  // before the gateway answers, so that the build's process (~250 MB) has ended by then.
  const storefrontServed = startStorefront();
  // A fresh folder's PGlite databases come from one initdb, not three.
  await initialisePgliteDataDirs(SUBGRAPH_NAMES.filter((name) => !databaseUrl(name)).map(dataDir));
  await Promise.all(SUBGRAPH_NAMES.map(ready));
  await ready('gateway');
  await storefrontServed;
  // A stop that came meanwhile (a signal during the build) is under way: the stack is not up.
  if (stopped) await stopped;
  console.log(`
  The shop supergraph is up: ${url('gateway')}/graphql (Apollo Sandbox in a browser)
  The storefront: ${storefrontUrl}
  Sign in as alice@example.com / alice-password (or admin@example.com / admin-password) with
    mutation { login(email: "alice@example.com", password: "alice-password") { token } }
  and add the header  Authorization: Bearer <token>  in Sandbox. Ctrl-C stops everything.
`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
}
