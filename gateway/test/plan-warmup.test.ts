import { readFile } from 'node:fs/promises';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { describe, expect, it, vi } from 'vitest';
import { loadPersistedDocuments } from '../src/persisted-documents.js';
import { planPersistedDocuments } from '../src/plan-warmup.js';
import { withoutAuthorizationPurpose } from '../src/authorization/supergraph-features.js';
import { capturingLogger } from '../../test/support/logger.js';

const SUPERGRAPH = new URL('../../supergraph.graphql', import.meta.url);
const MANIFEST = new URL('../../sdk/src/__generated__/persisted-documents.json', import.meta.url);

/** @apollo/gateway on the shop's supergraph, its subgraphs answering nothing (planning is what is tested). */
async function loadedGateway() {
  const gateway = new ApolloGateway({
    supergraphSdl: withoutAuthorizationPurpose(await readFile(SUPERGRAPH, 'utf8')),
    buildService: () => ({ process: async () => ({ data: null, errors: [{ message: 'not asked in this test' }] }) }),
  });
  return gateway;
}

describe('planning the persisted documents ahead', () => {
  it('plans every SDK document where the gateway looks for its plan, so no first request plans', async () => {
    const gateway = await loadedGateway();
    const server = new ApolloServer({ gateway });
    await server.start();
    try {
      const documents = await loadPersistedDocuments(MANIFEST);
      const { logger, lines } = capturingLogger();
      const { planned } = await planPersistedDocuments(gateway, documents, logger);
      expect(planned).toBe(documents.size);
      expect(lines.filter((line) => line.level >= 40)).toEqual([]);

      // Any request for one of them now finds its plan: sent as text, by hash (as the SDK does), or named.
      const planner = (gateway as unknown as { queryPlanner: { buildQueryPlan: (...args: unknown[]) => unknown } }).queryPlanner;
      const planning = vi.spyOn(planner, 'buildQueryPlan');
      for (const [hash, query] of documents) {
        const operationName = /^\s*(?:query|mutation)\s+(\w+)/m.exec(query)?.[1];
        await server.executeOperation({ query, ...(operationName ? { operationName } : {}) });
        await server.executeOperation({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
        await server.executeOperation({ query });
      }
      expect(planning).not.toHaveBeenCalled();

      // The control: a document it was not given is planned on its first request.
      await server.executeOperation({ query: '{ products(first: 1) { totalCount } }' });
      expect(planning).toHaveBeenCalledTimes(1);
    } finally {
      await server.stop();
    }
  });
});
