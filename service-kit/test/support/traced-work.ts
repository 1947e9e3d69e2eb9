// Run as a process of its own by tracing.test.ts: starts tracing from the environment as a
// service does, then does a little work inside a span (a log line, PGlite statements) and outside.
import { startTracing } from '../../src/tracing.js';

const tracing = await startTracing('users', process.env);
// Imported only now, as a service imports what tracing instruments only once tracing has started.
const [{ trace }, { createLogger }, { openDatabase }] = await Promise.all([
  import('@opentelemetry/api'),
  import('../../src/logger.js'),
  import('../../src/db.js'),
]);
const logger = createLogger({ service: 'users', level: 'info', format: 'json' });
const db = process.env.WITH_DATABASE === 'true' ? await openDatabase({}) : undefined;
await trace.getTracer('traced-work').startActiveSpan('work', async (span) => {
  logger.info({ traceId: span.spanContext().traceId, recording: span.isRecording() }, 'inside a span');
  if (db) {
    await db.query('SELECT $1::int AS answer', [73519]);
    await db.query('SELECT * FROM no_such_table').catch(() => undefined);
  }
  span.end();
});
logger.info('outside any span');
await db?.close();
await tracing?.shutdown();
