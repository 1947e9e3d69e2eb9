import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Database } from '../src/db.js';
import { openEmptyPglite } from './support/empty-database.js';

/** PGlite's statements as spans, with tracing on in this process for this file only. */
describe('PGlite statement spans', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  let db: Database;
  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    db = await openEmptyPglite();
  });
  afterAll(async () => {
    await db.close();
    // Later files in this worker trace nothing: with no context manager no span is ever active.
    trace.disable();
    context.disable();
    await provider.shutdown();
  });

  it('makes one client span per statement inside a span, with db.* attributes and the text without its values', async () => {
    exporter.reset();
    await trace.getTracer('test').startActiveSpan('request', async (request) => {
      await db.query('SELECT $1::int AS answer', [73519]);
      await db.transaction(async (tx) => {
        await tx.query('CREATE TEMPORARY TABLE notes (body text)');
        await tx.query('INSERT INTO notes VALUES ($1)', ['secret words']);
      });
      request.end();
    });
    const spans = exporter.getFinishedSpans();
    const request = spans.find((span) => span.name === 'request')!;
    const statements = spans.filter((span) => span.name.startsWith('pglite.query:'));
    expect(statements.map((span) => span.name)).toEqual(['pglite.query:SELECT', 'pglite.query:CREATE', 'pglite.query:INSERT']);
    for (const span of statements) expect(span.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(statements[0]!.attributes).toEqual({
      'db.system.name': 'postgresql',
      'db.namespace': 'postgres',
      'db.operation.name': 'SELECT',
      'db.query.text': 'SELECT $1::int AS answer',
    });
    expect(JSON.stringify(statements.map((span) => span.attributes))).not.toMatch(/73519|secret words/);
  });

  it('marks a failed statement with its SQLSTATE and an error status', async () => {
    exporter.reset();
    await trace.getTracer('test').startActiveSpan('request', async (request) => {
      await expect(db.query('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
      request.end();
    });
    const [failed] = exporter.getFinishedSpans().filter((span) => span.name.startsWith('pglite.query:'));
    expect(failed!.attributes['error.type']).toBe('42P01');
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('makes no span for a statement outside any span (start-up, migrations, the reconciler)', async () => {
    exporter.reset();
    await db.query('SELECT 1');
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
