import type { ServiceName, SubgraphName } from '@shop/service-kit/definitions';
import { SUBGRAPH_NAMES } from '@shop/service-kit/definitions';
import { ROOT } from '../../scripts/root.js';
import { freePort, isReady, startService, type RunningProcess } from '../../scripts/processes.js';
import { gatewayService, SUBGRAPH_SERVICES } from '../../scripts/services.js';
import { seededServiceData } from './databases.js';
import { SERVICE_CREDENTIAL } from './stack.js';

type Env = Record<string, string>;

/** The supergraph as `npm start` runs it: four processes, each on a copy of its seeded database. */
export interface ProcessStack {
  gatewayUrl: string;
  /** Base URL (http://127.0.0.1:port) of each subgraph. */
  urls: Record<SubgraphName, string>;
  processes: Record<ServiceName, RunningProcess>;
  stop(): Promise<void>;
}

/**
 * Starts users, products and orders as processes of their own, then the gateway, each with the
 * environment `envOf` adds (tracing, metrics ports): for what only a whole process shows, such as
 * its telemetry. Slower to start than the in-process stack (fixtures.ts), so only such tests use it.
 */
export async function startProcessStack(envOf: (name: ServiceName) => Env = () => ({})): Promise<ProcessStack> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const ports = Object.fromEntries(
      await Promise.all((['gateway', ...SUBGRAPH_NAMES] as const).map(async (name) => [name, await freePort()] as const)),
    ) as Record<ServiceName, number>;
    const urlOf = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;
    const common: Env = {
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
      SEED_DEMO_DATA: 'false',
      SERVICE_CREDENTIAL,
      APOLLO_TELEMETRY_DISABLED: 'true',
      USERS_URL: urlOf('users'),
      PRODUCTS_URL: urlOf('products'),
      ORDERS_URL: urlOf('orders'),
      RECONCILE_INTERVAL_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '1000',
    };
    // Tracing only as `envOf` asks: nothing inherited from the developer's own OTEL_* settings.
    const inheritedTracing = Object.fromEntries(Object.keys(process.env).filter((name) => name.startsWith('OTEL_')).map((name) => [name, undefined]));
    const processes = {} as Record<ServiceName, RunningProcess>;
    const start = async (name: ServiceName, env: Env) => {
      const definition = name === 'gateway' ? gatewayService : SUBGRAPH_SERVICES[name];
      const running = startService(definition, { cwd: ROOT, env: { ...inheritedTracing, ...common, ...env, ...envOf(name), PORT: String(ports[name]) } });
      processes[name] = running;
      cleanups.push(() => running.stop());
      await running.waitUntil(isReady(urlOf(name)));
    };
    await Promise.all(
      SUBGRAPH_NAMES.map(async (name) => {
        const data = await seededServiceData(name);
        cleanups.push(() => data.drop());
        await start(name, data.env);
      }),
    );
    await start('gateway', {});
    return {
      gatewayUrl: urlOf('gateway'),
      urls: { users: urlOf('users'), products: urlOf('products'), orders: urlOf('orders') },
      processes,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
