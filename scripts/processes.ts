import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BaseServiceConfig, ServiceDefinition } from '@shop/service-kit/definitions';
import { ROOT } from './root.js';

/**
 * The one way this project starts a service as a process of its own: `npm start`, the bench and
 * the tests all use it, so they start, wait for and stop services alike.
 */

/**
 * The ports the OS hands out by itself (to `listen(0)` and to every outgoing connection): a port
 * for a child process is picked below them, so one that another test's server or client takes
 * meanwhile cannot be the one the child is about to bind (seen: EADDRINUSE in CI).
 */
function ephemeralPortsStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768; // Linux's default; elsewhere the range differs, and a taken port is retried below.
  }
}
const CHILD_PORTS_END = ephemeralPortsStart();
const CHILD_PORTS_START = Math.max(1024, CHILD_PORTS_END - 12_000);

/** Whether `port` can be bound on loopback right now. */
const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A port free on loopback right now, for a process about to listen on it (see CHILD_PORTS_END). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = CHILD_PORTS_START + Math.floor(Math.random() * (CHILD_PORTS_END - CHILD_PORTS_START));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${CHILD_PORTS_START} and ${CHILD_PORTS_END} after 100 tries`);
}

export interface ProcessOptions {
  /** Set over this process's own environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /**
   * Where its output goes: kept for `output()` and `waitFor` (the default), appended to a file (a
   * busy server's output piped through its parent would cost the parent CPU), or handed over line
   * by line.
   */
  output?: { file: string } | { onLine: (line: string) => void };
}

export interface RunningProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything it printed so far (when its output is kept). */
  output(): string;
  /** Resolves when `pattern` appears in its output; rejects if it exits first or on timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves once `probe` says yes (polled); rejects if it exits first or on timeout. */
  waitUntil(probe: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  /**
   * Resolves with how it ended, without signalling it (a test that sent its own signal waits here:
   * a second SIGTERM would kill a service mid-shutdown); rejects after `timeoutMs` when given.
   */
  exited(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM and resolves with the exit code (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
}

const POLL_MS = 100;
const running = new Set<ChildProcess>();

/** Starts `node <args>` with the Node that runs this process. */
export function startProcess(args: string[], options: ProcessOptions = {}): RunningProcess {
  return startExecutable(process.execPath, args, options);
}

/** Starts another program (a server a test stops and starts again, such as nats-server) as startProcess starts Node. */
export function startExecutable(executable: string, args: string[], options: ProcessOptions = {}): RunningProcess {
  const file = options.output && 'file' in options.output ? openSync(options.output.file, 'a') : undefined;
  const child = spawn(executable, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', file ?? 'pipe', file ?? 'pipe'],
  });
  if (file !== undefined) closeSync(file);
  running.add(child);
  let output = '';
  const onLine = options.output && 'onLine' in options.output ? options.output.onLine : undefined;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    if (onLine) createInterface({ input: stream }).on('line', onLine);
    else stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  }
  /** Why the program could not be run at all (missing, not executable): it then never exits. */
  let notStarted: Error | undefined;
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
    child.on('error', (error) => {
      output += `${error.message}\n`;
      if (child.pid !== undefined) return; // A signal that could not be sent: it still runs.
      notStarted = error;
      running.delete(child);
      resolve({ code: null, signal: null });
    });
  });
  const hasEnded = () => notStarted !== undefined || child.exitCode !== null || child.signalCode !== null;

  /** Polls `check` until it is true; fails when the process ends first or time runs out. */
  const until = (check: () => Promise<boolean>, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const poll = async () => {
        if (hasEnded()) reject(new Error(`${notStarted ? 'could not start' : `exited (${child.exitCode ?? child.signalCode})`} before ${what}:\n${output}`));
        else if (await check().catch(() => false)) resolve();
        else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}:\n${output}`));
        else setTimeout(() => void poll(), POLL_MS);
      };
      void poll();
    });

  return {
    child,
    pid: child.pid!,
    output: () => output,
    waitFor: (pattern, timeoutMs = 90_000) => until(async () => pattern.test(output), String(pattern), timeoutMs),
    waitUntil: (probe, timeoutMs = 90_000) => until(probe, 'it to answer', timeoutMs),
    exited: (timeoutMs) =>
      new Promise((resolve, reject) => {
        if (timeoutMs === undefined) return void ended.then(resolve);
        const deadline = setTimeout(() => reject(new Error(`still running ${timeoutMs} ms later:\n${output}`)), timeoutMs);
        void ended.then((how) => {
          clearTimeout(deadline);
          resolve(how);
        });
      }),
    async stop(timeoutMs = 20_000) {
      if (hasEnded()) return notStarted ? null : child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const { code } = await ended;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Starts a service from its definition, with its Node flags: from TypeScript through tsx when its
 * entry is a .ts file (development, tests), as plain Node when it is built JavaScript.
 */
export function startService(
  definition: Pick<ServiceDefinition<BaseServiceConfig>, 'entry' | 'nodeFlags'>,
  options: ProcessOptions = {},
): RunningProcess {
  const entry = fileURLToPath(definition.entry);
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx', '--conditions=source'] : [];
  return startProcess([...definition.nodeFlags, ...loader, entry], options);
}

/**
 * What `npm start` (scripts/start.ts) needs to run the whole shop on free loopback ports with its
 * PGlite folders under `dataDir`, in development with JSON logs, and where its gateway and storefront then answer.
 */
export async function npmStartOnFreePorts(dataDir: string): Promise<{ gatewayUrl: string; storefrontUrl: string; env: Record<string, string> }> {
  const [gateway, users, products, orders, storefront] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  return {
    gatewayUrl: `http://127.0.0.1:${gateway}`,
    storefrontUrl: `http://127.0.0.1:${storefront}`,
    env: {
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      PORT: String(gateway),
      USERS_PORT: String(users),
      PRODUCTS_PORT: String(products),
      ORDERS_PORT: String(orders),
      STOREFRONT_PORT: String(storefront),
      LOG_FORMAT: 'json',
      APOLLO_TELEMETRY_DISABLED: 'true',
    },
  };
}

/** `npm start` as a process of its own (from the project's root, through tsx as npm runs it). */
export function startNpmStart(env: ProcessOptions['env']): RunningProcess {
  return startProcess(['--import', 'tsx', '--conditions=source', 'scripts/start.ts'], { env, cwd: ROOT });
}

/** A probe that says yes once the service at `baseUrl` answers GET /ready with 200. */
export const isReady = (baseUrl: string) => async () => (await fetch(`${baseUrl}/ready`, { signal: AbortSignal.timeout(2_000) })).ok;

/** A probe that says yes once `graphqlUrl` answers a trivial query (any GraphQL server, ours or not). */
export const answersGraphQL = (graphqlUrl: string) => async () =>
  (
    await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: AbortSignal.timeout(2_000),
    })
  ).ok;

/** Last resort on an error or a second Ctrl-C: SIGKILL every process started here that still runs. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}
