import { request } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect } from 'vitest';
import { ROOT } from '../../scripts/root.js';
import { freePort, startService as startServiceProcess, type RunningProcess } from '../../scripts/processes.js';
import { gatewayService, SUBGRAPH_SERVICES } from '../../scripts/services.js';
import { seededServiceData } from '../support/databases.js';
import type { Stack } from '../support/stack.js';
import { startSubgraphProxy } from '../support/subgraph-proxy.js';
import { test } from '../support/fixtures.js';
import { ALICE } from '../support/graphql.js';

/** Long enough that a request finished by hand after SIGTERM is never cut off, even on a loaded machine. */
const SHUTDOWN_TIMEOUT_MS = 15_000;
/** Short enough that a request the test never finishes outlives it. */
const SHORT_SHUTDOWN_TIMEOUT_MS = 1_000;
/** Room beyond SHUTDOWN_TIMEOUT_MS for closing pools and the database and for a slow machine: a bound on the wait, not a timing claim. */
const EXIT_SLACK_MS = 15_000;

interface Answer {
  status: number;
  body: string;
}

interface InFlight {
  /** The answer; rejects when the service cut the connection. */
  answer: Promise<Answer>;
  /** Whether the answer (or the cut) has come yet. */
  settled(): boolean;
}

/** Tracks a pending answer without leaving its rejection unhandled before a test looks at it. */
function inFlight(answer: Promise<Answer>): InFlight {
  let settled = false;
  answer.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { answer, settled: () => settled };
}

/**
 * A POST /graphql whose body is sent in two halves: in flight at the service from the moment it
 * has read the headers (it says so with `100 Continue`) until `finish` sends the second half. A
 * client on a slow link does the same; nothing in the service has to be made slow for it.
 */
async function halfSentRequest(baseUrl: string, payload: unknown): Promise<InFlight & { finish(): void }> {
  const body = Buffer.from(JSON.stringify(payload));
  const half = Math.floor(body.length / 2);
  const req = request(new URL('/graphql', baseUrl), {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': body.length, expect: '100-continue' },
  });
  const pending = inFlight(
    new Promise<Answer>((resolve, reject) => {
      req.once('error', reject);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', reject);
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    req.once('continue', resolve);
    pending.answer.catch(reject);
    req.flushHeaders();
  });
  req.write(body.subarray(0, half));
  return { ...pending, finish: () => req.end(body.subarray(half)) };
}

/** Whether a new TCP connection to the port is accepted (false: refused). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNREFUSED' ? resolve(false) : reject(error)));
  });
}

/** Polls until new connections to the port are refused; fails after `timeoutMs`. */
async function untilRefused(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await accepts(port)) {
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections ${timeoutMs} ms after SIGTERM`);
    await sleep(50);
  }
}

type SubgraphProxy = Awaited<ReturnType<typeof startSubgraphProxy>>;

/**
 * For the gateway's tests: the subgraphs in this process (the `stack` fixture; only the gateway,
 * the service under test, is a child process), and a proxy in front of products that holds the
 * gateway's calls: a subgraph as slow as the test needs.
 */
const it = test.extend('productsProxy', { scope: 'file' }, async ({ stack }, { onCleanup }) => {
  const proxy = await startSubgraphProxy(stack.urls.products);
  onCleanup(() => proxy.close());
  return proxy;
});

/** One service as a child process, on a free loopback port, with what it needs to start. */
interface Started {
  process: RunningProcess;
  port: number;
  url: string;
}

const processes: RunningProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  // Whatever a test left running (it failed half-way) is stopped here: SIGTERM, then SIGKILL.
  await Promise.all(processes.map((running) => running.stop(5_000)));
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function startService(definition: Parameters<typeof startServiceProcess>[0], env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const running = startServiceProcess(definition, { cwd: ROOT, env: {
    NODE_ENV: 'development',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    APOLLO_TELEMETRY_DISABLED: 'true',
    PORT: String(port),
    HOST: '127.0.0.1',
    ...env,
  } });
  processes.push(running);
  await running.waitFor(/"msg":"listening"/);
  return { process: running, port, url: `http://127.0.0.1:${port}` };
}

/** A port nothing listens on: where a subgraph's peers "are" when a test never needs them. */
const nowhere = async () => `http://127.0.0.1:${await freePort()}`;

/** Its own seeded database per start: a PGlite directory, or a PostgreSQL database with TEST_DATABASE_URL. */
async function databaseEnv(name: SubgraphName): Promise<Record<string, string>> {
  const data = await seededServiceData(name);
  cleanups.push(() => data.drop());
  return data.env;
}

// Answers are read by path; `any` keeps the checks on their deep shapes short, as in support/graphql.ts.
type Body = any;

/** A request each subgraph answers from its demo data (or its schema), and how to tell the answer is right. */
const SUBGRAPH_REQUESTS = {
  users: {
    payload: {
      query: 'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { user { email } } }',
      variables: ALICE,
    },
    check: (body: Body) => expect(body.data.login.user.email).toBe(ALICE.email),
  },
  products: {
    payload: { query: '{ products(first: 3) { totalCount edges { node { name } } } }' },
    check: (body: Body) => {
      expect(body.data.products.totalCount).toBe(12);
      expect(body.data.products.edges).toHaveLength(3);
    },
  },
  orders: {
    // Orders' data needs a token from users; its own schema is as real an answer.
    payload: { query: '{ _service { sdl } }' },
    check: (body: Body) => expect(body.data._service.sdl).toContain('type Order'),
  },
} as const;

type SubgraphName = keyof typeof SUBGRAPH_REQUESTS;

describe.each(Object.keys(SUBGRAPH_REQUESTS) as SubgraphName[])('%s on SIGTERM', (name) => {
  const start = async (shutdownTimeoutMs: number) =>
    startService(SUBGRAPH_SERVICES[name], {
      ...(await databaseEnv(name)),
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
      USERS_URL: await nowhere(),
      PRODUCTS_URL: await nowhere(),
    });

  it('finishes the request in flight, refuses new connections, closes the database and exits 0', async () => {
    const service = await start(SHUTDOWN_TIMEOUT_MS);
    expect(await accepts(service.port)).toBe(true);
    const pending = await halfSentRequest(service.url, SUBGRAPH_REQUESTS[name].payload);

    service.process.child.kill('SIGTERM');
    await service.process.waitFor(/"msg":"shutting down"/, 10_000);
    await untilRefused(service.port);
    // Still waiting for the rest of its body: the service has neither answered nor cut it.
    expect(pending.settled()).toBe(false);
    expect(service.process.output()).not.toMatch(/"msg":"database closed"/);

    pending.finish();
    const answer = await pending.answer;
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as { errors?: unknown };
    expect(body.errors).toBeUndefined();
    SUBGRAPH_REQUESTS[name].check(body);

    expect(await service.process.exited(SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS)).toEqual({ code: 0, signal: null });
    const log = service.process.output();
    expect(log).toMatch(/"msg":"database closed"[\s\S]*"msg":"stopped"/);
    expect(log).not.toMatch(/cut off/);
  });

  it('cuts off a request that outlives SHUTDOWN_TIMEOUT_MS, still closes the database and exits 0', async () => {
    const service = await start(SHORT_SHUTDOWN_TIMEOUT_MS);
    const pending = await halfSentRequest(service.url, SUBGRAPH_REQUESTS[name].payload);

    service.process.child.kill('SIGTERM');
    // The rest of the body never comes.
    await expect(pending.answer).rejects.toThrow();
    expect(await service.process.exited(SHORT_SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS)).toEqual({ code: 0, signal: null });
    const log = service.process.output();
    expect(log).toMatch(/"cutOff":1,.*"msg":"requests cut off at the shutdown timeout"/);
    expect(log).toMatch(/"msg":"database closed"[\s\S]*"msg":"stopped"/);
  });
});

describe('gateway on SIGTERM', () => {
  const QUERY = '{ products(first: 3) { totalCount edges { node { name } } } }';

  const start = (stack: Stack, products: SubgraphProxy, shutdownTimeoutMs: number) =>
    startService(gatewayService, {
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
      USERS_URL: stack.urls.users,
      PRODUCTS_URL: products.url,
      ORDERS_URL: stack.urls.orders,
      // Longer than any wait here, so only the shutdown bound can end a held call.
      SUBGRAPH_TIMEOUT_MS: '60000',
    });

  /** Sends the query and resolves once the gateway's call to products is held at the proxy. */
  async function heldQuery(products: SubgraphProxy): Promise<InFlight> {
    products.setMode('hold');
    const before = products.held();
    const pending = inFlight(
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY }),
      }).then(async (response) => ({ status: response.status, body: await response.text() })),
    );
    const deadline = Date.now() + 10_000;
    while (products.held() === before) {
      if (pending.settled() || Date.now() > deadline) throw new Error(`the gateway's call to products never arrived: ${JSON.stringify(await pending.answer)}`);
      await sleep(20);
    }
    return pending;
  }
  let gateway: Started;

  it('finishes the request waiting on a subgraph, refuses new connections and exits 0', async ({ stack, productsProxy: products }) => {
    gateway = await start(stack, products, SHUTDOWN_TIMEOUT_MS);
    expect(await accepts(gateway.port)).toBe(true);
    const pending = await heldQuery(products);

    gateway.process.child.kill('SIGTERM');
    await gateway.process.waitFor(/"msg":"shutting down"/, 10_000);
    await untilRefused(gateway.port);
    expect(pending.settled()).toBe(false);

    products.release();
    const answer = await pending.answer;
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as { errors?: unknown; data: { products: { totalCount: number } } };
    expect(body.errors).toBeUndefined();
    expect(body.data.products.totalCount).toBe(12);

    expect(await gateway.process.exited(SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS)).toEqual({ code: 0, signal: null });
    expect(gateway.process.output()).toMatch(/"msg":"stopped"/);
    expect(gateway.process.output()).not.toMatch(/cut off/);
  });

  it('cuts off a request that outlives SHUTDOWN_TIMEOUT_MS and exits 0 without waiting for the subgraph', async ({ stack, productsProxy: products }) => {
    gateway = await start(stack, products, SHORT_SHUTDOWN_TIMEOUT_MS);
    const pending = await heldQuery(products);

    gateway.process.child.kill('SIGTERM');
    // products never answers: the held call is released only by the gateway giving up.
    await expect(pending.answer).rejects.toThrow();
    expect(await gateway.process.exited(SHORT_SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS)).toEqual({ code: 0, signal: null });
    expect(gateway.process.output()).toMatch(/"cutOff":1,.*"msg":"requests cut off at the shutdown timeout"/);
    expect(gateway.process.output()).toMatch(/"msg":"stopped"/);
  });
});
