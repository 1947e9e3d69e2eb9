// Light on purpose (also exported as '@shop/service-kit/tracing'): a service reads its tracing
// settings before anything it traces is loaded, and loads the OpenTelemetry SDK only when they ask for it.
import { z } from 'zod';
import { loadEnv } from './config.js';
import type { ServiceName } from './service-names.js';
import { markTracing } from './tracing-state.js';
import type { Tracing } from './tracing-sdk.js';

export { isTracing } from './tracing-state.js';
export type { Tracing } from './tracing-sdk.js';

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
const PROTOCOLS = ['http/protobuf', 'http/json'] as const;
const EXPORTERS = ['otlp', 'console', 'none'] as const;

const exporterList = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''))
  .pipe(z.array(z.enum(EXPORTERS, { error: `use ${EXPORTERS.join(', ')} (comma-separated)` })));
const otlpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL of an OTLP/HTTP collector' });
const protocol = z.enum(PROTOCOLS, { error: `use ${PROTOCOLS.join(' or ')}` });
// W3C Baggage's form, as the SDK reads it: key=value pairs, comma-separated, values percent-encoded.
const RESOURCE_ATTRIBUTES = /^\s*[^=,\s]+\s*=[^,]*(,\s*[^=,\s]+\s*=[^,]*)*$/;

/**
 * The OpenTelemetry variables this project documents, checked as strictly as the rest of the
 * configuration: the SDK itself only warns and falls back, so a typo would export nothing unnoticed.
 */
export const tracingEnv = {
  OTEL_SDK_DISABLED: z.stringbool().default(false),
  OTEL_TRACES_EXPORTER: exporterList.optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS, { error: `use one of ${SAMPLERS.join(', ')}` }).optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: z.string().regex(RESOURCE_ATTRIBUTES, 'key=value pairs, comma-separated').optional(),
};

export type TracingSettings = ReturnType<typeof tracingSettings>;

/** Reads the tracing variables (a ConfigError lists every problem); `enabled` says whether they ask for traces at all. */
export function tracingSettings(env: Record<string, string | undefined>) {
  const settings = loadEnv(tracingEnv, env, (config) =>
    config.OTEL_TRACES_EXPORTER && config.OTEL_TRACES_EXPORTER.length > 1 && config.OTEL_TRACES_EXPORTER.includes('none')
      ? ['OTEL_TRACES_EXPORTER: "none" cannot be combined with an exporter']
      : [],
  );
  const exporters = settings.OTEL_TRACES_EXPORTER;
  const endpointSet = settings.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
  // As the SDK reads them, except that nothing at all set means no tracing (the SDK would default to otlp).
  const enabled = !settings.OTEL_SDK_DISABLED && (exporters ? !exporters.includes('none') : endpointSet);
  return { ...settings, enabled };
}

/**
 * Starts OpenTelemetry for `service` when the environment asks for it, else loads nothing. Must run
 * before the modules it instruments (http, graphql, pg, dataloader) are first imported.
 */
export async function startTracing(service: ServiceName, env: Record<string, string | undefined>): Promise<Tracing | undefined> {
  const settings = tracingSettings(env);
  if (!settings.enabled) return undefined;
  const { startTracingSdk } = await import('./tracing-sdk.js');
  const tracing = await startTracingSdk(settings.OTEL_SERVICE_NAME ?? service);
  markTracing();
  return tracing;
}
