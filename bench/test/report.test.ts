import { describe, expect, it } from 'vitest';
import {
  AUTHORIZATION_CPU_TARGET,
  formatCpuTable,
  formatExports,
  formatRatios,
  formatReport,
  formatTable,
  inRound,
  missingExports,
  processCpu,
  ratios,
  roundMedians,
  targetVerdict,
  type Row,
} from '../report.js';
import { benchRow } from './rows.js';

const row = (scenario: string, target: Row['target'], requestsPerSecond: number, cpuMsPerRequest = 1.234, traffic: Row['traffic'] = 'identical'): Row =>
  benchRow({ scenario, traffic, target, requestsPerSecond, cpuMsPerRequest, peakRssMb: 150.4 });

const exported = { exports: 12, bytes: 300_000, spans: 6000, collectorCpuMsPerRequest: 0.0123 };

describe('bench report', () => {
  it('gives each ratio only where both sides were measured in the scenario, with CPU only between gateways', () => {
    const rows = [
      row('page', 'ours', 300, 0.5),
      row('page', 'stock', 100, 2),
      row('page', 'direct', 600, 1),
      row('one', 'ours', 50),
      row('one', 'hive', 100),
    ];
    expect(ratios(rows)).toEqual([
      { scenario: 'page', name: 'ours ÷ stock', value: 3, cpuPerRequest: 0.25, ceiling: expect.closeTo(2.65 / 0.65, 10) as number },
      { scenario: 'page', name: 'via gateway ÷ direct', value: 0.5 },
      { scenario: 'one', name: 'ours ÷ hive', value: 0.5, cpuPerRequest: 1, ceiling: expect.closeTo(1.884 / 0.65, 10) as number },
    ]);
  });

  it("bounds ours ÷ another by the other's whole run over ours without its gateway, the database server's CPU included", () => {
    // Each row: subgraphs 0.6 and the load generator 0.05 ms per request; the database 0.4 where measured.
    const onPostgres = [{ ...row('canonical', 'ours', 900, 0.7), databaseCpuMsPerRequest: 0.4 }, { ...row('canonical', 'stock', 500, 1.1), databaseCpuMsPerRequest: 0.4 }];
    const [ratio] = ratios(onPostgres);
    expect(ratio!.ceiling).toBeCloseTo((1.1 + 0.6 + 0.4 + 0.05) / (0.6 + 0.4 + 0.05), 10);
    expect(formatRatios([ratio!]).split('\n')[2]).toContain('| ≤ 2.05× ');
    // Tracing's cost and the cache's are ours against ours: no bound.
    expect(ratios([row('canonical', 'ours', 900), row('canonical', 'ours-traced', 800)])[0]).not.toHaveProperty('ceiling');
  });

  it('gives the cost of tracing as traced ÷ untraced, in throughput and in CPU per request', () => {
    const rows = [row('canonical', 'ours', 1000, 0.5), row('canonical', 'ours-traced', 800, 0.75), row('canonical', 'ours-traced-10', 950, 0.55)];
    const tracing = ratios(rows).filter((ratio) => ratio.name.startsWith('ours-traced'));
    expect(tracing).toEqual([
      { scenario: 'canonical', name: 'ours-traced ÷ ours', value: 0.8, cpuPerRequest: 1.5 },
      { scenario: 'canonical', name: 'ours-traced-10 ÷ ours', value: 0.95, cpuPerRequest: expect.closeTo(1.1, 10) as number },
    ]);
    const table = formatRatios(tracing).split('\n');
    expect(table[0]).toMatch(/\| ratio +\| req\/s +\| CPU ms\/req \|/);
    expect(table[2]).toContain('| 0.80× ');
    expect(table[2]).toContain('| 1.50× ');
  });

  it('names each traced row whose spans did not reach the collector, and no other', () => {
    const rows = [
      { ...row('canonical', 'ours-traced', 800), exported },
      { ...row('canonical', 'ours-traced-10', 950), exported: { ...exported, spans: 0 } },
      row('page', 'ours-traced', 800),
      row('canonical', 'ours', 1000),
    ];
    expect(missingExports(rows)).toEqual([
      'canonical / ours-traced-10: no spans reached the collector during the run',
      'page / ours-traced: no spans reached the collector during the run',
    ]);
  });

  it('tabulates what the traced rows exported per response', () => {
    const lines = formatExports([{ ...row('canonical', 'ours-traced', 100), exported }, row('canonical', 'ours', 100)]).split('\n');
    expect(lines).toHaveLength(3);
    // 1000 responses: 6 spans and 300 bytes each.
    expect(lines[2]!.split('|').map((cell) => cell.trim())).toEqual(['', 'canonical', 'ours-traced', '12', '6000', '6.00', '300', '0.012', '']);
  });

  it('formats aligned Markdown tables, naming what was not measured', () => {
    const table = formatTable([row('page', 'ours', 300)], [{ scenario: 'page', target: 'hive', reason: 'boom' }]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
    expect(lines[2]).toContain('| 300 ');
    expect(lines[2]).toContain('| 1.23 ');
    expect(lines[3]).toContain('not measured: boom');
    expect(formatRatios([{ scenario: 'page', name: 'ours ÷ stock', value: 3 }])).toContain('3.00×');
  });

  it('gives ours ÷ hive-rust beside ours ÷ hive', () => {
    const names = ratios([row('one', 'ours', 200, 2), row('one', 'hive', 100, 4), row('one', 'hive-rust', 160, 2.5)]).map((ratio) => [ratio.name, ratio.value, ratio.cpuPerRequest]);
    expect(names).toEqual([
      ['ours ÷ hive', 2, 0.5],
      ['ours ÷ hive-rust', 1.25, 0.8],
    ]);
  });

  it('gives every process its CPU per request, the gateway none for "direct" (products is the addressed server)', () => {
    expect(processCpu(row('page', 'ours', 100, 0.5))).toEqual({ gateway: 0.5, users: 0.1, products: 0.2, orders: 0.3, servers: expect.closeTo(1.1, 10) as number });
    expect(processCpu({ ...row('page', 'direct', 100, 0.2) })).toMatchObject({ gateway: undefined, products: 0.2, servers: expect.closeTo(0.6, 10) as number });
    const lines = formatCpuTable([row('page', 'ours', 100, 0.5), row('page', 'direct', 100, 0.2)]).split('\n');
    expect(lines[0]!.split('|').map((cell) => cell.trim())).toEqual(['', 'scenario', 'target', 'gateway', 'users', 'products', 'orders', 'PostgreSQL', 'all servers', 'load generator', '']);
    expect(lines[2]!.split('|').map((cell) => cell.trim())).toEqual(['', 'page', 'ours', '0.50', '0.10', '0.20', '0.30', '–', '1.10', '0.05', '']);
    expect(lines[3]!.split('|').map((cell) => cell.trim())).toEqual(['', 'page', 'direct', '–', '0.10', '0.20', '0.30', '–', '0.60', '0.05', '']);
  });

  it("counts the PostgreSQL server's CPU among the servers where it was measured", () => {
    const onPostgres = { ...row('page', 'ours', 100, 0.5), databaseCpuMsPerRequest: 0.25 };
    expect(processCpu(onPostgres)).toMatchObject({ database: 0.25, servers: expect.closeTo(1.35, 10) as number });
    const line = formatCpuTable([onPostgres]).split('\n')[2]!;
    expect(line.split('|').map((cell) => cell.trim())).toEqual(['', 'page', 'ours', '0.50', '0.10', '0.20', '0.30', '0.25', '1.35', '0.05', '']);
  });

  it('reports distinct traffic first and identical traffic apart, each labelled, with its own CPU table and ratios', () => {
    const report = formatReport(
      [row('canonical', 'ours', 1000, 0.5), row('canonical', 'stock', 200, 2), row('canonical-distinct', 'ours', 200, 2.8, 'distinct'), row('canonical-distinct', 'stock', 120, 3.5, 'distinct')],
      [{ scenario: 'canonical-distinct', traffic: 'distinct', target: 'hive', reason: 'boom' }],
    );
    const distinct = report.indexOf('## Distinct traffic');
    const identical = report.indexOf('## Identical traffic');
    expect(distinct).toBe(0);
    expect(identical).toBeGreaterThan(distinct);
    expect(report.slice(identical)).toMatch(/deduplication/);
    const [first, second] = [report.slice(0, identical), report.slice(identical)];
    expect(first).toContain('| canonical-distinct | ours ');
    expect(first).toContain('not measured: boom');
    expect(first).not.toMatch(/\| canonical +\|/);
    expect(first).toContain('| canonical-distinct | ours ÷ stock | 1.67× ');
    expect(second).toMatch(/\| canonical +\| ours ÷ stock \| 5.00× /);
    expect(second).not.toContain('canonical-distinct');
    expect(first.match(/by process/g)).toHaveLength(1);
    expect(second.match(/by process/g)).toHaveLength(1);
    expect(formatReport([row('canonical', 'ours', 1000)])).toMatch(/^## Identical traffic/);
  });

  it('reports the first minute after a start last and apart, with each run\'s slowest request', () => {
    const report = formatReport([
      { ...row('first-minute 0–5 s', 'ours', 300, 1.5, 'first-minute'), startMs: 1840 },
      { ...row('first-minute 5–60 s', 'ours', 500, 1, 'first-minute'), maxMs: 180, startMs: 1840 },
      row('canonical-distinct', 'ours', 200, 2.8, 'distinct'),
    ]);
    const firstMinute = report.indexOf('## First minute after a start');
    expect(firstMinute).toBeGreaterThan(report.indexOf('## Distinct traffic'));
    const lines = report.slice(firstMinute).split('\n').filter((line) => line.startsWith('|'));
    expect(lines[0]!.split('|').map((cell) => cell.trim())).toContain('max ms');
    expect(lines[3]!.split('|').map((cell) => cell.trim()).slice(1, 7)).toEqual(['first-minute 5–60 s', 'ours', '500', '5', '20', '180']);
    expect(report.slice(firstMinute)).toContain('From start to first answer: ours 1.8 s');
    expect(report.slice(0, firstMinute)).not.toContain('From start');
  });

  it("gives authorization's cost as ours (the directives enforced) ÷ ours-no-authz, its CPU ratio against the target of 1.05×", () => {
    expect(AUTHORIZATION_CPU_TARGET).toBe(1.05);
    const [cost] = ratios([row('canonical-distinct', 'ours', 400, 1.03, 'distinct'), row('canonical-distinct', 'ours-no-authz', 410, 1, 'distinct')]);
    expect(cost).toEqual({ scenario: 'canonical-distinct', name: 'ours ÷ ours-no-authz', value: expect.closeTo(400 / 410, 10) as number, cpuPerRequest: expect.closeTo(1.03, 10) as number, cpuTarget: 1.05 });
    const table = formatRatios([cost!]).split('\n');
    expect(table[0]!.split('|').map((cell) => cell.trim())).toEqual(['', 'scenario', 'ratio', 'req/s', 'CPU ms/req', 'if our gateway cost nothing', 'target (CPU ms/req)', '']);
    expect(table[2]!.split('|').map((cell) => cell.trim())).toEqual(['', 'canonical-distinct', 'ours ÷ ours-no-authz', '0.98×', '1.03×', '', '≤ 1.05×: met', '']);
    // Tables of ratios without a target keep their columns.
    expect(formatRatios([{ scenario: 'page', name: 'ours ÷ stock', value: 3 }]).split('\n')[0]).not.toContain('target');
  });

  it('says a CPU ratio met its target as printed, else by how much it missed it', () => {
    const verdict = (cpuPerRequest: number | undefined) =>
      targetVerdict({ scenario: 'canonical-distinct', name: 'ours ÷ ours-no-authz', value: 1, ...(cpuPerRequest === undefined ? {} : { cpuPerRequest }), cpuTarget: 1.05 });
    expect(verdict(0.97)).toBe('≤ 1.05×: met');
    expect(verdict(1.0549)).toBe('≤ 1.05×: met');
    expect(verdict(1.081)).toBe('≤ 1.05×: gap +0.03×');
    expect(verdict(undefined)).toBe('≤ 1.05×: not measured');
    expect(targetVerdict({ scenario: 'page', name: 'ours ÷ stock', value: 3, cpuPerRequest: 2 })).toBe('');
  });

  it('labels the rows of a run in rounds by round, and gives each ratio per round and its median over the rounds', () => {
    expect(inRound('canonical-distinct', 2, 1)).toBe('canonical-distinct');
    const cpu = [
      [1.02, 1],
      [1.2, 1.08],
      [0.99, 1],
    ];
    const rows = cpu.flatMap(([withDirectives, without], i) => [
      row(inRound('canonical-distinct', i + 1, 3), 'ours', 400 + i, withDirectives, 'distinct'),
      row(inRound('canonical-distinct', i + 1, 3), 'ours-no-authz', 400, without, 'distinct'),
    ]);
    expect(rows.map((each) => each.scenario)).toEqual(['canonical-distinct #1', 'canonical-distinct #1', 'canonical-distinct #2', 'canonical-distinct #2', 'canonical-distinct #3', 'canonical-distinct #3']);
    const perRound = ratios(rows);
    expect(perRound.map((ratio) => ratio.cpuPerRequest?.toFixed(3))).toEqual(['1.020', '1.111', '0.990']);
    expect(roundMedians(perRound)).toEqual([
      { scenario: 'canonical-distinct (median of 3 rounds)', name: 'ours ÷ ours-no-authz', value: expect.closeTo(401 / 400, 10) as number, cpuPerRequest: expect.closeTo(1.02, 10) as number, cpuTarget: 1.05 },
    ]);
    // A single round has no median to give.
    expect(roundMedians(ratios([row('canonical-distinct', 'ours', 400, 1.02), row('canonical-distinct', 'ours-no-authz', 400, 1)]))).toEqual([]);
    const report = formatReport(rows);
    expect(report).toMatch(/\| canonical-distinct #2 +\| ours ÷ ours-no-authz \| 1\.00× +\| 1\.11× .*\| ≤ 1\.05×: gap \+0\.06× \|/);
    expect(report.slice(report.indexOf('median over the rounds'))).toMatch(/\| canonical-distinct \(median of 3 rounds\) \| ours ÷ ours-no-authz \| 1\.00× +\| 1\.02× .*\| ≤ 1\.05×: met +\|/);
  });
});
