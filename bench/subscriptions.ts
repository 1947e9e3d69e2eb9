import { request } from './graphql.js';
import { existsSync } from 'node:fs';
import { cpuMs, rssMb } from './proc-stats.js';
import type { Server } from './processes.js';
import { SUBGRAPHS, type SubgraphName } from './seed.js';
import { gaugeValue, percentile, sseMessages, type SubscriptionResult } from './subscription-report.js';

export const SUBSCRIPTIONS = 'subscriptions';

export interface SubscriptionOptions {
  gateway: Server & { metricsUrl: string };
  subgraphs: Record<SubgraphName, Server>;
  /** The admin's token: it subscribes (an admin may follow any order) and moves the orders along. */
  adminToken: string;
  /** The customer whose orders are moved along (alice). */
  customerToken: string;
  /** A product with stock for every order the scenario places. */
  productId: string;
  subscribers: number;
  idleSubscribers: number;
  changesPerSecond: number;
  warmupSeconds: number;
  durationSeconds: number;
}

/** What each subscriber asks for: the order with its user and its products, as the storefront's order page does. */
const ORDER_UPDATED = `subscription ($id: ID!) { orderUpdated(id: $id) { id status updatedAt user { name } items { quantity product { name } } } }`;
const MOVES = ['PAID', 'SHIPPED', 'DELIVERED'] as const;
/** Subscriptions opened at once: enough to open thousands in seconds, few enough not to be a flood of their own. */
const OPENING_AT_ONCE = 50;
/** How long the events of the last changes may take to arrive, and the gauge to come back to 0. */
const DRAIN_MS = 10_000;
/** Time for the gateway's RSS to settle once the idle subscriptions are open. */
const SETTLE_MS = 2_000;

interface Change {
  /** Measured (after the warm-up), or not. */
  measured: boolean;
}

/** One open SSE subscription: closes on `close()`; reports each event's data and a failure once. */
interface Subscriber {
  opened: Promise<void>;
  close(): void;
}

/**
 * The `subscriptions` scenario (issue 31). First the memory of `idleSubscribers` idle SSE
 * subscriptions, as the fresh gateway's RSS (and heap) before and after opening them. Then
 * `subscribers` SSE subscriptions on our gateway, each on one order's `orderUpdated`, spread over
 * enough of alice's orders for the run; the admin moves those orders along (PENDING → PAID →
 * SHIPPED → DELIVERED) at a steady rate, and each delivered event's time from its commit (the
 * order's `updatedAt`) to its arrival is taken. The `subscriptions_active` gauge is read after
 * each phase, once every subscriber has closed. A gateway that did not survive the idle phase
 * (out of memory) leaves the changes unmeasured, and is reported.
 */
export async function runSubscriptions(options: SubscriptionOptions): Promise<SubscriptionResult> {
  const { gateway } = options;
  const totalSeconds = options.warmupSeconds + options.durationSeconds;
  const orderCount = Math.min(options.subscribers, Math.ceil(Math.max(1, Math.round(options.changesPerSecond * totalSeconds)) / MOVES.length));
  // Each order moves at most MOVES.length times: with fewer subscribers than that needs, the run is shorter.
  const changesWanted = Math.min(Math.max(1, Math.round(options.changesPerSecond * totalSeconds)), orderCount * MOVES.length);
  const orders: string[] = [];
  for (let i = 0; i < orderCount; i++) orders.push(await placeOrder(gateway.url, options.customerToken, options.productId));
  console.log(`subscriptions: ${orderCount} orders placed; opening ${options.idleSubscribers} idle subscriptions...`);

  // First, on the fresh gateway (what a run of load leaves in its RSS would hide what they add): idle subscriptions on orders not changing yet.
  const gatewayRssBeforeMb = rssOrNaN(gateway.pid);
  const gatewayHeapBeforeMb = await heapUsedMb(gateway.metricsUrl);
  const ordersRssBeforeMb = rssOrNaN(options.subgraphs.orders.pid);
  const idle: Subscriber[] = [];
  let idleErrors = 0;
  await inBatches(options.idleSubscribers, async (i) => {
    const subscriber = subscribe(gateway.url, options.adminToken, orders[i % orders.length]!, () => undefined, () => idleErrors++);
    idle.push(subscriber);
    await subscriber.opened.catch(() => undefined);
  });
  const opened = options.idleSubscribers - idleErrors;
  await waitForGauge(gateway.metricsUrl, (value) => value >= opened, DRAIN_MS);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const gatewayRssAfterMb = rssOrNaN(gateway.pid);
  const gatewayHeapAfterMb = await heapUsedMb(gateway.metricsUrl);
  const ordersRssAfterMb = rssOrNaN(options.subgraphs.orders.pid);
  for (const subscriber of idle) subscriber.close();
  const activeAfterIdle = await waitForGauge(gateway.metricsUrl, (value) => value === 0, DRAIN_MS);
  const gatewayAlive = existsSync(`/proc/${gateway.pid}`);
  console.log(`subscriptions: subscriptions_active after closing them: ${activeAfterIdle}; ${gatewayAlive ? `opening ${options.subscribers} subscriptions...` : 'the gateway exited: no changes measured'}`);


  // Each order's subscribers, and each change by `${orderId}:${status}`.
  const perOrder = new Map<string, number>();
  const changes = new Map<string, Change>();
  const latencies: number[] = [];
  let subscriberErrors = 0;
  let delivered = 0;
  const onEvent = (orderId: string, data: string) => {
    const arrived = Date.now();
    const result = JSON.parse(data) as { data?: { orderUpdated?: { id: string; status: string; updatedAt: string } }; errors?: unknown[] };
    if (result.errors?.length || !result.data?.orderUpdated) {
      subscriberErrors++;
      return;
    }
    const order = result.data.orderUpdated;
    const change = changes.get(`${order.id}:${order.status}`);
    if (!change?.measured || order.id !== orderId) return;
    delivered++;
    latencies.push(arrived - Date.parse(order.updatedAt));
  };
  const active: Subscriber[] = [];
  await inBatches(gatewayAlive ? options.subscribers : 0, async (i) => {
    const orderId = orders[i % orders.length]!;
    perOrder.set(orderId, (perOrder.get(orderId) ?? 0) + 1);
    const subscriber = subscribe(gateway.url, options.adminToken, orderId, (data) => onEvent(orderId, data), () => subscriberErrors++);
    active.push(subscriber);
    await subscriber.opened.catch(() => undefined);
  });
  await waitForGauge(gateway.metricsUrl, (value) => value >= options.subscribers - subscriberErrors, DRAIN_MS);

  // The admin's changes, one every 1/rate s on a fixed schedule (not one after another: a slow answer does not slow the rate).
  if (gatewayAlive) console.log(`subscriptions: ${changesWanted} changes at ${options.changesPerSecond}/s (${options.warmupSeconds} s warm-up)...`);
  let changeErrors = 0;
  let expected = 0;
  let measuredChanges = 0;
  let before: Record<string, number> | undefined;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let j = 0; j < (gatewayAlive ? changesWanted : 0); j++) {
    const due = started + (j * 1000) / options.changesPerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const measured = j >= options.changesPerSecond * options.warmupSeconds;
    if (measured && !before) before = cpuNow(options);
    const orderId = orders[j % orders.length]!;
    const status = MOVES[Math.floor(j / orders.length)]!;
    changes.set(`${orderId}:${status}`, { measured });
    if (measured) {
      measuredChanges++;
      expected += perOrder.get(orderId) ?? 0;
    }
    pending.push(
      request(gateway.url, 'mutation ($id: ID!, $status: OrderStatus!) { updateOrderStatus(id: $id, status: $status) { id } }', { id: orderId, status }, options.adminToken).then(
        () => undefined,
        () => {
          changeErrors++;
          if (measured) expected -= perOrder.get(orderId) ?? 0;
        },
      ),
    );
  }
  await Promise.all(pending);
  const drainUntil = performance.now() + DRAIN_MS;
  while (delivered < expected && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 50));
  const after = cpuNow(options);
  before ??= after;
  const perEvent = (name: string) => (after[name]! - before[name]!) / Math.max(delivered, 1);
  for (const subscriber of active) subscriber.close();
  const activeAfterChanges = await waitForGauge(gateway.metricsUrl, (value) => value === 0, DRAIN_MS);
  console.log(`subscriptions: ${delivered}/${expected} events; subscriptions_active after closing: ${activeAfterChanges}`);

  return {
    subscribers: options.subscribers,
    orders: orderCount,
    changesPerSecond: options.changesPerSecond,
    changes: measuredChanges,
    expectedEvents: expected,
    deliveredEvents: delivered,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
    maxMs: percentile(latencies, 1),
    subscriberErrors,
    changeErrors,
    cpuMsPerEvent: {
      gateway: perEvent('gateway'),
      users: perEvent('users'),
      products: perEvent('products'),
      orders: perEvent('orders'),
      loadGenerator: perEvent('loadGenerator'),
    },
    idle: { subscribers: options.idleSubscribers, opened, errors: idleErrors, gatewayRssBeforeMb, gatewayRssAfterMb, gatewayHeapBeforeMb, gatewayHeapAfterMb, ordersRssBeforeMb, ordersRssAfterMb },
    activeAfterChanges,
    activeAfterIdle,
    exited: [gateway, ...SUBGRAPHS.map((name) => options.subgraphs[name])].filter((server) => !existsSync(`/proc/${server.pid}`)).map((server) => server.name),
  };
}

/** The gateway's V8 heap in use in MB, from its metrics (prom-client's nodejs_heap_size_used_bytes); NaN when unreadable. */
async function heapUsedMb(metricsUrl: string): Promise<number> {
  try {
    const bytes = gaugeValue(await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })).text(), 'nodejs_heap_size_used_bytes');
    return bytes === undefined ? Number.NaN : bytes / 2 ** 20;
  } catch {
    return Number.NaN;
  }
}

/** A process's RSS in MB; NaN once it has exited (reported as such, rather than ending the bench). */
function rssOrNaN(pid: number): number {
  try {
    return rssMb(pid);
  } catch {
    return Number.NaN;
  }
}

/** Every process's CPU ms so far: the gateway, each subgraph, and the load generator (this process). */
function cpuNow(options: SubscriptionOptions): Record<string, number> {
  const { user, system } = process.cpuUsage();
  const cpuOrNaN = (pid: number) => {
    try {
      return cpuMs(pid);
    } catch {
      return Number.NaN;
    }
  };
  return {
    gateway: cpuOrNaN(options.gateway.pid),
    ...Object.fromEntries(SUBGRAPHS.map((name) => [name, cpuOrNaN(options.subgraphs[name].pid)])),
    loadGenerator: (user + system) / 1000,
  };
}

/** alice places an order of one unit of `productId`; its id. */
async function placeOrder(url: string, token: string, productId: string): Promise<string> {
  const data = await request<{ createOrder: { id: string } }>(
    url,
    'mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id } }',
    { input: { items: [{ productId, quantity: 1 }], idempotencyKey: `bench-subscriptions-${Date.now()}-${Math.random().toString(36).slice(2)}` } },
    token,
  );
  return data.createOrder.id;
}

/**
 * One GraphQL over SSE subscription (a POST with `Accept: text/event-stream`), read with fetch's
 * streaming body: `onData` gets each `next` message's data; `onFailure` once, for a refusal, a
 * stream that ends before `close()`, or a network error. `opened` resolves with the response's
 * headers.
 */
function subscribe(url: string, token: string, orderId: string, onData: (data: string) => void, onFailure: () => void): Subscriber {
  const abort = new AbortController();
  let closed = false;
  let failed = false;
  const fail = () => {
    if (closed || failed) return;
    failed = true;
    onFailure();
  };
  const opened = (async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: ORDER_UPDATED, variables: { id: orderId } }),
      signal: abort.signal,
    });
    if (response.status !== 200 || !response.body) throw new Error(`HTTP ${response.status}`);
    return response.body;
  })();
  void opened
    .then(async (body) => {
      let buffer = '';
      const reader = body.pipeThrough(new TextDecoderStream()).getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        const { messages, rest } = sseMessages(buffer + read.value);
        buffer = rest;
        for (const message of messages) {
          if (message.event === 'next') onData(message.data);
          else if (message.event === 'complete') fail();
        }
      }
      fail();
    })
    .catch(fail);
  return {
    opened: opened.then(() => undefined),
    close: () => {
      closed = true;
      abort.abort();
    },
  };
}

/** Runs `open(i)` for i in 0..count-1, OPENING_AT_ONCE at a time. */
async function inBatches(count: number, open: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(OPENING_AT_ONCE, count) }, async () => {
      while (next < count) await open(next++);
    }),
  );
}

/** Reads `subscriptions_active` until `done(value)` or `timeoutMs` has passed; its last value (undefined if never read). */
async function waitForGauge(metricsUrl: string, done: (value: number) => boolean, timeoutMs: number): Promise<number | undefined> {
  const until = performance.now() + timeoutMs;
  let value: number | undefined;
  for (;;) {
    try {
      value = gaugeValue(await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })).text(), 'subscriptions_active');
    } catch {
      value = undefined;
    }
    if ((value !== undefined && done(value)) || performance.now() >= until) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
