/**
 * The bench's figures as SVG charts for the docs site, drawn from a results file
 * (bench/results/<time>.json), never by hand: requests per second by target for every scenario,
 * and for each distinct-traffic scenario where a request's CPU goes, by process. `npm run bench`
 * writes them to docs/performance/charts/ at the end of its run; `npm run bench:charts [--
 * <results.json>]` redraws them from the given file, or the newest one.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { processCpu, type Row } from './report.js';

/** What the charts need of a results file: its rows, and the load they were measured under. */
export interface BenchResults {
  rows: Row[];
  config?: { connections?: number; durationSeconds?: number };
}

export interface Chart {
  /** File name under docs/performance/charts/. */
  file: string;
  svg: string;
}

export const CHARTS_DIR = new URL('../docs/performance/charts/', import.meta.url);
const RESULTS_DIR = new URL('./results/', import.meta.url);

/**
 * Every chart of a run, named after its scenario (`requests-<scenario>.svg`, `cpu-<scenario>.svg`).
 * Pure and deterministic: the same results and run label give the same bytes, so a redraw of an
 * unchanged run changes no committed file.
 */
export function renderCharts(results: BenchResults, run: string): Chart[] {
  const load = results.config?.connections && results.config.durationSeconds ? `, ${results.config.connections} connections, ${results.config.durationSeconds} s` : '';
  const scenarios = [...new Set(results.rows.map((row) => row.scenario))];
  const charts: Chart[] = [];
  for (const scenario of scenarios) {
    const rows = results.rows.filter((row) => row.scenario === scenario);
    charts.push({
      file: `requests-${slug(scenario)}.svg`,
      svg: barChart({
        id: `requests-${slug(scenario)}`,
        title: `${scenario}: requests per second by target`,
        subtitle: `Run of ${run}${load}; higher is better`,
        unit: 'req/s',
        digits: 0,
        series: ['requests per second'],
        bars: rows.map((row) => ({ label: row.target, values: [row.requestsPerSecond] })),
      }),
    });
  }
  for (const scenario of scenarios) {
    const rows = results.rows.filter((row) => row.scenario === scenario && row.traffic === 'distinct');
    if (!rows.length) continue;
    const measuresDatabase = rows.some((row) => row.databaseCpuMsPerRequest !== undefined);
    charts.push({
      file: `cpu-${slug(scenario)}.svg`,
      svg: barChart({
        id: `cpu-${slug(scenario)}`,
        title: `${scenario}: CPU ms per request by process`,
        subtitle: `Run of ${run}${load}; lower is better`,
        ...(measuresDatabase ? {} : { note: "PGlite: each subgraph's database runs inside its process, so its CPU counts in that subgraph's" }),
        unit: 'ms',
        digits: 2,
        series: ['gateway', 'users', 'products', 'orders', ...(measuresDatabase ? ['PostgreSQL'] : []), 'load generator'],
        bars: rows.map((row) => {
          const cpu = processCpu(row);
          return {
            label: row.target,
            values: [cpu.gateway ?? 0, cpu.users, cpu.products, cpu.orders, ...(measuresDatabase ? [cpu.database ?? 0] : []), row.loadGeneratorCpuMsPerRequest],
          };
        }),
      }),
    });
  }
  return charts;
}

interface BarChartSpec {
  /** Unique within a page, should several charts be inlined into one. */
  id: string;
  title: string;
  subtitle: string;
  /** A second line under the subtitle, where the figures need one. */
  note?: string;
  unit: string;
  /** Decimals of the values as written (as in the bench's tables). */
  digits: number;
  /** One name per value of each bar: one series draws plain bars, several stack with a legend. */
  series: string[];
  bars: { label: string; values: number[] }[];
}

/** Okabe–Ito colours, light enough for black text on them and visible on a light or a dark page. */
const COLOURS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#CC79A7', '#BBBBBB'];
/** Plain bars: not one of the processes' colours, so no one reads a process into them. */
const PLAIN_COLOUR = '#5B8FD0';
const WIDTH = 720;
const FONT_PX = 12;
/** A sans-serif character's average advance at FONT_PX: enough to keep labels clear of each other. */
const CHAR_PX = 7.2;
const BAR_PX = 20;
const ROW_PX = 30;
const VALUE_GAP_PX = 6;

/**
 * A horizontal bar chart: a bar per entry, each with its value (its total when stacked) written
 * after it, and each stacked part's value inside it where it fits, the longest bar spanning the
 * plot. The text takes the theme's colour: dark on light, light on dark (prefers-color-scheme),
 * on a background of its own so it reads the same on any page.
 */
function barChart(spec: BarChartSpec): string {
  const stacked = spec.series.length > 1;
  const format = (value: number) => value.toFixed(spec.digits);
  const colour = (part: number) => (stacked ? COLOURS[part % COLOURS.length]! : PLAIN_COLOUR);
  const totals = spec.bars.map((bar) => bar.values.reduce((sum, value) => sum + Math.max(value, 0), 0));
  const largest = Math.max(0, ...totals);
  const labelPx = Math.ceil(Math.max(0, ...spec.bars.map((bar) => bar.label.length)) * CHAR_PX) + 16;
  const valuePx = Math.ceil(Math.max(0, ...totals.map((total) => `${format(total)} ${spec.unit}`.length)) * CHAR_PX) + 12;
  const plotLeft = labelPx;
  const plotPx = WIDTH - plotLeft - valuePx - VALUE_GAP_PX;
  const scale = largest > 0 ? plotPx / largest : 0;
  const top = spec.note ? 76 : 58;
  const legendTop = top + spec.bars.length * ROW_PX + 8;
  const height = stacked ? legendTop + 30 : legendTop + 4;

  const lines: string[] = [];
  spec.bars.forEach((bar, index) => {
    const y = top + index * ROW_PX;
    const middle = y + BAR_PX / 2;
    lines.push(`<text x="${px(plotLeft - 8)}" y="${px(middle)}" text-anchor="end" dominant-baseline="central">${escapeXml(bar.label)}</text>`);
    let x = plotLeft;
    bar.values.forEach((value, part) => {
      const width = Math.max(value, 0) * scale;
      const name = spec.series[part]!;
      lines.push(
        `<rect class="bar" x="${px(x)}" y="${px(y)}" width="${px(width)}" height="${BAR_PX}" fill="${colour(part)}"><title>${escapeXml(`${bar.label}, ${name}: ${format(value)} ${spec.unit}`)}</title></rect>`,
      );
      if (stacked && format(value).length * CHAR_PX + 6 <= width) {
        lines.push(`<text class="inside" x="${px(x + width / 2)}" y="${px(middle)}" text-anchor="middle" dominant-baseline="central">${format(value)}</text>`);
      }
      x += width;
    });
    lines.push(`<text x="${px(x + VALUE_GAP_PX)}" y="${px(middle)}" dominant-baseline="central">${format(totals[index]!)} ${escapeXml(spec.unit)}</text>`);
  });
  lines.push(`<line class="axis" x1="${px(plotLeft)}" y1="${top - 4}" x2="${px(plotLeft)}" y2="${top + spec.bars.length * ROW_PX - ROW_PX + BAR_PX + 4}"/>`);
  if (stacked) {
    let x = plotLeft;
    spec.series.forEach((name, part) => {
      lines.push(`<rect class="bar" x="${px(x)}" y="${legendTop}" width="12" height="12" fill="${colour(part)}"/>`);
      lines.push(`<text x="${px(x + 17)}" y="${legendTop + 6}" dominant-baseline="central">${escapeXml(name)}</text>`);
      x += 17 + name.length * CHAR_PX + 16;
    });
  }

  const description = spec.bars
    .map((bar, index) =>
      stacked
        ? `${bar.label}: ${bar.values.map((value, part) => `${spec.series[part]} ${format(value)}`).join(', ')}; total ${format(totals[index]!)} ${spec.unit}`
        : `${bar.label} ${format(totals[index]!)} ${spec.unit}`,
    )
    .join('. ');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${spec.id}-title ${spec.id}-desc">`,
    `<title id="${spec.id}-title">${escapeXml(spec.title)}</title>`,
    `<desc id="${spec.id}-desc">${escapeXml(`${spec.subtitle}. ${spec.note ? `${spec.note}. ` : ''}${description}.`)}</desc>`,
    '<style>',
    `svg { color: #1f2328; font: ${FONT_PX}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }`,
    '.background { fill: #ffffff; stroke: #d0d7de; }',
    'text { fill: currentColor; }',
    '.title { font-weight: 600; font-size: 14px; }',
    '.subtitle { opacity: 0.75; }',
    '.axis { stroke: currentColor; opacity: 0.5; }',
    '.bar { stroke: #000000; stroke-opacity: 0.35; stroke-width: 0.5; }',
    '.inside { fill: #000000; font-size: 11px; }',
    '@media (prefers-color-scheme: dark) { svg { color: #e6edf3; } .background { fill: #1b1b1f; stroke: #3c3f44; } }',
    '</style>',
    `<rect class="background" x="0.5" y="0.5" width="${WIDTH - 1}" height="${height - 1}" rx="6"/>`,
    `<text class="title" x="16" y="24">${escapeXml(spec.title)}</text>`,
    `<text class="subtitle" x="16" y="43">${escapeXml(spec.subtitle)}</text>`,
    ...(spec.note ? [`<text class="subtitle" x="16" y="61">${escapeXml(spec.note)}</text>`] : []),
    ...lines,
    '</svg>',
    '',
  ].join('\n');
}

/** Coordinates to a tenth of a pixel: shorter files, and the same text on every platform. */
function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char]!);
}

/** A scenario name as a file name: "first-minute 0–5 s" → "first-minute-0-5-s". */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** A run's label from its results file's name (the bench's start time): "2026-12-07T14-41-15.595Z.json" → "2026-12-07 14:41 UTC". */
export function runLabel(fileName: string): string {
  const match = /(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})/.exec(basename(fileName));
  return match ? `${match[1]} ${match[2]}:${match[3]} UTC` : basename(fileName, '.json');
}

/**
 * Writes a run's charts (replacing those of the same names: a run of fewer scenarios leaves the
 * others' charts as they were, each saying which run it is) and returns their paths.
 */
export async function writeCharts(results: BenchResults, run: string, dir: URL = CHARTS_DIR): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const chart of renderCharts(results, run)) {
    const file = new URL(chart.file, dir);
    await writeFile(file, chart.svg);
    written.push(fileURLToPath(file));
  }
  return written;
}

/** `npm run bench:charts [-- <results.json>]`: the given results file's charts, or the newest run's. */
async function main(args: string[]): Promise<void> {
  const file = args[0] ?? (await newestResults());
  const results = JSON.parse(await readFile(file, 'utf8')) as BenchResults;
  const written = await writeCharts(results, runLabel(file));
  console.log(`Charts of ${file}:\n  ${written.join('\n  ')}`);
}

async function newestResults(): Promise<string> {
  const files = (await readdir(RESULTS_DIR).catch(() => [] as string[])).filter((name) => name.endsWith('.json')).sort();
  // The names are the runs' ISO start times, so the last in order is the newest.
  const newest = files.at(-1);
  if (!newest) throw new Error(`No results in ${fileURLToPath(RESULTS_DIR)}: run \`npm run bench\` first, or name a results file`);
  return fileURLToPath(new URL(newest, RESULTS_DIR));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
