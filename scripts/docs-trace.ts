/**
 * `npm run docs:trace`: docs/canonical-query-trace.png, the observability page's picture of one real trace of
 * the canonical query. Starts the stack as `npm start` does (PGlite in a temporary folder, demo
 * data, free ports, every service tracing to a collector on loopback), sends the canonical query
 * once as Alice, turns that request's spans into a speedscope profile and screenshots speedscope's
 * offline app in headless Chromium. Needs Debian's `chromium` (CHROMIUM_PATH for another binary).
 * Nothing leaves loopback.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { DEMO_ORDERS, DEMO_USERS, REQUEST_ID_ATTRIBUTE } from '@shop/service-kit';
import { CANONICAL } from '../bench/canonical-query.js';
import { npmStartOnFreePorts, startNpmStart } from './processes.js';
import { startOtlpReceiver, wholeTrace, type ReceivedSpan } from './otlp-receiver.js';
import { ROOT } from './root.js';

const OUTPUT = resolve(ROOT, 'docs/canonical-query-trace.png');
const SERVICES = ['gateway', 'orders', 'users', 'products'] as const;

async function graphql(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (!body.data || body.errors) throw new Error(`${query.split('\n')[0]} failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Runs the stack, sends the canonical query once and returns its trace. */
async function collectCanonicalTrace(): Promise<ReceivedSpan[]> {
  const collector = await startOtlpReceiver();
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-docs-trace-'));
  const npmStart = await npmStartOnFreePorts(dataDir);
  const inheritedTracing = Object.fromEntries(Object.keys(process.env).filter((name) => /^OTEL_|_DATABASE_URL$/.test(name)).map((name) => [name, undefined]));
  const stack = startNpmStart({
    ...inheritedTracing,
    ...npmStart.env,
    METRICS_PORT: '0',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
  try {
    await stack.waitFor(/The shop supergraph is up/, 240_000);
    const { gatewayUrl } = npmStart;
    const alice = DEMO_USERS[1];
    const login = await graphql(gatewayUrl, 'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }', { email: alice.email, password: alice.password });
    const authorization = `Bearer ${(login.login as { token: string }).token}`;
    const send = (name: string, requestId: string) =>
      graphql(gatewayUrl, CANONICAL.replace('query (', `query ${name} (`), { id: DEMO_ORDERS[1].id }, { authorization, 'x-request-id': requestId });
    // Once to warm the connections and loaders; the pictured request has a name of its own, so the gateway plans it.
    await send('WarmUp', `warm-up-${randomUUID()}`);
    const requestId = `canonical-${randomUUID()}`;
    await send('Canonical', requestId);
    return await wholeTrace(collector.spans, { service: 'gateway', attribute: REQUEST_ID_ATTRIBUTE, value: requestId }, SERVICES);
  } finally {
    await stack.stop();
    await collector.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}


/** speedscope's file format (its file-format-schema.json), one profile per lane. */
interface SpeedscopeFile {
  $schema: string;
  name: string;
  exporter: string;
  shared: { frames: { name: string }[] };
  profiles: object[];
}
interface Lanes {
  file: SpeedscopeFile;
  lanes: { name: string; depth: number }[];
}

/** A speedscope evented profile: frames opened and closed in stack order. */
interface Lane {
  name: string;
  depth: number;
  events: { type: 'O' | 'C'; frame: number; at: number }[];
}

/** Starts are exported in whole milliseconds: a sibling starting less than that before the last one ended follows it. */
const ROUNDING_US = 1_000;

/**
 * The trace as speedscope profiles ("lanes"), nesting by parent links: a flame chart nests frames
 * strictly, so a span that runs beside its previous sibling (the gateway's parallel fetches,
 * concurrent loads) starts a lane of its own, as a separate row of a trace viewer would. Each
 * frame is named `<service> · <span name>`.
 */
export function toSpeedscope(trace: ReceivedSpan[]): Lanes {
  const start = Math.min(...trace.map((span) => span.start));
  let end = Math.max(...trace.map((span) => span.end));
  const frames: { name: string }[] = [];
  const frameOf = new Map<string, number>();
  const frame = (span: ReceivedSpan) => {
    const name = `${span.service} · ${span.name}`;
    if (!frameOf.has(name)) frameOf.set(name, frames.push({ name }) - 1);
    return frameOf.get(name)!;
  };
  const children = new Map<string, ReceivedSpan[]>();
  for (const span of trace) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span].sort((a, b) => a.start - b.start));
  const lanes: Lane[] = [];
  /**
   * Opens `span` in `lane` no earlier than `from` (its previous sibling's end), its children after
   * it; a span closes no earlier than its children (a resolver returns before its batch runs).
   */
  const place = (span: ReceivedSpan, lane: Lane, from: number, depth = 0): number => {
    lane.depth = Math.max(lane.depth, depth);
    const open = Math.max(span.start, from);
    lane.events.push({ type: 'O', frame: frame(span), at: open - start });
    let cursor = open;
    for (const child of children.get(span.spanId) ?? []) {
      if (child.start + ROUNDING_US >= cursor) cursor = place(child, lane, cursor, depth + 1);
      else placeInNewLane(child);
    }
    const close = Math.max(span.end, cursor);
    lane.events.push({ type: 'C', frame: frame(span), at: close - start });
    end = Math.max(end, close);
    return close;
  };
  const placeInNewLane = (span: ReceivedSpan) => {
    const lane: Lane = { name: `${span.service} · ${span.name}${lanes.length ? ' (beside the others)' : ''}`, depth: 0, events: [] };
    lanes.push(lane);
    place(span, lane, span.start);
  };
  placeInNewLane(trace.find((span) => !span.parentSpanId)!);
  const profiles = lanes.map((lane) => ({ type: 'evented', name: lane.name, unit: 'microseconds', startValue: 0, endValue: end - start, events: lane.events }));
  return {
    file: { $schema: 'https://www.speedscope.app/file-format-schema.json', name: 'canonical query', exporter: 'npm run docs:trace', shared: { frames }, profiles },
    lanes: lanes.map(({ name, depth }) => ({ name, depth })),
  };
}

const VIEWER = resolve(ROOT, 'node_modules/speedscope/dist/release');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png', '.woff2': 'font/woff2' };
const WIDTH = 2400;
/** speedscope's toolbar, minimap and time axis, then one row per nesting level. */
const HEADER_PX = 160;
const ROW_PX = 20;

/** Serves speedscope's offline app, and each lane as `/lane-<n>.json`, on loopback. */
async function serveViewer(file: SpeedscopeFile): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const lane = /^\/lane-(\d+)\.json$/.exec(path);
    if (lane) return void response.writeHead(200, { 'content-type': TYPES['.json'] }).end(JSON.stringify({ ...file, profiles: [file.profiles[Number(lane[1])]] }));
    const served = resolve(VIEWER, `.${path === '/' ? '/index.html' : path}`);
    if (!served.startsWith(VIEWER)) return void response.writeHead(404).end();
    createReadStream(served)
      .once('error', () => response.writeHead(404).end())
      .once('open', () => response.writeHead(200, { 'content-type': TYPES[extname(served)] ?? 'application/octet-stream' }))
      .pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Each lane in speedscope's time-order flame chart, cropped to its depth, stacked into one PNG with a label each. */
async function screenshot(speedscope: Lanes): Promise<void> {
  const viewer = await serveViewer(speedscope.file);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 }, deviceScaleFactor: 1 });
    const shots: { name: string; png: string }[] = [];
    for (const [index, lane] of speedscope.lanes.entries()) {
      // A query string of its own: a change of hash alone would not reload the app.
      await page.goto(`${viewer.url}/index.html?lane=${index}#profileURL=${encodeURIComponent(`${viewer.url}/lane-${index}.json`)}`);
      await page.waitForSelector('canvas');
      await sleep(1_000);
      const png = await page.screenshot({ clip: { x: 0, y: 0, width: WIDTH, height: HEADER_PX + (lane.depth + 1) * ROW_PX } });
      shots.push({ name: lane.name, png: png.toString('base64') });
    }
    const escape = (text: string) => text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
    await page.setContent(
      `<body style="margin:0;font:14px sans-serif;background:#fff">${shots
        .map(({ name, png }) => `<div style="padding:6px 8px;background:#eee">${escape(name)}</div><img style="display:block" src="data:image/png;base64,${png}">`)
        .join('')}</body>`,
    );
    await mkdir(dirname(OUTPUT), { recursive: true });
    await page.screenshot({ path: OUTPUT, fullPage: true });
  } finally {
    await browser.close();
    await new Promise<void>((done) => viewer.server.close(() => done()));
  }
}

if (import.meta.main) {
  const speedscope = toSpeedscope(await collectCanonicalTrace());
  await screenshot(speedscope);
  console.log(`wrote ${OUTPUT}`);
}
