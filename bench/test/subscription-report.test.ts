import { describe, expect, it } from 'vitest';
import { loadBenchConfig } from '../config.js';
import {
  formatSubscriptionReport,
  gaugeValue,
  idleMemory,
  missedSubscriptionTargets,
  percentile,
  sseMessages,
  verdict,
  type SubscriptionResult,
} from '../subscription-report.js';

const result = (fields: Partial<SubscriptionResult> = {}): SubscriptionResult => ({
  subscribers: 1000,
  orders: 100,
  changesPerSecond: 10,
  changes: 200,
  expectedEvents: 2000,
  deliveredEvents: 2000,
  p50Ms: 40,
  p95Ms: 120,
  p99Ms: 300,
  maxMs: 420,
  subscriberErrors: 0,
  changeErrors: 0,
  cpuMsPerEvent: { gateway: 1.5, users: 0.2, products: 0.1, orders: 0.4, loadGenerator: 0.05 },
  idle: { subscribers: 5000, opened: 5000, errors: 0, gatewayRssBeforeMb: 150, gatewayRssAfterMb: 270, gatewayHeapBeforeMb: 90, gatewayHeapAfterMb: 150, ordersRssBeforeMb: 120, ordersRssAfterMb: 180 },
  activeAfterChanges: 0,
  activeAfterIdle: 0,
  exited: [],
  ...fields,
});

describe('subscriptions report', () => {
  it('takes percentiles by nearest rank, whatever the order of the values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.95)).toBe(95);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile(values, 1)).toBe(100);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBe(0);
  });

  it('says a target met, or by how much it is missed, as the figure is printed', () => {
    expect(verdict(250.4, 250, ' ms')).toBe('≤ 250 ms: met');
    expect(verdict(262, 250, ' ms')).toBe('≤ 250 ms: gap +12 ms');
    expect(verdict(Number.NaN, 200, ' MB')).toBe('≤ 200 MB: not measured');
  });

  it('scales the idle memory to 5,000 subscriptions only when fewer were opened, and says so', () => {
    expect(idleMemory(result().idle)).toEqual({ addedMb: 120, kbEach: expect.closeTo(24.576, 6) as number, per5000Mb: 120, scaled: false });
    const fewer = idleMemory({ ...result().idle, subscribers: 1000, opened: 1000, gatewayRssAfterMb: 180 });
    expect(fewer.per5000Mb).toBe(150);
    expect(fewer.scaled).toBe(true);
  });

  it('prints the latency, CPU and memory tables with each target met or its gap', () => {
    const report = formatSubscriptionReport(result({ p99Ms: 530, idle: { ...result().idle, subscribers: 1000, opened: 1000, gatewayRssAfterMb: 200 } }));
    expect(report).toContain('| 1000        | 100    | 10        | 200     | 2000            | 2000      | 40     | 120    | 530');
    expect(report).toMatch(/p95 commit → arrival +\| ≤ 250 ms: met/);
    expect(report).toContain('≤ 500 ms: gap +30 ms');
    expect(report).toMatch(/5000 idle SSE subscriptions \(scaled from 1000\) \| ≤ 200 MB: gap \+50 MB/);
    expect(report).toContain('| 1.500   | 0.200 | 0.100    | 0.400  | 2.200       | 0.050');
    expect(report).toMatch(/subscriptions_active after the changes +\| 0: met/);
  });

  it('notes a run smaller than the targets are set for, and events that never arrived', () => {
    const report = formatSubscriptionReport(result({ subscribers: 300, deliveredEvents: 1990 }));
    expect(report).toContain('(targets set for 1000 subscribers; this run had 300)');
    expect(report).toContain('10 missing');
  });

  it('says the latency was not measured when no event arrived', () => {
    expect(formatSubscriptionReport(result({ deliveredEvents: 0, p95Ms: 0, p99Ms: 0 }))).toMatch(/p95 commit → arrival +\| ≤ 250 ms: not measured/);
  });

  it('fails the run for a server that exited, saying which', () => {
    expect(missedSubscriptionTargets(result({ exited: ['ours'] }))).toEqual(['ours exited during the scenario (its log: BENCH_KEEP_LOGS=1)']);
    expect(formatSubscriptionReport(result({ exited: ['ours'] }))).toMatch(/ours still running at the end +\| NO: it exited/);
  });

  it('fails the run only for a gauge not back to 0 (or not read)', () => {
    expect(missedSubscriptionTargets(result({ p99Ms: 900 }))).toEqual([]);
    expect(missedSubscriptionTargets(result({ activeAfterIdle: 3, activeAfterChanges: undefined }))).toEqual([
      'subscriptions_active after the changes: not read, not 0',
      'subscriptions_active after the idle subscriptions: 3, not 0',
    ]);
  });

  it('splits a GraphQL over SSE body into messages, keeping a partial one for the next chunk', () => {
    const { messages, rest } = sseMessages(':\n\nid: 7\nevent: next\ndata: {"data":1}\n\nevent: complete\ndata:\n\nevent: ne');
    expect(messages).toEqual([
      { event: 'next', data: '{"data":1}' },
      { event: 'complete', data: '' },
    ]);
    expect(rest).toBe('event: ne');
    expect(sseMessages('event: next\r\ndata: {}\r\n\r\n').messages).toEqual([{ event: 'next', data: '{}' }]);
  });

  it('reads a gauge from the Prometheus text, summed over its labels', () => {
    const text = '# HELP subscriptions_active Subscriptions open now\n# TYPE subscriptions_active gauge\nsubscriptions_active 3\nsubscriptions_active_other 9\n';
    expect(gaugeValue(text, 'subscriptions_active')).toBe(3);
    expect(gaugeValue('subscriptions_active{transport="sse"} 2\nsubscriptions_active{transport="ws"} 1\n', 'subscriptions_active')).toBe(3);
    expect(gaugeValue('other 1\n', 'subscriptions_active')).toBeUndefined();
  });

  it("takes the scenario's sizes and rate from flags or the environment", () => {
    expect(loadBenchConfig([], {})).toMatchObject({ subscribers: 1000, idleSubscribers: 5000, changesPerSecond: 10 });
    expect(loadBenchConfig(['--subscribers', '300', '--idle-subscribers', '1000'], { BENCH_CHANGE_RATE: '5' })).toMatchObject({ subscribers: 300, idleSubscribers: 1000, changesPerSecond: 5 });
  });
});
