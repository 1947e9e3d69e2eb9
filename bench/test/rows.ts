import type { Row } from '../report.js';

/** A bench row with plausible figures, for the report's and the charts' tests: each states only what it is about. */
export function benchRow(fields: Pick<Row, 'scenario' | 'target' | 'requestsPerSecond'> & Partial<Row>): Row {
  return {
    traffic: 'identical',
    responses: fields.requestsPerSecond * 10,
    p50Ms: 5,
    p99Ms: 20,
    maxMs: 45,
    errors: 0,
    non2xx: 0,
    graphqlErrors: 0,
    cpuMsPerRequest: 1.234,
    subgraphCpuMsPerRequest: { users: 0.1, products: 0.2, orders: 0.3 },
    loadGeneratorCpuMsPerRequest: 0.05,
    peakRssMb: 150,
    ...fields,
  };
}
