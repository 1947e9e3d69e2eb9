// Run as a process of its own by tracing.test.ts: starts tracing from the environment as a
// service does, then writes a log line inside a span and one outside.
import { startTracing } from '../../src/tracing.js';

const tracing = await startTracing('users', process.env);
// Imported only now, as a service imports what tracing instruments only once tracing has started.
const [{ trace }, { createLogger }] = await Promise.all([import('@opentelemetry/api'), import('../../src/logger.js')]);
const logger = createLogger({ service: 'users', level: 'info', format: 'json' });
await trace.getTracer('traced-work').startActiveSpan('work', async (span) => {
  logger.info({ traceId: span.spanContext().traceId, recording: span.isRecording() }, 'inside a span');
  span.end();
});
logger.info('outside any span');
await tracing?.shutdown();
