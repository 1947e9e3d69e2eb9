import { pino, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import { trace } from '@opentelemetry/api';
import { isTracing } from './tracing.js';

export type Logger = PinoLogger;
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  service: string;
  level: string;
  format: LogFormat;
}

/** JSON lines in production (for log shippers); a readable one-line format for people. */
export function createLogger({ service, level, format }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service },
    redact: { paths: ['req.headers.authorization', 'password', '*.password', 'token'], censor: '[redacted]' },
    ...(isTracing() ? { mixin: traceFields } : {}),
  };
  if (format === 'pretty') {
    return pino(options, pretty({ sync: true, singleLine: true, ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss.l' }));
  }
  // Synchronous, as pretty is: services log a few lines in their lifetime, not one per request,
  // and pino's default asynchronous write still in flight at process.exit lands after the lines
  // flushed on exit, or is lost (seen on shutdown: "stopped" before "database closed").
  return pino(options, pino.destination({ dest: 1, sync: true }));
}

/** The ids of the span a line is written in, under the names OpenTelemetry's log conventions give them. */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
}
