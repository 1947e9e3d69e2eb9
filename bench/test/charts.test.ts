import { describe, expect, it } from 'vitest';
import { renderCharts, runLabel, slug, type BenchResults } from '../charts.js';
import type { Row } from '../report.js';
import { benchRow } from './rows.js';

const row = (scenario: string, target: Row['target'], requestsPerSecond: number, traffic: Row['traffic'] = 'distinct', databaseCpuMsPerRequest?: number): Row =>
  benchRow({
    scenario,
    traffic,
    target,
    requestsPerSecond,
    responses: requestsPerSecond * 20,
    cpuMsPerRequest: 1000 / requestsPerSecond,
    subgraphCpuMsPerRequest: { users: 0.25, products: 0.5, orders: 0.75 },
    ...(databaseCpuMsPerRequest === undefined ? {} : { databaseCpuMsPerRequest }),
  });

const results: BenchResults = {
  config: { connections: 50, durationSeconds: 20 },
  rows: [row('canonical-distinct', 'ours', 400), row('canonical-distinct', 'stock', 250), row('canonical-distinct', 'hive', 100), row('canonical', 'ours', 2000, 'identical'), row('canonical', 'stock', 500, 'identical')],
};

const chart = (all: ReturnType<typeof renderCharts>, file: string) => {
  const found = all.find((each) => each.file === file);
  if (!found) throw new Error(`no ${file} among ${all.map((each) => each.file).join(', ')}`);
  return found.svg;
};
/** Each bar's drawn width, by the target named in its tooltip. */
const barWidths = (svg: string) =>
  new Map([...svg.matchAll(/<rect class="bar" [^>]*width="([\d.]+)"[^>]*><title>([^,]+), ([^:]+):/g)].map((match) => [`${match[2]}/${match[3]}`, Number(match[1])]));

describe('bench charts', () => {
  it('draws requests per second for every scenario and CPU by process for the distinct ones only', () => {
    expect(renderCharts(results, '2026-12-07 14:41 UTC').map((each) => each.file)).toEqual([
      'requests-canonical-distinct.svg',
      'requests-canonical.svg',
      'cpu-canonical-distinct.svg',
    ]);
  });

  it('has a bar per target with its value written beside it, the largest spanning the plot and the others to scale', () => {
    const svg = chart(renderCharts(results, 'a run'), 'requests-canonical-distinct.svg');
    const widths = barWidths(svg);
    expect([...widths.keys()]).toEqual(['ours/requests per second', 'stock/requests per second', 'hive/requests per second']);
    for (const value of ['400 req/s', '250 req/s', '100 req/s']) expect(svg).toContain(`>${value}</text>`);
    const ours = widths.get('ours/requests per second')!;
    expect(widths.get('stock/requests per second')! / ours).toBeCloseTo(250 / 400, 2);
    expect(widths.get('hive/requests per second')! / ours).toBeCloseTo(100 / 400, 2);
    // Scaled to the largest value: twice the figures (as wide when written) draw the same bars.
    const twice = { rows: results.rows.map((each) => ({ ...each, requestsPerSecond: each.requestsPerSecond * 2 })) };
    expect(barWidths(chart(renderCharts(twice, 'a run'), 'requests-canonical-distinct.svg'))).toEqual(widths);
  });

  it('stacks each process\'s CPU per request in a bar per target, with every value and the total, PostgreSQL only where measured', () => {
    const svg = chart(renderCharts(results, 'a run'), 'cpu-canonical-distinct.svg');
    const widths = barWidths(svg);
    // ours: gateway 2.50, users 0.25, products 0.50, orders 0.75, load generator 0.05 = 4.05 ms.
    expect(widths.get('ours/users')! * 2).toBeCloseTo(widths.get('ours/products')!, 0);
    expect(widths.get('hive/gateway')! / widths.get('ours/gateway')!).toBeCloseTo(10 / 2.5, 2);
    for (const total of ['4.05 ms', '5.55 ms', '11.55 ms']) expect(svg).toContain(`>${total}</text>`);
    expect(svg).toContain('ours: gateway 2.50, users 0.25, products 0.50, orders 0.75, load generator 0.05; total 4.05 ms');
    expect(svg).not.toContain('PostgreSQL');
    const onPostgres = { rows: [row('canonical-distinct', 'ours', 400, 'distinct', 0.3)] };
    expect(chart(renderCharts(onPostgres, 'a run'), 'cpu-canonical-distinct.svg')).toContain('ours: gateway 2.50, users 0.25, products 0.50, orders 0.75, PostgreSQL 0.30, load generator 0.05; total 4.35 ms');
  });

  it('is an accessible image: a title and a description naming every value', () => {
    const svg = chart(renderCharts(results, '2026-12-07 14:41 UTC'), 'requests-canonical.svg');
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="requests-canonical-title requests-canonical-desc">/);
    expect(svg).toContain('<title id="requests-canonical-title">canonical: requests per second by target</title>');
    expect(svg).toContain('<desc id="requests-canonical-desc">Run of 2026-12-07 14:41 UTC, 50 connections, 20 s; higher is better. ours 2000 req/s. stock 500 req/s.</desc>');
  });

  it('escapes names, so no scenario or target can break the markup', () => {
    const hostile = { rows: [row('a<b> & "c" \'d\'', '<ours>' as Row['target'], 10)] };
    for (const { svg } of renderCharts(hostile, 'run <1>')) {
      expect(svg).not.toMatch(/<b>|<ours>|<1>|& "/);
      expect(svg).toContain('a&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;');
      expect(svg).toContain('&lt;ours&gt;');
    }
    expect(slug('first-minute 0–5 s')).toBe('first-minute-0-5-s');
  });

  it('is deterministic: the same run draws the same bytes', () => {
    expect(renderCharts(structuredClone(results), 'a run')).toEqual(renderCharts(results, 'a run'));
    expect(runLabel('/x/bench/results/2026-12-07T14-41-15.595Z.json')).toBe('2026-12-07 14:41 UTC');
  });
});
