/**
 * `npm run bench:flood`: does an anonymous flood leave the gateway alive, answering and within its
 * heap? Starts the shop in production mode (fresh PGlite data seeded as the bench seeds it; every
 * service a process of its own on loopback, run from its sources as `npm run start:<service>`
 * runs it, with its definition's Node flags), then for `--seconds` (60) sends, from loopback,
 * anonymous requests each within the gateway's limits, in turn:
 *
 * - distinct documents (every other one registered by hash: automatic persisted queries),
 * - distinct variables (a catalogue search the response cache keeps, a product by a fresh id),
 * - `login` with distinct emails (each a rate-limit key at the gateway),
 * - `cancelOrder` with distinct ids.
 *
 * The gateway trusts loopback's X-Forwarded-For (TRUSTED_PROXIES=loopback), so the requests come
 * from `--addresses` (32) clients, each at the anonymous rate limit (RATE_LIMIT_REQUESTS per
 * RATE_LIMIT_WINDOW_SECONDS, its default 600 a minute): a botnet's flood, not one address's.
 * Reports the requests sent, the answers by kind, status and code, and the gateway's heap (used,
 * from its metrics, against V8's limit for its flags) before, at its peak and after; exits 1 unless
 * the gateway is still alive and answering. Not part of `npm test`: it takes a minute and more.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort } from '../scripts/processes.js';
import { ROOT } from '../scripts/root.js';
import { gatewayService, SUBGRAPH_SERVICES } from '../scripts/services.js';
import { sha256Hex } from '../gateway/src/sha256.js';
import { benchDatabases } from './databases.js';
import { benchSecrets } from './keys.js';
import { peakRssMb } from './proc-stats.js';
import { killAll, startServer, type Server } from './processes.js';
import { SUBGRAPHS, seedBenchData } from './seed.js';
import { benchServerEnv } from './stack.js';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, addresses: { type: 'string', default: '32' } },
});
const SECONDS = Math.min(600, Math.max(5, Number(args.seconds)));
const ADDRESSES = Math.min(1024, Math.max(1, Number(args.addresses)));
/** The gateway's default anonymous allowance: 600 requests a minute per address. */
const PER_ADDRESS_PER_SECOND = 600 / 60;
/** Long values, well within the gateway's longest string argument (MAX_STRING_ARGUMENT_LENGTH, 8192 by default). */
const PADDING = 'x'.repeat(4_000);
const MiB = 1024 * 1024;

type Kind = 'document' | 'variables' | 'login' | 'cancelOrder';
const answers = new Map<string, number>();
let sent = 0;

/** One request of `kind`, distinct from every other: its body, and the client address it comes from. */
function nextRequest(kind: Kind): { body: string; address: string } {
  const index = sent++;
  const address = `198.18.${Math.floor((index % ADDRESSES) / 256)}.${index % ADDRESSES % 256}`;
  const unique = `${index}-${randomUUID()}`;
  switch (kind) {
    case 'document': {
      const query = `query Flood${index.toString(36)} { a${index.toString(36)}: products(first: 1, search: "${unique}${PADDING}") { totalCount } }`;
      const registered = index % 2 === 0 ? { extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(query) } } } : {};
      return { body: JSON.stringify({ query, ...registered }), address };
    }
    case 'variables':
      return {
        body: JSON.stringify({
          query: 'query FloodVariables($search: String, $id: ID!) { products(first: 2, search: $search) { totalCount nodes { id name } } product(id: $id) { id } }',
          variables: { search: `${unique}${PADDING}`, id: randomUUID() },
        }),
        address,
      };
    case 'login':
      return {
        body: JSON.stringify({
          query: 'mutation FloodLogin($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
          variables: { email: `${unique}${PADDING}@example.com`, password: 'not-the-password' },
        }),
        address,
      };
    case 'cancelOrder':
      return {
        body: JSON.stringify({ query: 'mutation FloodCancel($id: ID!) { cancelOrder(id: $id) { id } }', variables: { id: `${unique}${PADDING}` } }),
        address,
      };
  }
}

/** `<kind> <status> <first error code, or OK>`: what one answer counts under. */
function count(kind: Kind, status: number, body: string): void {
  let code: string;
  try {
    const parsed = JSON.parse(body) as { errors?: { extensions?: { code?: string } }[] };
    code = parsed.errors?.[0]?.extensions?.code ?? (parsed.errors ? 'ERROR' : 'OK');
  } catch {
    code = 'NOT_JSON';
  }
  const key = `${kind.padEnd(12)} ${status} ${code}`;
  answers.set(key, (answers.get(key) ?? 0) + 1);
}

/** The gateway's heap in use, from its Prometheus metrics (prom-client's default nodejs_heap_size_used_bytes). */
async function heapUsed(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
  const line = text.split('\n').find((entry) => entry.startsWith('nodejs_heap_size_used_bytes'));
  if (!line) throw new Error('the gateway exports no nodejs_heap_size_used_bytes');
  return Number(line.split(' ').at(-1));
}

/** V8's heap limit in a Node started with the gateway's flags. */
function heapLimit(): number {
  const script = "process.stdout.write(String(require('node:v8').getHeapStatistics().heap_size_limit))";
  return Number(execFileSync(process.execPath, [...gatewayService.nodeFlags, '-e', script], { encoding: 'utf8' }));
}

async function answersQuery(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.19.0.1' },
      body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
      signal: AbortSignal.timeout(10_000),
    });
    return response.status === 200 && !(await response.text()).includes('"errors"');
  } catch {
    return false;
  }
}

const mb = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const tempDir = await mkdtemp(join(tmpdir(), 'shop-flood-'));
const servers: Server[] = [];
process.once('exit', killAll);
let failed = false;
try {
  console.log(`Starting the shop (production mode, PGlite) in ${tempDir}...`);
  const secrets = benchSecrets();
  const databases = await benchDatabases(undefined, tempDir);
  await seedBenchData(databases.locations, secrets.userPassword);
  const ports = Object.fromEntries(await Promise.all([...SUBGRAPHS, 'gateway', 'metrics'].map(async (name) => [name, await freePort()] as const)));
  const base = (name: string) => `http://127.0.0.1:${ports[name]}`;
  const common = { ...benchServerEnv(base, secrets.serviceCredential), METRICS_PORT: '0' };
  const start = async (name: string, entry: URL, nodeFlags: string[], env: Record<string, string>) => {
    const server = await startServer(name, [...nodeFlags, '--import', 'tsx', '--conditions=source', fileURLToPath(entry)], { ...common, ...env, PORT: String(ports[name]) }, {
      cwd: ROOT,
      url: `${base(name)}/graphql`,
      logFile: join(tempDir, `${name}.log`),
    });
    servers.push(server);
    return server;
  };
  for (const name of SUBGRAPHS) {
    const location = databases.locations[name];
    await start(name, SUBGRAPH_SERVICES[name].entry, SUBGRAPH_SERVICES[name].nodeFlags, {
      ...('url' in location ? { DATABASE_URL: location.url } : { DATA_DIR: location.dataDir }),
      ...(name === 'users' ? { JWT_PRIVATE_KEY: secrets.jwtPrivateKey } : {}),
    });
  }
  let supergraph = await readFile(join(ROOT, 'supergraph.graphql'), 'utf8');
  for (const name of SUBGRAPHS) supergraph = supergraph.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]+`), `$1${base(name)}/graphql`);
  const supergraphPath = join(tempDir, 'supergraph.graphql');
  await writeFile(supergraphPath, supergraph);
  // Every limit and budget at its default: only the route to the subgraphs and who may name the client differ.
  const gateway = await start('gateway', gatewayService.entry, gatewayService.nodeFlags, {
    SUPERGRAPH_PATH: supergraphPath,
    TRUSTED_PROXIES: 'loopback',
    METRICS_PORT: String(ports.metrics),
  });
  const gatewayUrl = `${base('gateway')}/graphql`;
  const metricsUrl = `http://127.0.0.1:${ports.metrics}/metrics`;
  const limit = heapLimit();
  await answersQuery(gatewayUrl);
  const before = await heapUsed(metricsUrl);
  let peak = before;
  const sampler = setInterval(() => {
    heapUsed(metricsUrl).then(
      (used) => (peak = Math.max(peak, used)),
      () => {},
    );
  }, 1_000);

  const rate = ADDRESSES * PER_ADDRESS_PER_SECOND;
  console.log(`Flooding ${gatewayUrl} for ${SECONDS} s at ${rate} requests/s from ${ADDRESSES} addresses (each at the anonymous limit)...`);
  const kinds: Kind[] = ['document', 'variables', 'login', 'cancelOrder'];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: gatewayUrl,
        connections: 32,
        overallRate: rate,
        duration: SECONDS,
        timeout: 30,
        requests: kinds.map((kind) => ({
          method: 'POST',
          setupRequest: (request) => {
            const { body, address } = nextRequest(kind);
            return { ...request, body, headers: { 'content-type': 'application/json', 'x-forwarded-for': address } };
          },
          onResponse: (status, body) => count(kind, status, body),
        })),
      },
      (error: Error | null, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
  });
  clearInterval(sampler);
  const alive = await answersQuery(gatewayUrl);
  const health = await fetch(`${base('gateway')}/health`).then((response) => response.status, () => 0);
  // A few seconds idle, for what the flood left behind rather than what was in flight.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const after = await heapUsed(metricsUrl);
  peak = Math.max(peak, after);

  console.log(`\nRequests sent: ${result.requests.sent} in ${result.duration.toFixed(0)} s (${result.requests.average.toFixed(0)}/s answered); connection errors ${result.errors}, timeouts ${result.timeouts}`);
  console.log('Answers (kind, HTTP status, first error code):');
  for (const [key, value] of [...answers].sort()) console.log(`  ${key.padEnd(48)} ${value}`);
  console.log(`Gateway heap used: before ${mb(before)}, peak ${mb(peak)}, after ${mb(after)}; limit ${mb(limit)}; peak RSS ${peakRssMb(gateway.pid).toFixed(0)} MB`);
  console.log(`Gateway after the flood: /health ${health}, a catalogue query ${alive ? 'answered' : 'NOT answered'}`);
  failed = !alive || health !== 200 || peak > limit;
  console.log(failed ? 'FAILED: the gateway did not come through the flood' : 'OK: alive, answering, within its heap');
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  for (const server of servers.reverse()) await server.stop();
  if (process.env.BENCH_KEEP_LOGS) console.log(`Logs kept in ${tempDir}`);
  else await rm(tempDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : (process.exitCode ?? 0));
