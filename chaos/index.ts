/**
 * `npm run chaos [-- --minutes 1 --seed 42 --customers 6]`: the shop under a seeded mixed load
 * while its parts are killed and started again one after another, then its books checked (issue 35,
 * docs/run/chaos.md). Needs PostgreSQL (CHAOS_DATABASE_URL, else DATABASE_URL, else the local
 * server) and Debian's nats-server.
 */
import { parseArgs } from 'node:util';
import { randomInt } from 'node:crypto';
import { markdown } from '../bench/report.js';
import { killAll } from '../scripts/processes.js';
import { brokenInvariants } from './invariants.js';
import { eventProblems, publishedEvents } from './events.js';
import { missingDeliveries, registerReceiver, webhookProblems, type ChaosReceiver } from './webhooks.js';
import { driveLoad, seeded, type LoadRecord } from './load.js';
import { startChaosStack, type Fault } from './stack.js';

const { values } = parseArgs({ options: { minutes: { type: 'string' }, seed: { type: 'string' }, customers: { type: 'string' } } });
const minutes = Number(values.minutes ?? '1');
const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
const customers = Number(values.customers ?? '6');
if (!(minutes > 0 && minutes <= 120) || !Number.isInteger(seed) || !(customers >= 1 && customers <= 100)) {
  throw new Error('usage: npm run chaos -- [--minutes 0<m≤120] [--seed <integer>] [--customers 1–100]');
}
const serverUrl = process.env.CHAOS_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
/** The faults, in turn, round robin over the run. */
const FAULTS: Fault[] = ['orders', 'products-cut', 'products', 'gateway-a', 'redis', 'users', 'products-slow', 'nats'];
/** How long a fault lasts (a killed part stays down) before it is mended. */
const DOWN_MS = 2_000;
/** Longest a request may take (a client's deadline): past it, the answer counts as a hang. */
const DEADLINE_MS = 15_000;
/** Time for the reconciler (every second, on orders placing for more than 12 s) to finish what the faults interrupted. */
const SETTLE_MS = 16_000;
/** Longest the webhooks' last deliveries (and their retries) may take once the load has stopped. */
const DELIVERIES_MS = 30_000;
/**
 * How long the flaky webhook receiver answers 500: within what orders' retries cover in a chaos
 * run (1 + 2 + 3 + 5 + 10 + 20 s), so each event still reaches it; a longer outage leaves
 * deliveries FAILED for an admin to redeliver, as documented.
 */
const FLAKY_MS = 30_000;

interface Inflicted {
  fault: Fault;
  at: number;
  /** When it was mended (a killed part answering again, once started). */
  mendedAt: number;
}

console.log(`chaos: seed ${seed}, ${minutes} min, ${customers} customers; faults in turn: ${FAULTS.join(', ')}`);
const random = seeded(seed);
const stack = await startChaosStack(serverUrl);
let exitCode = 0;
const endpoints: ChaosReceiver[] = [];
try {
  const [gatewayUrl] = stack.gatewayUrls;
  const call = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(gatewayUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as { data: Record<string, { token: string }> };
  };
  const adminToken = (await call('mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: 'admin@example.com', p: stack.password })).data.login!.token;
  const customerTokens: string[] = [];
  for (let index = 0; index < customers; index += 1) {
    const input = { email: `chaos-${seed}-${index}@example.com`, password: 'chaos-customer-password', name: `Chaos ${index}` };
    customerTokens.push((await call('mutation ($input: RegisterInput!) { register(input: $input) { token } }', { input })).data.register!.token);
  }
  // Two merchants' endpoints; the second answers 500 for FLAKY_MS in the middle of the run (its deliveries retried).
  endpoints.push(await registerReceiver('steady', gatewayUrl!, adminToken), await registerReceiver('flaky', gatewayUrl!, adminToken));
  const flaky = endpoints[1]!;
  const stopLoad = new AbortController();
  const loading: Promise<LoadRecord> = driveLoad({ gatewayUrls: stack.gatewayUrls, customerTokens, adminToken, random, signal: stopLoad.signal, deadlineMs: DEADLINE_MS });
  const faults: Inflicted[] = [];
  const durationMs = minutes * 60_000;
  const startedAt = Date.now();
  const gap = durationMs / (Math.max(FAULTS.length, Math.round(durationMs / 20_000)) + 1);
  const flakyFrom = setTimeout(() => {
    flaky.failing = true;
    console.log(`  ${new Date().toISOString()} the flaky webhook receiver answers 500`);
  }, durationMs / 2 - FLAKY_MS / 2);
  const flakyUntil = setTimeout(() => {
    flaky.failing = false;
    console.log(`  ${new Date().toISOString()} the flaky webhook receiver answers 204 again`);
  }, durationMs / 2 + FLAKY_MS / 2);
  for (let index = 0; Date.now() - startedAt + gap < durationMs; index += 1) {
    await new Promise((resolve) => setTimeout(resolve, gap - DOWN_MS));
    const fault = FAULTS[index % FAULTS.length]!;
    const at = Date.now();
    const mend = await stack.inflict(fault);
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    await mend();
    faults.push({ fault, at, mendedAt: Date.now() });
    console.log(`  ${new Date(at).toISOString()} ${fault}, mended after ${Date.now() - at} ms`);
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, durationMs - (Date.now() - startedAt))));
  stopLoad.abort();
  const load = await loading;
  clearTimeout(flakyFrom);
  clearTimeout(flakyUntil);
  flaky.failing = false;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  // The last deliveries, and the retries of those the flaky receiver refused, given time to arrive.
  const deliveriesBy = Date.now() + DELIVERIES_MS;
  while (Date.now() < deliveriesBy && [...(await missingDeliveries(stack.locations.orders, endpoints)).values()].some((ids) => ids.length > 0)) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const published = await publishedEvents(stack.natsUrl);
  await stack.stopServers();

  console.log(`\n${recoveryTable(faults, load)}\n`);
  const total = load.outcomes.length;
  const failed = load.outcomes.filter((outcome) => outcome.result !== 'ok').length;
  console.log(`${total} requests, ${failed} not ok; ${load.keysSent.size} orders sent, ${load.placed.size} placed`);
  const problems = [...(await brokenInvariants(stack.locations, load)), ...(await eventProblems(stack.locations.orders, published)), ...(await webhookProblems(stack.locations.orders, endpoints))];
  for (const { name, receiver } of endpoints) console.log(`webhook receiver ${name}: ${receiver.received.length} deliveries`);
  console.log(`${published.length} order events on the stream`);
  if (problems.length > 0) {
    exitCode = 1;
    console.log(`\nINVARIANTS BROKEN (seed ${seed}):\n  ${problems.join('\n  ')}`);
  } else console.log(`\nEvery invariant holds (seed ${seed}).`);
} finally {
  for (const endpoint of endpoints) await endpoint.receiver.stop();
  await stack.stop().catch((error: unknown) => console.error('could not stop the chaos stack', error));
  killAll();
}
process.exit(exitCode);

/**
 * Per fault: until when the shop's answers were not all right after it (the last one not ok before
 * the next fault), and the share of requests in that window that failed, with their codes.
 */
function recoveryTable(faults: readonly Inflicted[], load: LoadRecord): string {
  const rows = faults.map((fault, index) => {
    const end = faults[index + 1]?.at ?? Number.POSITIVE_INFINITY;
    const window = load.outcomes.filter((outcome) => outcome.at >= fault.at && outcome.at < end);
    const failed = window.filter((outcome) => outcome.result !== 'ok' && outcome.result !== 'CONFLICT' && outcome.result !== 'INSUFFICIENT_STOCK' && outcome.result !== 'NOT_FOUND');
    const lastFailure = Math.max(fault.at, ...failed.map((outcome) => outcome.at));
    const codes = [...new Set(failed.map((outcome) => outcome.result))].join(', ') || '–';
    return [fault.fault, new Date(fault.at).toISOString().slice(11, 19), String(fault.mendedAt - fault.at), String(lastFailure - fault.at), `${((100 * failed.length) / Math.max(1, window.length)).toFixed(1)} %`, codes];
  });
  return markdown([['fault', 'at (UTC)', 'mended after ms', 'answering normally after ms', 'failed meanwhile', 'codes'], ...rows]);
}
