import { pino, type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import { trace } from '@opentelemetry/api';
import { isTracing } from './tracing-state.js';
import { redactForLog, scrubText } from './log-redaction.js';

export type Logger = PinoLogger;
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  service: string;
  level: string;
  format: LogFormat;
  /** Where lines go; standard output unless a test captures them. */
  destination?: DestinationStream;
}

/** JSON lines in production (for log shippers); a readable one-line format for people. */
export function createLogger({ service, level, format, destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service },
    // Secrets never reach a line, at any depth (log-redaction.ts): pino's own `redact` takes fixed
    // paths only. The walk runs on lines written, never on those below the level, and on a child
    // logger's fields once, when it is made.
    formatters: { log: redactForLog },
    serializers: {
      // Errors are serialized by redactForLog already; this catches any it did not reach.
      err: (value: unknown) => (value instanceof Error ? redactForLog(stdErr(value)) : value),
      // The message too: `connecting to ${url}` and an error's message as the line's.
      msg: (value: unknown) => (typeof value === 'string' ? scrubText(value) : value),
    },
    ...(isTracing() ? { mixin: traceFields } : {}),
  };
  const logger =
    format === 'pretty'
      ? pino(options, pretty({ sync: true, singleLine: true, ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss.l', ...(destination ? { destination } : {}) }))
      : // Synchronous, as pretty is: services log a few lines in their lifetime, not one per request,
        // and pino's default asynchronous write still in flight at process.exit lands after the lines
        // flushed on exit, or is lost (seen on shutdown: "stopped" before "database closed").
        pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
  return redactingChildren(logger);
}

/**
 * A child's fields (`logger.child({ url })`) are written into every line it logs, but pino passes
 * them through no formatter: they are redacted once here, as the child is made. Children inherit
 * this `child` from their parent, so grandchildren are covered too.
 */
function redactingChildren(logger: Logger): Logger {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the logger `child` is called on (this one or a descendant), as pino's own is
  const pinoChild = logger.child;
  logger.child = function <ChildLevels extends string = never>(this: Logger, bindings: Bindings, childOptions?: ChildLoggerOptions<ChildLevels>) {
    // `call` instantiates pino's generic `child` without its type parameter: it is the same one.
    return pinoChild.call(this, redactForLog(bindings), childOptions) as PinoLogger<ChildLevels>;
  };
  return logger;
}

const stdErr = pino.stdSerializers.err;

/** The ids of the span a line is written in, under the names OpenTelemetry's log conventions give them. */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
}
