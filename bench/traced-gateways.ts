/**
 * Our gateway with tracing on, one target per sampler: each runs exactly as `ours` does (uncached)
 * plus the OTEL_* variables below, exporting OTLP/HTTP protobuf to the bench's collector on
 * loopback. Only these gateways are traced: the subgraphs, shared by every target, are not.
 */
export const TRACED_GATEWAYS = {
  /** Every request traced: the most tracing can cost. */
  'ours-traced': { OTEL_TRACES_SAMPLER: 'parentbased_always_on' },
  /** One request in ten traced (a client's sampled `traceparent` is still followed): a common production setting. */
  'ours-traced-10': { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
} as const satisfies Record<string, Record<string, string>>;

export type TracedGatewayName = keyof typeof TRACED_GATEWAYS;

export function isTraced(target: string): target is TracedGatewayName {
  return Object.hasOwn(TRACED_GATEWAYS, target);
}

/**
 * Every OTEL_* variable in `inherited` set to undefined (removed from a child's environment): an
 * untraced target must not be traced because whoever ran the bench had tracing configured, and a
 * traced one must export where the bench says, whatever a more specific inherited variable says.
 */
export function withoutInheritedTracing(inherited: Record<string, string | undefined>): Record<string, undefined> {
  return Object.fromEntries(Object.keys(inherited).filter((name) => name.startsWith('OTEL_')).map((name) => [name, undefined]));
}

/** The variables that turn tracing on for `target`, exporting to the collector at `collectorUrl` under a path of its own. */
export function tracingEnv(target: TracedGatewayName, collectorUrl: string): Record<string, string> {
  return {
    OTEL_TRACES_EXPORTER: 'otlp',
    // The exporter appends /v1/traces; the collector counts per path, so per target.
    OTEL_EXPORTER_OTLP_ENDPOINT: `${collectorUrl}/${target}`,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
    ...TRACED_GATEWAYS[target],
  };
}
