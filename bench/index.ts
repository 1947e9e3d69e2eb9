/**
 * `npm run bench`: the shop in production mode, driven by autocannon through our gateway (also
 * with tracing on, and without its declared authorization), stock @apollo/gateway and Hive
 * Gateway (with its JavaScript and its Rust query planner) side by side (and the owning subgraph
 * directly where one subgraph answers alone).
 * Distinct traffic first (many customers, each with its own token and its own orders), then
 * identical traffic (one request repeated, which deduplication merges). Prints the tables with
 * every process's CPU per request and the ratios, writes them as JSON under bench/results/ and
 * draws them as charts in docs/performance/charts/.
 * Figures drift on a shared machine: compare only ratios from one run.
 */
import { DEMO_ORDERS } from '@shop/service-kit';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadBenchConfig } from './config.js';
import { runLoad, type LoadOptions, type LoadResult } from './load.js';
import { createCustomers } from './customers.js';
import { post } from './graphql.js';
import { cpuMs, peakRssMb, resetPeakRss } from './proc-stats.js';
import { killAll, type Server } from './processes.js';
import { formatExports, formatReport, inRound, missingExports, ratios, type Row, type Skipped } from './report.js';
import { runLabel, writeCharts } from './charts.js';
import {
  CREATE_ORDER,
  createOrderScenario,
  DISTINCT_SCENARIOS,
  distinctScenarios,
  documentsByOperationName,
  FIRST_MINUTE_PHASES,
  SCENARIOS,
  targetsOf,
  type Scenario,
  type Script,
  type Target,
} from './scenarios.js';
import { checkConsistency, demoInitialStock } from './consistency.js';
import { SUBGRAPHS, type SubgraphName } from './seed.js';
import { startBenchStack, GATEWAYS, type BenchStack, type GatewayName } from './stack.js';
import { isTraced } from './traced-gateways.js';
import { runSubscriptions, SUBSCRIPTIONS } from './subscriptions.js';
import { formatSubscriptionReport, missedSubscriptionTargets, type SubscriptionResult } from './subscription-report.js';
import { DEFER, formatDeferReport, missedDeferTargets, runDefer, type DeferResult } from './defer.js';

const config = loadBenchConfig(process.argv.slice(2), process.env);
const KNOWN: string[] = [...DISTINCT_SCENARIOS, ...SCENARIOS.map((s) => s.name), CREATE_ORDER, SUBSCRIPTIONS, DEFER];
// The subscriptions and @defer scenarios only when named: each restarts our gateway, and subscriptions at its full size adds several minutes to a run (docs/performance/index.md).
const chosen = config.scenarios.length ? config.scenarios : KNOWN.filter((name) => name !== SUBSCRIPTIONS && name !== DEFER);
const unknown = chosen.filter((name) => !KNOWN.includes(name));
if (unknown.length) throw new Error(`No scenario named ${unknown.join(', ')}; known: ${KNOWN.join(', ')}`);
const ALL_TARGETS: Target[] = [...GATEWAYS, 'direct'];
const chosenTargets = config.targets.length ? config.targets : ALL_TARGETS;
const unknownTargets = chosenTargets.filter((name) => !(ALL_TARGETS as string[]).includes(name));
if (unknownTargets.length) throw new Error(`No target named ${unknownTargets.join(', ')}; known: ${ALL_TARGETS.join(', ')}`);
const startedAt = new Date().toISOString().replaceAll(':', '-');
const profileDir = fileURLToPath(new URL(`./results/profiles-${startedAt}/`, import.meta.url));
/** Bench product for createOrder: enough stock for any run, so no order fails for want of it. */
const BENCH_STOCK = 100_000_000;
/** Each distinct-traffic customer's orders, and the products the admin adds for them (3 per order). */
const ORDERS_PER_CUSTOMER = 5;
const CATALOGUE_PRODUCTS = 8;
/** The SDK's documents (hash → text): what the storefront sends, and what our gateway plans at start. */
const SDK_MANIFEST = new URL('../sdk/src/__generated__/persisted-documents.json', import.meta.url);

let stack: BenchStack | undefined;
let stopStack: (() => Promise<void>) | undefined;
// Whatever ends the bench, its children end with it: gracefully on Ctrl-C, killed as a last resort.
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the services`);
    void (stopStack?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

try {
  console.log(`Starting the services (production mode, ${config.databaseUrl ? 'PostgreSQL' : 'PGlite'})...`);
  stack = await startBenchStack(config.databaseUrl, { servers: config.profile, dir: profileDir }, (stop) => (stopStack = stop));
  if (stack.databaseCpu && 'notMeasured' in stack.databaseCpu) {
    console.log(`PostgreSQL's own CPU is not measured: ${stack.databaseCpu.notMeasured}. Where it shares this machine's cores all the same, the "if our gateway cost nothing" bounds come out too high.`);
  }
  const token = await signIn(stack.gateways.ours.url, stack.userPassword);
  console.log(
    `${config.connections} connections, ${config.durationSeconds} s per run after ${config.warmupSeconds} s warm-up${config.rounds > 1 ? `, ${config.rounds} rounds` : ''}; ${cpus().length} CPUs`,
  );
  const initialStock = demoInitialStock();
  const scenarios: Scenario[] = [];
  if (DISTINCT_SCENARIOS.some((name) => chosen.includes(name))) {
    const admin = await signIn(stack.gateways.ours.url, stack.userPassword, 'admin@example.com');
    const made = await createCustomers(stack.gateways.ours.url, admin, { customers: config.customers, ordersEach: ORDERS_PER_CUSTOMER, products: CATALOGUE_PRODUCTS });
    for (const [id, stock] of made.products) initialStock.set(id, stock);
    console.log(`${made.customers.length} customers registered, ${ORDERS_PER_CUSTOMER} orders each, each signed in with its own token`);
    const sdkDocuments = documentsByOperationName(JSON.parse(await readFile(SDK_MANIFEST, 'utf8')) as Record<string, string>);
    scenarios.push(...distinctScenarios(made.customers, [...made.products.keys()], sdkDocuments).filter((s) => chosen.includes(s.name)));
  }
  scenarios.push(...SCENARIOS.filter((s) => chosen.includes(s.name)));
  if (chosen.includes(CREATE_ORDER)) {
    const productId = await addBenchProduct(stack.gateways.ours.url, stack.userPassword);
    initialStock.set(productId, BENCH_STOCK);
    scenarios.push(createOrderScenario(productId));
  }
  const placedKeys = new Set<string>();
  const keyPrefix = `bench-${Date.now()}`;
  const rows: Row[] = [];
  const skipped: Skipped[] = [];
  // The first minute restarts each gateway: measured last, so every other scenario meets the processes it warmed.
  scenarios.sort((a, b) => Number(a.traffic === 'first-minute') - Number(b.traffic === 'first-minute'));
  for (const scenario of scenarios) {
    const targets = targetsOf(scenario, chosenTargets, ALL_TARGETS);
    for (let round = 1; round <= config.rounds; round++) {
      const label = (name: string) => inRound(name, round, config.rounds);
      // Every other round in reverse (A B, B A, A B...): drift over the run (processes warming, a neighbour's load) falls on each target alike, not on the first.
      for (const target of round % 2 ? targets : [...targets].reverse()) {
        if (skipped.some((skip) => skip.scenario === scenario.name && skip.target === target)) continue;
        const load = { operations: scenario.operations, scripts: scenario.scripts, token, connections: config.connections, placedKeys, keyPrefix };
        const server = serverFor(stack, scenario, target);
        const problem = round === 1 ? await firstAnswerProblem(server.url, scenario.scripts ?? [{ token, operations: scenario.operations }]) : undefined;
        if (problem) {
          skipped.push({ scenario: scenario.name, traffic: scenario.traffic, target, reason: problem });
          console.log(`${scenario.name} / ${target}: not measured: ${problem}`);
          continue;
        }
        // For the first minute too: the subgraphs are then warm for every target alike, and only the gateway starts cold.
        await runLoad({ ...load, url: server.url, durationSeconds: config.warmupSeconds, keyPrefix: `${keyPrefix}-${target}-warmup-${round}` });
        if (scenario.traffic !== 'first-minute') {
          rows.push(await measured(stack, scenario, label(scenario.name), target, server, { ...load, url: server.url }, config.durationSeconds));
          continue;
        }
        // A fresh gateway process and, at once, the load: as after a deploy.
        const { server: fresh, startMs } = await stack.restartGateway(target as GatewayName);
        rows.push(...(await measuredFirstMinute(stack, scenario, label, target, fresh, { ...load, url: fresh.url })).map((row) => ({ ...row, startMs })));
      }
    }
  }
  let subscriptions: SubscriptionResult | undefined;
  if (chosen.includes(SUBSCRIPTIONS)) {
    if (!chosenTargets.includes('ours')) console.log(`${SUBSCRIPTIONS}: not measured: it runs against ours only, and --targets leaves ours out`);
    else {
      const productId = await addBenchProduct(stack.gateways.ours.url, stack.userPassword);
      initialStock.set(productId, BENCH_STOCK);
      // A fresh gateway (what a run of load leaves in its heap would hide what the subscriptions add), with the heap the docs size for them.
      const { server: fresh } = await stack.restartGateway('ours', { subscriptionsMax: Math.max(config.idleSubscribers, config.subscribers) });
      subscriptions = await runSubscriptions({
        gateway: fresh,
        subgraphs: stack.subgraphs,
        adminToken: await signIn(stack.gateways.ours.url, stack.userPassword, 'admin@example.com'),
        customerToken: token,
        productId,
        subscribers: config.subscribers,
        idleSubscribers: config.idleSubscribers,
        changesPerSecond: config.changesPerSecond,
        warmupSeconds: config.warmupSeconds,
        durationSeconds: config.durationSeconds,
      });
    }
  }
  let defer: DeferResult | undefined;
  if (chosen.includes(DEFER)) {
    if (!chosenTargets.includes('ours')) console.log(`${DEFER}: not measured: it runs against ours only, and --targets leaves ours out`);
    else {
      const running = stack;
      defer = await runDefer({
        restartOurs: async (env) => (await running.restartGateway('ours', { env })).server,
        productsUrl: stack.subgraphs.products.url,
        customerToken: token,
        // alice's delivered demo order: no scenario moves it.
        orderId: DEMO_ORDERS[0].id,
      });
    }
  }
  if (rows.length || skipped.length) console.log(`\n${formatReport(rows, skipped)}\n`);
  if (defer) console.log(`\n${formatDeferReport(defer)}\n`);
  const deferProblems = defer ? missedDeferTargets(defer) : [];
  if (deferProblems.length) console.log(`DEFER CHECK FAILED:\n  ${deferProblems.join('\n  ')}\n`);
  if (subscriptions) console.log(`\n${formatSubscriptionReport(subscriptions)}\n`);
  const subscriptionProblems = subscriptions ? missedSubscriptionTargets(subscriptions) : [];
  if (subscriptionProblems.length) console.log(`SUBSCRIPTIONS CHECK FAILED:\n  ${subscriptionProblems.join('\n  ')}\n`);
  const notExported = missingExports(rows);
  if (rows.some((row) => row.exported)) console.log(`Exported by the traced gateways to the collector during each run:\n\n${formatExports(rows)}\n`);
  if (notExported.length) console.log(`TRACING EXPORT CHECK FAILED:\n  ${notExported.join('\n  ')}\n`);
  let consistency: { checked: boolean; orders: number; problems: string[] } = { checked: false, orders: 0, problems: [] };
  if (scenarios.some((scenario) => scenario.writes) || subscriptions) {
    await stack.stopServers();
    const problems = await checkConsistency(stack.locations, initialStock, placedKeys, keyPrefix);
    consistency = { checked: true, orders: placedKeys.size, problems };
    console.log(
      problems.length
        ? `CONSISTENCY CHECK FAILED (${problems.length} problems):\n  ${problems.slice(0, 20).join('\n  ')}`
        : `Consistency check passed: ${placedKeys.size} orders placed; stock + reserved = initial for every product, one order per key`,
    );
  }
  const file = await writeResults({ rows, skipped, ratios: ratios(rows), consistency, notExported, ...(subscriptions ? { subscriptions } : {}), ...(defer ? { defer } : {}) });
  console.log(`Written to ${file}`);
  // Drawn from this run's own rows, so the docs' charts are always a real run's; one of several rounds draws none (a chart per round is no figure for the docs).
  if (!rows.length) console.log('No charts drawn: no load rows in this run');
  else if (config.rounds === 1) console.log(`Charts: ${(await writeCharts({ rows, config }, runLabel(file))).join(', ')}`);
  else console.log(`No charts drawn: a run of ${config.rounds} rounds is for its ratios (npm run bench:charts draws them from its results file if wanted)`);
  if (consistency.problems.length || notExported.length || subscriptionProblems.length || deferProblems.length) process.exitCode = 1;
} finally {
  await stopStack?.();
  // The profiles are written as each server exits, so only now are they complete.
  if (config.profile.length) console.log(`CPU profiles (open in Chrome DevTools or speedscope): ${profileDir}`);
}

/**
 * One measured run of `scenario` against `server`: its load figures, and every process's CPU over
 * the run (the addressed server's, each subgraph's, and the load generator's: this process).
 */
async function measured(running: BenchStack, scenario: Scenario, label: string, target: Target, server: Server, load: Omit<LoadOptions, 'durationSeconds'>, durationSeconds: number): Promise<Row> {
  resetPeakRss(server.pid);
  // Spans leave in batches (every 5 s or 512 spans): the warm-up's last batch lands in the run, the run's last after it.
  const exportedSince = isTraced(target) ? await running.collector.countFrom(target) : undefined;
  const before = cpuNow(running, server);
  const result = await runLoad({ ...load, durationSeconds, keyPrefix: `${load.keyPrefix ?? 'bench'}-${target}-${label}` });
  const row = rowOf(label, scenario, target, server, result, before, cpuNow(running, server));
  return { ...row, exported: await exportedSince?.(result.responses) };
}

/**
 * The first minute after a start as one run of the load, reported as FIRST_MINUTE_PHASES: each
 * response in the phase its request was sent in (a slow first request counts where it started),
 * every process's CPU read at each phase's end.
 */
async function measuredFirstMinute(running: BenchStack, scenario: Scenario, label: (name: string) => string, target: Target, server: Server, load: Omit<LoadOptions, 'durationSeconds'>): Promise<Row[]> {
  const readings = [cpuNow(running, server)];
  let elapsed = 0;
  const timers = FIRST_MINUTE_PHASES.slice(0, -1).map((phase) => setTimeout(() => readings.push(cpuNow(running, server)), (elapsed += phase.seconds) * 1000));
  const seconds = FIRST_MINUTE_PHASES.reduce((sum, phase) => sum + phase.seconds, 0);
  const result = await runLoad({ ...load, durationSeconds: seconds, windows: FIRST_MINUTE_PHASES, keyPrefix: `${load.keyPrefix ?? 'bench'}-${target}-${label(scenario.name)}` });
  for (const timer of timers) clearTimeout(timer);
  readings.push(cpuNow(running, server));
  return FIRST_MINUTE_PHASES.map((phase, i) => rowOf(label(`${scenario.name} ${phase.label}`), scenario, target, server, result.windows![i]!, readings[i]!, readings[i + 1]!));
}

/** A reading of every process's CPU ms so far: the addressed server, each subgraph, the PostgreSQL server where it is measured, the load generator (this process). */
interface CpuReading {
  server: number;
  subgraphs: Record<SubgraphName, number>;
  database: number | undefined;
  loadGenerator: number;
}

function cpuNow(running: BenchStack, server: Server): CpuReading {
  const { user, system } = process.cpuUsage();
  const database = running.databaseCpu;
  return {
    server: cpuMs(server.pid),
    subgraphs: Object.fromEntries(SUBGRAPHS.map((name) => [name, cpuMs(running.subgraphs[name].pid)])) as Record<SubgraphName, number>,
    database: database && 'readMs' in database ? database.readMs() : undefined,
    loadGenerator: (user + system) / 1000,
  };
}

/** A row of the report, named `label`: a run's load figures and each process's CPU per response between two cpuNow readings; logged as it is made. */
function rowOf(label: string, scenario: Scenario, target: Target, server: Server, result: LoadResult, before: CpuReading, after: CpuReading): Row {
  const perResponse = (spent: number) => spent / Math.max(result.responses, 1);
  const row: Row = {
    scenario: label,
    traffic: scenario.traffic,
    target,
    ...result,
    cpuMsPerRequest: perResponse(after.server - before.server),
    subgraphCpuMsPerRequest: Object.fromEntries(SUBGRAPHS.map((name) => [name, perResponse(after.subgraphs[name] - before.subgraphs[name])])) as Row['subgraphCpuMsPerRequest'],
    ...(after.database !== undefined && before.database !== undefined ? { databaseCpuMsPerRequest: perResponse(after.database - before.database) } : {}),
    loadGeneratorCpuMsPerRequest: perResponse(after.loadGenerator - before.loadGenerator),
    peakRssMb: peakRssMb(server.pid),
  };
  console.log(`${row.scenario} / ${target}: ${row.requestsPerSecond.toFixed(0)} req/s, p99 ${row.p99Ms} ms, max ${row.maxMs} ms, CPU ms/req ${row.cpuMsPerRequest.toFixed(2)}`);
  return row;
}

function serverFor(running: BenchStack, scenario: Scenario, target: Target): Server {
  return target === 'direct' ? running.subgraphs[scenario.direct!] : running.gateways[target];
}

/** alice signs in through our gateway; the token is valid at every gateway and subgraph. */
async function signIn(gatewayUrl: string, password: string, email = 'alice@example.com'): Promise<string> {
  const response = await post(gatewayUrl, {
    query: 'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
    variables: { email, password },
  });
  const token = (response as { data?: { login?: { token?: string } } }).data?.login?.token;
  if (!token) throw new Error(`${email} could not sign in: ${JSON.stringify(response)}`);
  return token;
}

/** The admin adds the product createOrder orders, through our gateway; returns its id. */
async function addBenchProduct(gatewayUrl: string, password: string): Promise<string> {
  const admin = await signIn(gatewayUrl, password, 'admin@example.com');
  const answer = (await post(
    gatewayUrl,
    {
      query: 'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      variables: { input: { name: 'Bench beans', description: 'Ordered by the bench.', priceCents: 1000, currency: 'EUR', stock: BENCH_STOCK } },
    },
    admin,
  )) as { data?: { createProduct?: { id: string } } };
  if (!answer.data?.createProduct) throw new Error(`Could not add the bench product: ${JSON.stringify(answer)}`);
  return answer.data.createProduct.id;
}

/**
 * Each operation once (for distinct traffic: every customer's first request, and the first and
 * last customer's every request), before any load: a target that answers with errors (or without
 * data, as for an order that is not the customer's) is reported as such instead of being timed,
 * since failing fast would look like speed.
 */
async function firstAnswerProblem(url: string, scripts: Script[]): Promise<string | undefined> {
  for (const { token, operations } of checkedRequests(scripts)) for (const operation of operations) {
    try {
      const answer = (await post(url, { query: operation.query, variables: operation.variables ?? {} }, operation.signedIn ? token : undefined)) as {
        data?: Record<string, unknown> | null;
        errors?: { message: string }[];
      };
      if (answer.errors?.length) return answer.errors.map((error) => error.message).join('; ');
      if (!answer.data || Object.values(answer.data).some((value) => value === null)) return `no data: ${JSON.stringify(answer)}`;
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}

/** The requests firstAnswerProblem sends: all of them for identical traffic, a sample covering every customer for distinct. */
function checkedRequests(scripts: Script[]): Script[] {
  if (scripts.length <= 2) return scripts;
  return [scripts[0]!, ...scripts.slice(1, -1).map((script) => ({ ...script, operations: script.operations.slice(0, 1) })), scripts.at(-1)!];
}

async function writeResults(results: object): Promise<string> {
  const folder = new URL('./results/', import.meta.url);
  await mkdir(folder, { recursive: true });
  const file = new URL(`${startedAt}.json`, folder);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, platform: process.platform };
  await writeFile(file, `${JSON.stringify({ config, machine, ...results }, null, 2)}\n`);
  return file.pathname;
}
