import { cpuMs } from './proc-stats.js';
import type { Server } from './processes.js';
import { markdown } from './report.js';
import { percentile, verdict } from './subscription-report.js';
import { request } from './graphql.js';
import { startSubgraphProxy } from '../test/support/subgraph-proxy.js';
import { requestInParts } from '../test/support/deferred-parts.js';

export const DEFER = 'defer';

/** Issue 33's targets: products slowed by 800 ms, the first part within 20 ms (p95) of the page without products, the last about the delay. */
export const DEFER_TARGETS = { delayMs: 800, firstPartOverMs: 20, lastPartOverMs: 100 } as const;

/** Requests of each kind in the latency phase (10 at a time), and in the CPU phase. */
const LATENCY_REQUESTS = 200;
const CPU_REQUESTS = 1_000;
const AT_ONCE = 10;

/** The order page: the order and its user (orders, users), each product's name and stock (products). */
const ORDER_FIELDS = 'id status total { amountCents currency } user { name }';
const WITHOUT_PRODUCTS = `query ($id: ID!) { order(id: $id) { ${ORDER_FIELDS} items { quantity } } }`;
const WHOLE = `query ($id: ID!) { order(id: $id) { ${ORDER_FIELDS} items { quantity product { id name stock } } } }`;
const DEFERRED = `query ($id: ID!) { order(id: $id) { ${ORDER_FIELDS} items { quantity product { id ... @defer { name stock } } } } }`;

export interface DeferResult {
  delayMs: number;
  requests: number;
  /** Milliseconds to the answer of the page without the product fields (the first part's yardstick). */
  withoutProducts: { p50Ms: number; p95Ms: number };
  /** Milliseconds to the first part and to the last of the page with @defer, and to the whole answer without it. */
  firstPart: { p50Ms: number; p95Ms: number };
  lastPart: { p50Ms: number; p95Ms: number };
  whole: { p50Ms: number; p95Ms: number };
  /** The gateway's CPU ms per request, products not slowed: the page whole, and in parts. */
  gatewayCpuMs: { whole: number; inParts: number };
  /** Requests that failed or came back with errors (or in one part when parts were asked for). */
  errors: number;
}

export interface DeferOptions {
  /** Starts ours again with more environment; the scenario's own gateway, and the one it leaves running. */
  restartOurs(env: Record<string, string>): Promise<Server>;
  /** products' GraphQL endpoint, which a proxy slowing it stands in front of. */
  productsUrl: string;
  /** A customer's token, and one of their orders with items. */
  customerToken: string;
  orderId: string;
}

/**
 * The `defer` scenario (issue 33), on ours only: a gateway whose route to products goes through a
 * proxy that holds every call `delayMs`, the entity cache off (or products would be asked once).
 * The order page's latency without its product fields, with them deferred (to the first part and
 * to the last) and with them whole; then, products not slowed, the gateway's CPU per request for
 * the page whole and in parts. The gateway is started again as it was at the end.
 */
export async function runDefer(options: DeferOptions): Promise<DeferResult> {
  const proxy = await startSubgraphProxy(options.productsUrl.replace(/\/graphql$/, ''));
  let errors = 0;
  try {
    const gateway = await options.restartOurs({ SUBGRAPH_PRODUCTS_URL: `${proxy.url}/graphql`, ENTITY_CACHE_MB: '0' });
    const variables = { id: options.orderId };
    const token = options.customerToken;
    const timed = async (run: () => Promise<number[]>) => {
      try {
        return await run();
      } catch {
        errors += 1;
        return undefined;
      }
    };
    const whole = async (query: string) => {
      const startedAt = performance.now();
      await request(gateway.url, query, variables, token);
      return [performance.now() - startedAt];
    };
    const inParts = async () => {
      const answer = await requestInParts(gateway.url.replace(/\/graphql$/, ''), 'deferSpec=20220824', DEFERRED, { variables, token });
      if (answer.parts.length < 2 || answer.merged.errors.length > 0) throw new Error(`not in parts: ${JSON.stringify(answer.parts).slice(0, 200)}`);
      return [answer.arrivedAfterMs[0]!, answer.arrivedAfterMs.at(-1)!];
    };
    const measure = async (run: () => Promise<number[]>, count: number) => {
      const samples: number[][] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: AT_ONCE }, async () => {
          while (next++ < count) {
            const sample = await timed(run);
            if (sample) samples.push(sample);
          }
        }),
      );
      return samples;
    };
    const summary = (values: number[]) => ({ p50Ms: percentile(values, 0.5), p95Ms: percentile(values, 0.95) });

    // Warm: plans made, connections open, before anything counts.
    await measure(() => whole(WITHOUT_PRODUCTS), 50);
    await measure(inParts, 50);
    await measure(() => whole(WHOLE), 50);
    proxy.setDelay(DEFER_TARGETS.delayMs);
    const withoutProducts = await measure(() => whole(WITHOUT_PRODUCTS), LATENCY_REQUESTS);
    const parts = await measure(inParts, LATENCY_REQUESTS);
    const wholeAnswers = await measure(() => whole(WHOLE), LATENCY_REQUESTS);
    proxy.setDelay(0);

    const cpuPerRequest = async (run: () => Promise<number[]>) => {
      const before = cpuMs(gateway.pid);
      await measure(run, CPU_REQUESTS);
      return (cpuMs(gateway.pid) - before) / CPU_REQUESTS;
    };
    const gatewayCpuMs = { whole: await cpuPerRequest(() => whole(WHOLE)), inParts: await cpuPerRequest(inParts) };
    return {
      delayMs: DEFER_TARGETS.delayMs,
      requests: LATENCY_REQUESTS,
      withoutProducts: summary(withoutProducts.map(([ms]) => ms!)),
      firstPart: summary(parts.map(([first]) => first!)),
      lastPart: summary(parts.map(([, last]) => last!)),
      whole: summary(wholeAnswers.map(([ms]) => ms!)),
      gatewayCpuMs,
      errors,
    };
  } finally {
    await proxy.close();
    await options.restartOurs({});
  }
}

/** The targets a run missed, one line each; empty when it met them all. */
export function missedDeferTargets(result: DeferResult): string[] {
  const missed: string[] = [];
  const firstBound = result.withoutProducts.p95Ms + DEFER_TARGETS.firstPartOverMs;
  if (result.firstPart.p95Ms > firstBound) missed.push(`first part p95 ${Math.round(result.firstPart.p95Ms)} ms, over the page without products' p95 + ${DEFER_TARGETS.firstPartOverMs} (${Math.round(firstBound)} ms)`);
  const lastBound = result.delayMs + result.withoutProducts.p95Ms + DEFER_TARGETS.lastPartOverMs;
  if (result.lastPart.p95Ms > lastBound) missed.push(`last part p95 ${Math.round(result.lastPart.p95Ms)} ms, over the delay + the page without products' p95 + ${DEFER_TARGETS.lastPartOverMs} (${Math.round(lastBound)} ms)`);
  if (result.errors > 0) missed.push(`${result.errors} requests failed`);
  return missed;
}

/** The scenario's report: latency to each part against the targets, and the gateway's CPU per request. */
export function formatDeferReport(result: DeferResult): string {
  const ms = (value: number) => String(Math.round(value));
  const latency = markdown([
    [`products slowed by ${result.delayMs} ms, ${result.requests} requests each`, 'p50 ms', 'p95 ms'],
    ['order page without product fields', ms(result.withoutProducts.p50Ms), ms(result.withoutProducts.p95Ms)],
    ['with @defer: first part', ms(result.firstPart.p50Ms), ms(result.firstPart.p95Ms)],
    ['with @defer: last part', ms(result.lastPart.p50Ms), ms(result.lastPart.p95Ms)],
    ['whole, without @defer', ms(result.whole.p50Ms), ms(result.whole.p95Ms)],
  ]);
  const cpu = markdown([
    ['gateway CPU ms per request (products not slowed)', 'whole', 'in parts', 'ratio'],
    ['order page', result.gatewayCpuMs.whole.toFixed(3), result.gatewayCpuMs.inParts.toFixed(3), (result.gatewayCpuMs.inParts / result.gatewayCpuMs.whole).toFixed(2)],
  ]);
  const targets = markdown([
    ['target', 'verdict'],
    [`first part p95, over the page without products' p95`, verdict(result.firstPart.p95Ms - result.withoutProducts.p95Ms, DEFER_TARGETS.firstPartOverMs, ' ms')],
    [`last part p95, over the delay + the page without products' p95`, verdict(result.lastPart.p95Ms - result.delayMs - result.withoutProducts.p95Ms, DEFER_TARGETS.lastPartOverMs, ' ms')],
    ['errors', result.errors === 0 ? '0: met' : `${result.errors}: NOT met`],
  ]);
  return `@defer (ours):\n\n${latency}\n\n${cpu}\n\n${targets}`;
}
