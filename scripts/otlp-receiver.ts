import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// The one OTLP/HTTP trace receiver: the tests read what the services export with it, and
// `npm run docs:trace` draws one trace from it.

/** One span as a service exported it over OTLP/HTTP in JSON, with the name of the service that made it. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Empty for a trace's root. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  /** Start and end, in microseconds since the epoch. */
  start: number;
  end: number;
  attributes: Record<string, string | number | boolean | undefined>;
}

/** One export as it arrived, whatever its encoding. */
export interface ReceivedExport {
  path: string;
  contentType: string;
  body: Buffer;
}

export interface OtlpReceiver {
  /** The collector's base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  /** Every span received in JSON, in arrival order. */
  spans: ReceivedSpan[];
  exports: ReceivedExport[];
  stop(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: (Omit<ReceivedSpan, 'service' | 'attributes' | 'start' | 'end'> & { startTimeUnixNano: string; endTimeUnixNano: string; attributes?: OtlpAttribute[] })[];
    }[];
  }[];
}

const valueOf = (value: OtlpValue) => value.stringValue ?? (value.intValue === undefined ? undefined : Number(value.intValue)) ?? value.doubleValue ?? value.boolValue;
const micros = (nanos: string) => Number(BigInt(nanos) / 1000n);
const attributesOf = (attributes: OtlpAttribute[] = []) => Object.fromEntries(attributes.map(({ key, value }) => [key, valueOf(value)]));

/**
 * An OpenTelemetry collector's OTLP/HTTP trace endpoint on loopback, as Jaeger or the Collector
 * offers it: it takes exports in JSON or protobuf, answers them as accepted, and keeps them.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const exports: ReceivedExport[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? '';
      const body = Buffer.concat(chunks);
      exports.push({ path: req.url ?? '', contentType, body });
      if (contentType.includes('json')) {
        const traces = JSON.parse(body.toString()) as OtlpTraces;
        for (const { resource, scopeSpans = [] } of traces.resourceSpans ?? []) {
          const service = String(attributesOf(resource?.attributes)['service.name']);
          for (const scope of scopeSpans) {
            for (const span of scope.spans ?? []) {
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId,
                name: span.name,
                kind: span.kind,
                start: micros(span.startTimeUnixNano),
                end: micros(span.endTimeUnixNano),
                attributes: attributesOf(span.attributes),
              });
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    exports,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const SERVER = 2;

/**
 * The trace whose root is `service`'s server span with `rootAttribute` = `value` (the request id,
 * say), once spans from each of `services` and every parent of every span in it have arrived.
 */
export async function wholeTrace(
  spans: readonly ReceivedSpan[],
  root: { service: string; attribute: string; value: string },
  services: readonly string[],
  timeoutMs = 15_000,
): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const first = spans.find((span) => span.service === root.service && span.kind === SERVER && span.attributes[root.attribute] === root.value);
    const trace = first ? spans.filter((span) => span.traceId === first.traceId) : [];
    const ids = new Set(trace.map((span) => span.spanId));
    const complete = services.every((service) => trace.some((span) => span.service === service)) && trace.every((span) => !span.parentSpanId || ids.has(span.parentSpanId));
    if (first && complete) return trace;
    if (Date.now() > deadline) {
      const seen = trace.map((span) => `${span.service} ${span.name} ${span.spanId}<-${span.parentSpanId}`).join('\n');
      throw new Error(`the trace of ${root.attribute}=${root.value} did not arrive whole:\n${seen}`);
    }
    await sleep(100);
  }
}
