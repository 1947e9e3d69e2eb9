import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, startService } from '../../scripts/processes.js';
import { usersService } from '../../subgraphs/users/src/service.js';
import { ROOT } from '../../scripts/root.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../scripts/otlp-receiver.js';
import { tracingSettings } from '../src/tracing.js';

const TRACED_WORK = fileURLToPath(new URL('./support/traced-work.ts', import.meta.url));

/** Runs traced-work.ts with `env` (OTEL_* unset unless given) and returns its output once it exited 0. */
async function runTracedWork(env: Record<string, string>): Promise<{ output: string; logLines: Record<string, unknown>[] }> {
  const cleared = Object.fromEntries(Object.keys(process.env).filter((name) => name.startsWith('OTEL_')).map((name) => [name, undefined]));
  const running = startProcess(['--import', 'tsx', '--conditions=source', TRACED_WORK], { cwd: ROOT, env: { ...cleared, ...env } });
  const { code } = await running.exited(60_000);
  const output = running.output();
  expect(code, output).toBe(0);
  const logLines = output
    .split('\n')
    .filter((line) => line.startsWith('{"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { output, logLines };
}

describe('tracing settings', () => {
  it('is off unless an exporter or a collector endpoint is set, and off when disabled or "none"', () => {
    expect(tracingSettings({}).enabled).toBe(false);
    expect(tracingSettings({ OTEL_SERVICE_NAME: 'shop' }).enabled).toBe(false);
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'console' }).enabled).toBe(true);
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).enabled).toBe(true);
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }).enabled).toBe(true);
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).enabled).toBe(false);
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp,console', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging,team=shop' }).enabled).toBe(true);
  });

  it('refuses every bad setting at once, naming each', () => {
    const problems = () =>
      tracingSettings({
        OTEL_TRACES_EXPORTER: 'jaeger',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_TRACES_SAMPLER_ARG: '1.5',
        OTEL_RESOURCE_ATTRIBUTES: 'no pairs here',
      });
    expect(problems).toThrow(/Invalid configuration/);
    for (const name of ['OTEL_TRACES_EXPORTER', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_TRACES_SAMPLER:', 'OTEL_TRACES_SAMPLER_ARG', 'OTEL_RESOURCE_ATTRIBUTES']) {
      expect(problems).toThrow(name);
    }
    expect(() => tracingSettings({ OTEL_TRACES_EXPORTER: 'none,console' })).toThrow('"none" cannot be combined');
  });

  it('stops a service before it starts anything, with the usual configuration message naming every problem', { timeout: 60_000 }, async () => {
    const users = startService(usersService, { cwd: ROOT, env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'sometimes', PORT: 'not-a-port' } });
    expect((await users.exited(30_000)).code).toBe(1);
    // Its other problems in the same message.
    expect(users.output()).toMatch(/^Invalid configuration:\n {2}- OTEL_TRACES_SAMPLER: use one of always_on[^\n]*\n {2}- PORT: /);
  });
});

describe('a traced process', { timeout: 90_000 }, () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(() => receiver.stop());

  it('exports its spans as OTLP/HTTP JSON under its service name, and logs the span it writes in', async () => {
    const { logLines } = await runTracedWork({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
    });
    const inside = logLines.find((line) => line.msg === 'inside a span')!;
    expect(inside.recording).toBe(true);
    expect(inside.trace_id).toBe(inside.traceId);
    expect(inside.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(logLines.find((line) => line.msg === 'outside any span')).not.toHaveProperty('trace_id');
    const work = receiver.spans.find((span) => span.traceId === inside.traceId && span.name === 'work')!;
    expect(work.service).toBe('users');
    expect(work.spanId).toBe(inside.span_id);
  });

  it('exports OTLP/HTTP protobuf when told to', async () => {
    const before = receiver.exports.length;
    const { logLines } = await runTracedWork({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf', OTEL_SERVICE_NAME: 'shop-users' });
    const exported = receiver.exports.slice(before);
    expect(exported.map((sent) => [sent.path, sent.contentType])).toEqual([['/v1/traces', 'application/x-protobuf']]);
    // Protobuf carries the trace id as its 16 bytes, and the service name as text.
    const traceId = String(logLines.find((line) => line.msg === 'inside a span')!.traceId);
    expect(exported[0]!.body.includes(Buffer.from(traceId, 'hex'))).toBe(true);
    expect(exported[0]!.body.includes(Buffer.from('shop-users'))).toBe(true);
  });

  it('prints its spans with OTEL_TRACES_EXPORTER=console', async () => {
    const { output, logLines } = await runTracedWork({ OTEL_TRACES_EXPORTER: 'console' });
    const traceId = String(logLines.find((line) => line.msg === 'inside a span')!.traceId);
    expect(output).toContain(`traceId: '${traceId}'`);
    expect(output).toContain("name: 'work'");
  });

  it('loads no SDK and records nothing when no OTEL_* variable asks for traces', async () => {
    const before = receiver.exports.length;
    const { logLines } = await runTracedWork({ OTEL_SERVICE_NAME: 'users' });
    const inside = logLines.find((line) => line.msg === 'inside a span')!;
    expect(inside.recording).toBe(false);
    expect(inside).not.toHaveProperty('trace_id');
    expect(receiver.exports.length).toBe(before);
  });
});
