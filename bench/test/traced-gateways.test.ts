import { describe, expect, it } from 'vitest';
import { tracingSettings } from '../../service-kit/src/tracing.js';
import { isTraced, TRACED_GATEWAYS, tracingEnv, withoutInheritedTracing } from '../traced-gateways.js';

describe('traced gateways', () => {
  it('turn tracing on, as the services read it, with their own sampler, exporting protobuf to the collector under their own path', () => {
    const always = tracingSettings(tracingEnv('ours-traced', 'http://127.0.0.1:4318'));
    expect(always).toMatchObject({
      enabled: true,
      OTEL_TRACES_EXPORTER: ['otlp'],
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/ours-traced',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    });
    const tenth = tracingSettings(tracingEnv('ours-traced-10', 'http://127.0.0.1:4318'));
    expect(tenth).toMatchObject({ enabled: true, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: 0.1 });
  });

  it('knows which targets are traced', () => {
    expect(Object.keys(TRACED_GATEWAYS).every(isTraced)).toBe(true);
    expect(['ours', 'ours-cached', 'stock', 'hive', 'direct', 'toString'].some(isTraced)).toBe(false);
  });

  it('removes every inherited OTEL_* variable, so an untraced server is untraced whatever the bench was run with', () => {
    const inherited = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example.com', OTEL_TRACES_EXPORTER: 'otlp', PATH: '/usr/bin' };
    const cleared = withoutInheritedTracing(inherited);
    expect(cleared).toEqual({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined, OTEL_TRACES_EXPORTER: undefined });
    expect(tracingSettings({ ...inherited, ...cleared }).enabled).toBe(false);
  });
});
