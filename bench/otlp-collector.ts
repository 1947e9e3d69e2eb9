/**
 * The traced targets' collector: an OTLP/HTTP trace endpoint on loopback (PORT) that accepts every
 * export, as a collector does, and keeps nothing but counts. Each traced gateway exports under a
 * path of its own (`/<target>/v1/traces`, from OTEL_EXPORTER_OTLP_ENDPOINT=<url>/<target>), so
 * the counts say which gateway sent what; GET /tallies gives them as JSON, and they are printed
 * on exit. A process of its own, so reading the exports costs neither the gateway's CPU nor
 * autocannon's. Self-contained (Node runs it by stripping its types, which resolves no `.js` to
 * a `.ts`), and importable without side effects: the bench's tests check its counting.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** What one traced target exported so far. */
export interface ExportTally {
  /** POST requests received (one per batch the SDK's BatchSpanProcessor sent). */
  exports: number;
  /** Their bodies' bytes, as sent (compressed when the exporter compressed them). */
  bytes: number;
  spans: number;
}

/** Reads the varint at `at`; returns its value (exact up to 2^53, enough to skip any field) and where the next byte is. */
function varint(body: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 0; at < body.length; shift += 7) {
    const byte = body[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
  }
  throw new Error('truncated varint');
}

/** The [start, end) of each length-delimited field numbered `field` in the message at [start, end), skipping every other field. */
function* lengthDelimited(body: Uint8Array, field: number, start: number, end: number): Generator<[number, number]> {
  let at = start;
  while (at < end) {
    const [key, afterKey] = varint(body, at);
    const wireType = key % 8;
    if (wireType === 0) at = varint(body, afterKey)[1];
    else if (wireType === 1) at = afterKey + 8;
    else if (wireType === 5) at = afterKey + 4;
    else if (wireType === 2) {
      const [length, valueStart] = varint(body, afterKey);
      at = valueStart + length;
      if (at > end) throw new Error('truncated field');
      if (Math.floor(key / 8) === field) yield [valueStart, at];
    } else throw new Error(`unexpected wire type ${wireType}`);
  }
  if (at !== end) throw new Error('truncated message');
}

/**
 * Spans in an OTLP ExportTraceServiceRequest in protobuf, decoding only the three levels that
 * hold them: resource_spans (1) → scope_spans (2) → spans (2). Throws on a body that is not one.
 */
export function countProtobufSpans(body: Uint8Array): number {
  let spans = 0;
  for (const [resourceStart, resourceEnd] of lengthDelimited(body, 1, 0, body.length)) {
    for (const [scopeStart, scopeEnd] of lengthDelimited(body, 2, resourceStart, resourceEnd)) {
      spans += Array.from(lengthDelimited(body, 2, scopeStart, scopeEnd)).length;
    }
  }
  return spans;
}

interface OtlpJsonTraces {
  resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
}

/** Spans in an OTLP ExportTraceServiceRequest in JSON. */
export function countJsonSpans(body: string): number {
  const traces = JSON.parse(body) as OtlpJsonTraces;
  return (traces.resourceSpans ?? []).flatMap((resource) => resource.scopeSpans ?? []).reduce((sum, scope) => sum + (scope.spans?.length ?? 0), 0);
}

/** `/<target>/v1/traces` → `<target>` (empty for `/v1/traces`); undefined for any other path. */
export function tallyKey(path: string): string | undefined {
  const match = /^\/(?:([^/?]+)\/)?v1\/traces(?:\?.*)?$/.exec(path);
  return match ? (match[1] ?? '') : undefined;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

function serve(port: number): void {
  const tallies: Record<string, ExportTally> = {};
  const server = createServer((request, response) => {
    const key = tallyKey(request.url ?? '');
    if (request.method === 'GET' && request.url === '/tallies') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(tallies));
      return;
    }
    if (request.method !== 'POST' || key === undefined) {
      response.writeHead(404).end();
      return;
    }
    void readBody(request).then((sent) => {
      const json = (request.headers['content-type'] ?? '').includes('json');
      try {
        const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(sent) : sent;
        const spans = json ? countJsonSpans(body.toString()) : countProtobufSpans(body);
        const tally = (tallies[key] ??= { exports: 0, bytes: 0, spans: 0 });
        tally.exports++;
        tally.bytes += sent.length;
        tally.spans += spans;
      } catch (error) {
        // Answered as refused, so an exporter sending something unreadable shows in the tallies as nothing received.
        response.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
        return;
      }
      // OTLP/HTTP's success: an empty ExportTraceServiceResponse, which is no bytes in protobuf.
      if (json) response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    }, () => response.destroy());
  });
  server.listen(port, '127.0.0.1', () => console.log(`OTLP collector listening on port ${port}`));
  const stop = () => {
    console.log(`received: ${JSON.stringify(tallies)}`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (import.meta.main) serve(Number(process.env.PORT));
