import { CALL_BUCKETS, defineCounter, defineHistogram } from '@shop/service-kit';

/**
 * The deferred parts' metrics, on the gateway's metrics port: how many parts went out (with or
 * without errors), and how long after its request began each was ready: what a client waits for
 * the slow part of its page. The first part is an operation as any other, counted with them.
 */
export function deferredPartMetrics() {
  return {
    parts: defineCounter({ name: 'deferred_parts_total', help: 'Deferred parts (@defer) delivered, by outcome (data: no error in it; error: one or more)', labelNames: ['outcome'] }),
    seconds: defineHistogram({ name: 'deferred_part_ready_seconds', help: 'Seconds from the start of an operation with @defer to each of its deferred parts being ready to send', buckets: CALL_BUCKETS }),
  };
}
