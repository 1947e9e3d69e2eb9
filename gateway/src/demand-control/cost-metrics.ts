import { defineCounter, defineHistogram } from '@shop/service-kit';

/** From a single field (1) past the default maximum (16,000) to what only a refused operation reaches. */
const COST_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 16_000, 25_000, 50_000, 100_000];
/**
 * Estimated less actual: 0 when every list came back as long as `@listSize` says it may be; large
 * where a `@listSize` is far above what lists really hold (lower it); negative where a list came
 * back longer than the estimate assumed (raise it, or give the field one).
 */
const DELTA_BUCKETS = [-1_000, -100, -10, -1, 0, 1, 10, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 16_000];

/** Demand control's metrics, on the gateway's metrics port, by operation type. */
export function costMetrics() {
  return {
    estimated: defineHistogram({
      name: 'operation_cost_estimated',
      help: "Each operation's estimated cost (IBM cost specification, from the supergraph's @cost and @listSize), refused ones included",
      labelNames: ['operation_type'],
      buckets: COST_BUCKETS,
    }),
    actual: defineHistogram({
      name: 'operation_cost_actual',
      help: "Each executed query's or mutation's actual cost: the same measure over the data it returned",
      labelNames: ['operation_type'],
      buckets: COST_BUCKETS,
    }),
    delta: defineHistogram({
      name: 'operation_cost_delta',
      help: "Each executed query's or mutation's estimated cost less its actual cost: how far @listSize is above what lists hold",
      labelNames: ['operation_type'],
      buckets: DELTA_BUCKETS,
    }),
    refusals: defineCounter({
      name: 'operation_cost_refusals_total',
      help: 'Operations estimated above MAX_OPERATION_COST, by DEMAND_CONTROL_MODE (enforce: refused; measure: served all the same)',
      labelNames: ['mode'],
    }),
  };
}

export type CostMetrics = ReturnType<typeof costMetrics>;
