import { defineCounter } from '@shop/service-kit';

/**
 * Labels counted by name at most: they come from the supergraph, never from a client, and a
 * supergraph carries a few; any past these are counted together as `other`.
 */
export const MAX_COUNTED_LABELS = 32;

/** How many requests each of the served supergraph's override labels was on and off for. */
export function overrideMetrics() {
  return {
    requests: defineCounter({
      name: 'override_label_requests_total',
      help: "Requests executed on a supergraph with @override labels, by label and whether it was on for the request (on: the field came from the overriding subgraph)",
      labelNames: ['label', 'on'],
    }),
  };
}

export type OverrideMetrics = ReturnType<typeof overrideMetrics>;
