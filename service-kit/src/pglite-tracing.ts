import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import { statementOperation } from './database-metrics.js';

/**
 * PGlite's statements as spans, named and attributed as OpenTelemetry's pg instrumentation does for
 * a PostgreSQL server (PGlite has no instrumentation of its own): `pglite.query:SELECT`, with the
 * semantic conventions' db.* attributes and the statement text, never its values.
 */
const tracer = trace.getTracer('@shop/service-kit/pglite');
/** PGlite's one database. */
const DATABASE = 'postgres';

export function tracedStatement<T>(sql: string, run: () => Promise<T>): Promise<T> {
  // Only statements inside a request (a span): none for migrations, and no work at all when tracing is off.
  if (!trace.getSpan(context.active())) return run();
  const operation = statementOperation(sql);
  const span = tracer.startSpan(`pglite.query:${operation}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_NAMESPACE]: DATABASE,
      [ATTR_DB_OPERATION_NAME]: operation,
      [ATTR_DB_QUERY_TEXT]: sql,
    },
  });
  return run().then(
    (result) => {
      span.end();
      return result;
    },
    (error: unknown) => {
      const code = (error as { code?: unknown }).code;
      // The SQLSTATE, not the message: PostgreSQL's messages may quote a value ("invalid input syntax for type uuid: …").
      if (typeof code === 'string') span.setAttribute(ATTR_ERROR_TYPE, code);
      span.setStatus({ code: SpanStatusCode.ERROR, ...(typeof code === 'string' ? { message: `SQLSTATE ${code}` } : {}) });
      span.end();
      throw error;
    },
  );
}
