import { readFile } from 'node:fs/promises';
import { configOrExit, exitOnStartFailure, serveUntilSignal, serviceLogger, usersTokenVerifier } from '@shop/service-kit';
import { loadConfig } from './config.js';
import { createGatewayService } from './server.js';
import { loadPersistedDocuments } from './persisted-documents.js';

const config = configOrExit(() => loadConfig(process.env));
const logger = serviceLogger('gateway', config);
const graphqlEndpoint = (base: string) => new URL('/graphql', base).href;

try {
  const supergraphFile = config.SUPERGRAPH_PATH ?? new URL('../../supergraph.graphql', import.meta.url);
  const service = await createGatewayService({
    logger,
    supergraphSdl: await readFile(supergraphFile, 'utf8'),
    subgraphUrls: {
      users: graphqlEndpoint(config.USERS_URL),
      products: graphqlEndpoint(config.PRODUCTS_URL),
      orders: graphqlEndpoint(config.ORDERS_URL),
    },
    verifyToken: usersTokenVerifier(config),
    sandbox: config.NODE_ENV !== 'production',
    subgraphTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    subgraphConnections: config.SUBGRAPH_CONNECTIONS,
    subgraphBreaker: {
      errorThresholdPercentage: config.SUBGRAPH_BREAKER_ERROR_PERCENT,
      volumeThreshold: config.SUBGRAPH_BREAKER_MIN_CALLS,
      resetTimeoutMs: config.SUBGRAPH_BREAKER_RESET_MS,
    },
    maxBodyBytes: config.MAX_BODY_BYTES,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    persistedDocuments: {
      documents: await loadPersistedDocuments(
        config.PERSISTED_DOCUMENTS_PATH ?? new URL('../../sdk/src/__generated__/persisted-documents.json', import.meta.url),
      ),
      onlyListed: config.PERSISTED_DOCUMENTS_ONLY,
    },
  });
  await serveUntilSignal(service, config, logger);
} catch (error) {
  exitOnStartFailure(logger)(error);
}
