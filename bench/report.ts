import type { LoadResult } from './load.js';
import type { Target } from './scenarios.js';

/** One scenario against one target, with what the addressed server spent on it. */
export interface Row extends LoadResult {
  scenario: string;
  target: Target;
  /** CPU time (user + system) of the addressed server (the gateway; the subgraph for "direct") per response. */
  cpuMsPerRequest: number;
  /** Peak RSS of the addressed server during the scenario, in MB. */
  peakRssMb: number;
}

/** A target that could not be measured (it failed its first request), said instead of a number. */
export interface Skipped {
  scenario: string;
  target: Target;
  reason: string;
}

export interface Ratio {
  scenario: string;
  name: 'ours ÷ stock' | 'ours ÷ hive' | 'via gateway ÷ direct' | 'cached ÷ uncached';
  /** Requests per second of the first over the second. */
  value: number;
}

const PAIRS: [Ratio['name'], Target, Target][] = [
  ['ours ÷ stock', 'ours', 'stock'],
  ['ours ÷ hive', 'ours', 'hive'],
  ['via gateway ÷ direct', 'ours', 'direct'],
  ['cached ÷ uncached', 'ours-cached', 'ours'],
];

/** Throughput ratios between targets measured in the same run (the only figures that travel). */
export function ratios(rows: Row[]): Ratio[] {
  const out: Ratio[] = [];
  for (const scenario of [...new Set(rows.map((row) => row.scenario))]) {
    const rps = (target: Target) => rows.find((row) => row.scenario === scenario && row.target === target)?.requestsPerSecond;
    for (const [name, a, b] of PAIRS) {
      const top = rps(a);
      const bottom = rps(b);
      if (top !== undefined && bottom !== undefined && bottom > 0) out.push({ scenario, name, value: top / bottom });
    }
  }
  return out;
}

const HEADER = ['scenario', 'target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'gql errors', 'CPU ms/req', 'peak RSS MB'];

/** The rows as a Markdown table (readable in a terminal, pasteable into the README). */
export function formatTable(rows: Row[], skipped: Skipped[] = []): string {
  const body = rows.map((row) => [
    row.scenario,
    row.target,
    row.requestsPerSecond.toFixed(0),
    String(row.p50Ms),
    String(row.p99Ms),
    String(row.errors),
    String(row.non2xx),
    String(row.graphqlErrors),
    row.cpuMsPerRequest.toFixed(2),
    row.peakRssMb.toFixed(0),
  ]);
  for (const skip of skipped) body.push([skip.scenario, skip.target, `not measured: ${skip.reason}`, '', '', '', '', '', '', '']);
  return markdown([HEADER, ...body]);
}

export function formatRatios(list: Ratio[]): string {
  return markdown([['scenario', 'ratio (req/s)', 'value'], ...list.map((ratio) => [ratio.scenario, ratio.name, `${ratio.value.toFixed(2)}×`])]);
}

function markdown(table: string[][]): string {
  const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(table[0]!), line(widths.map((width) => '-'.repeat(width))), ...table.slice(1).map(line)].join('\n');
}
