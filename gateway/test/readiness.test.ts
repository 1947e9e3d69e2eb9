import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createHttpService } from '@shop/service-kit';
import { capturingLogger } from '../../test/support/logger.js';
import { servedSupergraphDetails } from '../src/readiness.js';

describe('/ready', () => {
  it('checks its dependencies once for a flood of probes, and answers them all with that verdict', async () => {
    let checks = 0;
    const service = await createHttpService({
      logger: capturingLogger().logger,
      graphql: { schema: buildSubgraphSchema({ typeDefs: parse('type Query { ping: String }') }) },
      context: async ({ requestId, logger }) => ({ requestId, logger }),
      readiness: async () => {
        checks += 1;
        return ['products: unreachable'];
      },
      sandbox: false,
    });
    const url = await service.listen(0, '127.0.0.1');
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${url}/ready`)));
      expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 50 }, () => 503));
      expect(await answers[0]!.json()).toEqual({ status: 'unavailable', problems: ['products: unreachable'] });
      // However long the probes took, they fell in at most a few one-second windows: never one check per probe.
      expect(checks).toBeLessThanOrEqual(3);
    } finally {
      await service.stop();
    }
  });

  it("names the supergraph served by its hash and load time only, never where it is read from", () => {
    const loadedAt = new Date('2026-01-02T03:04:05.000Z');
    const details = servedSupergraphDetails({ hash: 'abc123', loadedAt, location: '/etc/shop/supergraph.graphql', subgraphs: new Map() } as Parameters<typeof servedSupergraphDetails>[0]);
    expect(details).toEqual({ supergraph: { hash: 'abc123', loadedAt: '2026-01-02T03:04:05.000Z' } });
    expect(JSON.stringify(details)).not.toContain('/etc/shop');
    expect(servedSupergraphDetails(undefined)).toEqual({});
  });
});
