import type { SubgraphName } from './seed.js';
import { markdown } from './report.js';

/**
 * Issue 31's targets for the `subscriptions` scenario: commit-to-arrival p95 and p99 at 1,000
 * subscribers, the memory 5,000 idle SSE subscriptions add to the gateway, and the
 * active-subscriptions gauge back to 0 after every run.
 */
export const SUBSCRIPTION_TARGETS = { p95Ms: 250, p99Ms: 500, idleMb: 200, idleSubscribers: 5_000, subscribers: 1_000 } as const;

/** What one run of the `subscriptions` scenario measured (written to the results JSON as is). */
export interface SubscriptionResult {
  /** Subscribers open during the changes, each on one order's `orderUpdated`. */
  subscribers: number;
  /** Orders the subscribers are spread over (so each change reaches subscribers ÷ orders of them). */
  orders: number;
  /** Status changes per second the admin made, and how many were made (measured ones, after the warm-up). */
  changesPerSecond: number;
  changes: number;
  /** Events that should have arrived for the measured changes, and those that did. */
  expectedEvents: number;
  deliveredEvents: number;
  /** Milliseconds from each delivered event's commit (the order's `updatedAt`) to its arrival, sorted or not. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Subscribers that failed (refused, cut off, an event with errors) and admin changes that failed. */
  subscriberErrors: number;
  changeErrors: number;
  /** CPU ms per delivered event of each process over the measured changes. */
  cpuMsPerEvent: { gateway: number } & Record<SubgraphName, number> & { loadGenerator: number };
  /** The gateway's RSS in MB before and after opening the idle subscriptions, and how many opened. */
  idle: { subscribers: number; opened: number; errors: number; gatewayRssBeforeMb: number; gatewayRssAfterMb: number; gatewayHeapBeforeMb: number; gatewayHeapAfterMb: number; ordersRssBeforeMb: number; ordersRssAfterMb: number };
  /** `subscriptions_active` once every subscriber had closed: after the changes, and after the idle subscriptions. */
  activeAfterChanges: number | undefined;
  activeAfterIdle: number | undefined;
  /** Servers (gateway, subgraphs) no longer running at the scenario's end: a crash, its figures cut short. */
  exited: string[];
}

/** The `quantile` (0–1) of `values` by the nearest rank (the smallest value with that share of values at or below it); 0 for none. */
export function percentile(values: readonly number[], quantile: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1))]!;
}

/** `≤ 250: met` or `≤ 250: gap +12` (how far over); `not measured` for nothing to compare. */
export function verdict(value: number | undefined, target: number, unit = ''): string {
  const bound = `≤ ${target}${unit}`;
  if (value === undefined || Number.isNaN(value)) return `${bound}: not measured`;
  const shown = Math.round(value);
  return shown <= target ? `${bound}: met` : `${bound}: gap +${shown - target}${unit}`;
}

/**
 * The idle subscriptions' memory as the target has it (MB for 5,000): the RSS they added, scaled
 * from the number opened when a run opened fewer (said as such, since memory need not scale
 * linearly).
 */
export function idleMemory(idle: SubscriptionResult['idle']): { addedMb: number; kbEach: number; per5000Mb: number; scaled: boolean } {
  const addedMb = idle.gatewayRssAfterMb - idle.gatewayRssBeforeMb;
  const kbEach = idle.opened ? (addedMb * 1024) / idle.opened : Number.NaN;
  const per5000Mb = idle.opened ? (addedMb * SUBSCRIPTION_TARGETS.idleSubscribers) / idle.opened : Number.NaN;
  return { addedMb, kbEach, per5000Mb, scaled: idle.opened !== SUBSCRIPTION_TARGETS.idleSubscribers };
}

const gauge = (value: number | undefined) => (value === undefined ? 'not read' : value === 0 ? '0: met' : `${value}: NOT back to 0`);

/** The scenario's report: latency against the targets, CPU per event by process, the idle memory, the gauge. */
export function formatSubscriptionReport(result: SubscriptionResult): string {
  const memory = idleMemory(result.idle);
  const atFull = result.subscribers >= SUBSCRIPTION_TARGETS.subscribers;
  const latencyNote = atFull ? '' : ` (targets set for ${SUBSCRIPTION_TARGETS.subscribers} subscribers; this run had ${result.subscribers})`;
  const latency = markdown([
    ['subscribers', 'orders', 'changes/s', 'changes', 'events expected', 'delivered', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'subscriber errors', 'change errors'],
    [
      String(result.subscribers),
      String(result.orders),
      String(result.changesPerSecond),
      String(result.changes),
      String(result.expectedEvents),
      String(result.deliveredEvents),
      String(Math.round(result.p50Ms)),
      String(Math.round(result.p95Ms)),
      String(Math.round(result.p99Ms)),
      String(Math.round(result.maxMs)),
      String(result.subscriberErrors),
      String(result.changeErrors),
    ],
  ]);
  const cpu = result.cpuMsPerEvent;
  const cpuTable = markdown([
    ['gateway', 'users', 'products', 'orders', 'all servers', 'load generator'],
    [cpu.gateway, cpu.users, cpu.products, cpu.orders, cpu.gateway + cpu.users + cpu.products + cpu.orders, cpu.loadGenerator].map((value) => value.toFixed(3)),
  ]);
  const idle = result.idle;
  const memoryTable = markdown([
    ['idle subscriptions', 'opened', 'errors', 'gateway RSS before MB', 'after MB', 'added MB', 'KB each', 'for 5,000 MB', 'gateway heap before MB', 'after MB', 'orders RSS before MB', 'after MB'],
    [
      String(idle.subscribers),
      String(idle.opened),
      String(idle.errors),
      idle.gatewayRssBeforeMb.toFixed(0),
      idle.gatewayRssAfterMb.toFixed(0),
      memory.addedMb.toFixed(0),
      memory.kbEach.toFixed(1),
      `${memory.per5000Mb.toFixed(0)}${memory.scaled ? ' (scaled)' : ''}`,
      idle.gatewayHeapBeforeMb.toFixed(0),
      idle.gatewayHeapAfterMb.toFixed(0),
      idle.ordersRssBeforeMb.toFixed(0),
      idle.ordersRssAfterMb.toFixed(0),
    ],
  ]);
  const targets = markdown([
    ['target', 'verdict'],
    // No event delivered is no latency measured, never a latency of 0.
    [`p95 commit → arrival${latencyNote}`, verdict(result.deliveredEvents ? result.p95Ms : undefined, SUBSCRIPTION_TARGETS.p95Ms, ' ms')],
    [`p99 commit → arrival${latencyNote}`, verdict(result.deliveredEvents ? result.p99Ms : undefined, SUBSCRIPTION_TARGETS.p99Ms, ' ms')],
    [`gateway RSS added by ${SUBSCRIPTION_TARGETS.idleSubscribers} idle SSE subscriptions${memory.scaled ? ` (scaled from ${idle.opened})` : ''}`, verdict(memory.per5000Mb, SUBSCRIPTION_TARGETS.idleMb, ' MB')],
    ['every event expected arrived', result.deliveredEvents >= result.expectedEvents ? 'met' : `${result.expectedEvents - result.deliveredEvents} missing`],
    ['subscriptions_active after the changes', gauge(result.activeAfterChanges)],
    ['subscriptions_active after the idle subscriptions', gauge(result.activeAfterIdle)],
    ...result.exited.map((name) => [`${name} still running at the end`, 'NO: it exited']),
  ]);
  return [
    '## Subscriptions: commit → arrival over GraphQL over SSE through our gateway',
    latency,
    `CPU ms per delivered event, by process:\n\n${cpuTable}`,
    `Memory of idle SSE subscriptions:\n\n${memoryTable}`,
    targets,
  ].join('\n\n');
}

/** The targets the run missed, one line each (empty when all are met): what makes the bench exit 1. */
export function missedSubscriptionTargets(result: SubscriptionResult): string[] {
  const missed: string[] = result.exited.map((name) => `${name} exited during the scenario (its log: BENCH_KEEP_LOGS=1)`);
  if (result.activeAfterChanges !== 0) missed.push(`subscriptions_active after the changes: ${result.activeAfterChanges ?? 'not read'}, not 0`);
  if (result.activeAfterIdle !== 0) missed.push(`subscriptions_active after the idle subscriptions: ${result.activeAfterIdle ?? 'not read'}, not 0`);
  return missed;
}

/**
 * Splits a GraphQL over SSE body read so far into its complete messages (`event` and `data`, a
 * comment or heartbeat giving none) and what is left for the next chunk.
 */
export function sseMessages(buffer: string): { messages: { event: string; data: string }[]; rest: string } {
  const normalized = buffer.replaceAll('\r\n', '\n');
  const blocks = normalized.split('\n\n');
  const rest = blocks.pop()!;
  const messages: { event: string; data: string }[] = [];
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length || event !== 'message') messages.push({ event, data: data.join('\n') });
  }
  return { messages, rest };
}

/** The value of a Prometheus gauge in a text exposition, summed over its label sets; undefined when absent. */
export function gaugeValue(exposition: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of exposition.split('\n')) {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)`).exec(line);
    if (match) total = (total ?? 0) + Number(match[1]);
  }
  return total;
}
