import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { defaultUrl } from './service-names.js';

/** Thrown at start when the environment is wrong; its message lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** Settings every service reads (DESIGN.md §3). */
export const commonEnv = (defaultPort: number, defaultMetricsPort: number) => ({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port(defaultPort),
  // Prometheus scrapes GET /metrics here, on the service's HOST; 0 serves no metrics.
  METRICS_PORT: port(defaultMetricsPort),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

/** Half the gateway's default SUBGRAPH_TIMEOUT_MS: a subgraph says why it cannot answer before the gateway gives up on it. */
export const DEFAULT_DATABASE_CONNECT_TIMEOUT_MS = 5_000;

/** Settings of a service that holds a database (users, products, orders). */
export const databaseEnv = (service: string) => ({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  // Off behind a pooler that hands each transaction another server connection and keeps no
  // prepared statements across them (PgBouncer in transaction mode without max_prepared_statements).
  DATABASE_PREPARED_STATEMENTS: z.stringbool().default(true),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(DEFAULT_DATABASE_CONNECT_TIMEOUT_MS),
  DATA_DIR: z.string().min(1).default(`.data/${service}`),
  SEED_DEMO_DATA: z.stringbool().optional(),
});

/** Where the users service publishes its signing keys, and what a valid token must say. */
export const tokenEnv = {
  JWT_ISSUER: z.string().min(1).default('shop-users'),
  JWT_AUDIENCE: z.string().min(1).default('shop'),
};

/** An http(s) URL setting. */
export const httpUrlEnv = z.url({ protocol: /^https?$/ });
export const urlEnv = (fallback: string) => httpUrlEnv.default(fallback);

/** Services that check tokens fetch the users service's public keys from USERS_URL. */
export const usersUrlEnv = { USERS_URL: urlEnv(defaultUrl('users')) };

/** The shared secret orders presents to products' internal operations (never a user token). */
export const DEVELOPMENT_SERVICE_CREDENTIAL = 'development-only-service-credential';
export const serviceCredentialEnv = {
  SERVICE_CREDENTIAL: z.string().min(1).default(DEVELOPMENT_SERVICE_CREDENTIAL),
};

/** Production rules every database service shares: no demo data, a real service credential. */
export function productionProblems(config: {
  NODE_ENV: string;
  SEED_DEMO_DATA?: boolean | undefined;
  SERVICE_CREDENTIAL?: string;
}): string[] {
  if (config.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  if (config.SEED_DEMO_DATA) problems.push('SEED_DEMO_DATA: the demo data has public passwords; never in production');
  if (config.SERVICE_CREDENTIAL !== undefined) {
    if (config.SERVICE_CREDENTIAL === DEVELOPMENT_SERVICE_CREDENTIAL) {
      problems.push('SERVICE_CREDENTIAL: set a secret of your own in production (the development default is public)');
    } else if (config.SERVICE_CREDENTIAL.length < 32) {
      problems.push('SERVICE_CREDENTIAL: use at least 32 characters');
    }
  }
  return problems;
}

/**
 * Parses `env` against `shape`, then runs `checks` (rules across fields, such as "production
 * needs X"); throws one ConfigError naming every problem found.
 */
export function loadEnv<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Record<string, string | undefined>,
  checks: (config: z.infer<z.ZodObject<Shape>>) => string[] = () => [],
): z.infer<z.ZodObject<Shape>> {
  // A variable set to nothing (or blanks) counts as unset, so its default applies.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const unsafe = unsetNodeEnvProblems(shape, cleaned);
  const result = z.object(shape).safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError([...result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`), ...unsafe]);
  }
  const problems = [...unsafe, ...metricsPortProblems(result.data), ...checks(result.data)];
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

/** Reads the configuration, or prints every problem with it and exits before anything starts. */
export async function configOrExit<Config>(load: () => Config | Promise<Config>): Promise<Config> {
  try {
    return await load();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether HOST is an address only this machine reaches: 127.0.0.0/8, ::1 (also IPv4-mapped) or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * NODE_ENV unset means development (demo accounts with published passwords, Sandbox, webhooks to
 * private addresses): harmless on this machine, not on an interface others reach. Read from the
 * raw environment, since the schema's default hides whether it was set; only for shapes with both.
 */
function unsetNodeEnvProblems(shape: z.ZodRawShape, env: Record<string, string | undefined>): string[] {
  if (!('NODE_ENV' in shape && 'HOST' in shape) || env.NODE_ENV !== undefined) return [];
  const host = env.HOST?.trim();
  // Unset, HOST takes commonEnv's loopback default.
  if (host === undefined || isLoopbackHost(host)) return [];
  return [
    `NODE_ENV: unset while HOST=${host} listens beyond this machine; set NODE_ENV=production to deploy, or NODE_ENV=development to serve development mode (demo accounts, Sandbox) to other hosts on purpose`,
  ];
}

/** Metrics are never served on the public port: scrapers' port is closed to clients, the public one is not. */
function metricsPortProblems(config: object): string[] {
  const { PORT, METRICS_PORT } = config as { PORT?: unknown; METRICS_PORT?: unknown };
  // Only shapes with both ports (commonEnv's); 0 for both means no metrics and any free public port.
  const clash = typeof METRICS_PORT === 'number' && METRICS_PORT !== 0 && METRICS_PORT === PORT;
  return clash ? ['METRICS_PORT: must differ from PORT (metrics are never served on the public port)'] : [];
}
