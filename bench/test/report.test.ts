import { describe, expect, it } from 'vitest';
import { formatRatios, formatTable, ratios, type Row } from '../report.js';

const row = (scenario: string, target: Row['target'], requestsPerSecond: number): Row => ({
  scenario,
  target,
  requestsPerSecond,
  responses: requestsPerSecond * 10,
  p50Ms: 5,
  p99Ms: 20,
  errors: 0,
  non2xx: 0,
  graphqlErrors: 0,
  cpuMsPerRequest: 1.234,
  peakRssMb: 150.4,
});

describe('bench report', () => {
  it('gives each ratio only where both sides were measured in the scenario', () => {
    const rows = [row('page', 'ours', 300), row('page', 'stock', 100), row('page', 'direct', 600), row('one', 'ours', 50), row('one', 'hive', 100)];
    expect(ratios(rows)).toEqual([
      { scenario: 'page', name: 'ours ÷ stock', value: 3 },
      { scenario: 'page', name: 'via gateway ÷ direct', value: 0.5 },
      { scenario: 'one', name: 'ours ÷ hive', value: 0.5 },
    ]);
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
});
