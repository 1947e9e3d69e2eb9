// A leaf: whether this process exports traces, read by the logger (trace ids on its lines) and by
// whoever forwards trace headers. Kept apart from tracing.ts, which reads the configuration.

let active = false;

/**
 * True once this process exports traces: OpenTelemetry's propagator then writes `traceparent` on
 * every outgoing call, so nothing else may forward the caller's own.
 */
export function isTracing(): boolean {
  return active;
}

/** Called once the SDK has started. */
export function markTracing(): void {
  active = true;
}
